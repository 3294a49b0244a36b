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

/// The consumer group of one service and the topics it consumes.
struct ConsumerGroup {
  std::string_view service;
  std::vector<std::string_view> topics;

  /// Its name before KafkaSettings::Group applies the prefix: `orderly-<service>`.
  [[nodiscard]] std::string name() const { return "orderly-" + std::string(service); }
};

/// Every service's consumer group: one list for the services, operators' tools and tests.
[[nodiscard]] const std::vector<ConsumerGroup>& ConsumerGroups();
/// The group of `service`. @throws orderly::InvalidArgument if it has none.
[[nodiscard]] const ConsumerGroup& ConsumerGroupOf(std::string_view service);

}  // namespace orderly::messaging
