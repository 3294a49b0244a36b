#include "orderly/messaging/topics.h"

#include "orderly/common/errors.h"

namespace orderly::messaging {

std::vector<std::string> AllTopics() {
  std::vector<std::string> topics;
  for (std::string_view topic : {kOrderEvents, kOrderCommands, kInventoryCommands, kPaymentCommands, kSagaReplies}) {
    topics.emplace_back(topic);
    topics.push_back(DeadLetterTopic(topic));
  }
  return topics;
}

const std::vector<ConsumerGroup>& ConsumerGroups() {
  static const std::vector<ConsumerGroup> groups = {
      {"inventory", {kInventoryCommands}},
      {"payment", {kPaymentCommands}},
      {"order", {kOrderCommands}},
      {"orchestrator", {kOrderEvents, kSagaReplies}},
      {"analytics", {kOrderEvents}},
  };
  return groups;
}

const ConsumerGroup& ConsumerGroupOf(std::string_view service) {
  for (const auto& group : ConsumerGroups()) {
    if (group.service == service) return group;
  }
  std::string known;
  for (const auto& group : ConsumerGroups()) known += (known.empty() ? "" : ", ") + std::string(group.service);
  throw InvalidArgument("service", "'" + std::string(service) + "' consumes no topic; one of " + known);
}

}  // namespace orderly::messaging
