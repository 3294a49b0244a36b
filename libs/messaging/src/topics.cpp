#include "orderly/messaging/topics.h"

namespace orderly::messaging {

std::vector<std::string> AllTopics() {
  std::vector<std::string> topics;
  for (std::string_view topic : {kOrderEvents, kOrderCommands, kInventoryCommands, kPaymentCommands, kSagaReplies}) {
    topics.emplace_back(topic);
    topics.push_back(DeadLetterTopic(topic));
  }
  return topics;
}

}  // namespace orderly::messaging
