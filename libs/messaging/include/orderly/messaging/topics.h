#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace orderly::messaging {

inline constexpr std::string_view kOrderEvents = "order.events";
inline constexpr std::string_view kOrderCommands = "order.commands";
inline constexpr std::string_view kInventoryCommands = "inventory.commands";
inline constexpr std::string_view kPaymentCommands = "payment.commands";
inline constexpr std::string_view kSagaReplies = "saga.replies";

/// Where messages of `topic` go when they cannot be processed.
[[nodiscard]] inline std::string DeadLetterTopic(std::string_view topic) { return std::string(topic) + ".dlq"; }

/// Every topic Orderly uses, dead-letter topics included; devbroker and deployments create these.
[[nodiscard]] std::vector<std::string> AllTopics();

/// Header names on dead-lettered messages.
inline constexpr std::string_view kHeaderError = "orderly-error";
inline constexpr std::string_view kHeaderOriginalTopic = "orderly-original-topic";
inline constexpr std::string_view kHeaderOriginalPartition = "orderly-original-partition";
inline constexpr std::string_view kHeaderOriginalOffset = "orderly-original-offset";
inline constexpr std::string_view kHeaderAttempts = "orderly-attempts";

}  // namespace orderly::messaging
