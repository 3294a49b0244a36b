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

}  // namespace orderly::messaging
