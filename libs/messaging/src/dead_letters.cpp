#include "orderly/messaging/dead_letters.h"

#include <charconv>

#include "orderly/common/errors.h"
#include "orderly/messaging/topics.h"

namespace orderly::messaging {
namespace {

bool IsDeadLetterHeader(std::string_view name) {
  return name == kHeaderError || name == kHeaderOriginalTopic || name == kHeaderOriginalPartition ||
         name == kHeaderOriginalOffset || name == kHeaderAttempts;
}

// The number in header `name`, or `fallback` if it is absent or not a number.
template <typename Int>
Int NumberHeader(const ConsumedMessage& record, std::string_view name, Int fallback) {
  const std::string text = record.Header(name);
  Int value = fallback;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty() ? value : fallback;
}

}  // namespace

OutgoingMessage MakeDeadLetter(const ConsumedMessage& message, const std::string& error, int attempts) {
  OutgoingMessage dead{DeadLetterTopic(message.topic), message.key, message.value, {}};
  for (const auto& header : message.headers) {
    if (!IsDeadLetterHeader(header.first)) dead.headers.push_back(header);
  }
  dead.headers.emplace_back(kHeaderError, error);
  dead.headers.emplace_back(kHeaderOriginalTopic, message.topic);
  dead.headers.emplace_back(kHeaderOriginalPartition, std::to_string(message.partition));
  dead.headers.emplace_back(kHeaderOriginalOffset, std::to_string(message.offset));
  dead.headers.emplace_back(kHeaderAttempts, std::to_string(attempts));
  return dead;
}

DeadLetter ParseDeadLetter(const ConsumedMessage& record) {
  DeadLetter letter{record, record.Header(kHeaderOriginalTopic)};
  if (letter.original_topic.empty()) {
    throw InvalidArgument(std::string(kHeaderOriginalTopic),
                          "missing on " + record.topic + "[" + std::to_string(record.partition) + "]@" +
                              std::to_string(record.offset) + ": not a dead letter");
  }
  letter.original_partition = NumberHeader<int32_t>(record, kHeaderOriginalPartition, -1);
  letter.original_offset = NumberHeader<int64_t>(record, kHeaderOriginalOffset, -1);
  letter.attempts = NumberHeader<int>(record, kHeaderAttempts, 0);
  letter.error = record.Header(kHeaderError);
  return letter;
}

OutgoingMessage Redelivery(const DeadLetter& letter) {
  OutgoingMessage message{letter.original_topic, letter.record.key, letter.record.value, {}};
  for (const auto& header : letter.record.headers) {
    if (!IsDeadLetterHeader(header.first)) message.headers.push_back(header);
  }
  return message;
}

}  // namespace orderly::messaging
