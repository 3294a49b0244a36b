#pragma once

// Dead letters: records a consumer gave up on, kept in `<topic>.dlq` with headers saying why, so
// an operator can list them and, once the cause is fixed, put them back on their topic.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orderly/messaging/consumer.h"
#include "orderly/messaging/producer.h"

namespace orderly::messaging {

inline constexpr std::string_view kHeaderError = "orderly-error";
inline constexpr std::string_view kHeaderOriginalTopic = "orderly-original-topic";
inline constexpr std::string_view kHeaderOriginalPartition = "orderly-original-partition";
inline constexpr std::string_view kHeaderOriginalOffset = "orderly-original-offset";
inline constexpr std::string_view kHeaderAttempts = "orderly-attempts";

/// One record of a dead-letter topic, its headers read.
struct DeadLetter {
  ConsumedMessage record;  // as stored in the dead-letter topic
  std::string original_topic;
  int32_t original_partition = -1;
  int64_t original_offset = -1;
  int attempts = 0;
  std::string error;
};

/// The record that dead-letters `message` after `attempts` failures, the last with `error`.
[[nodiscard]] OutgoingMessage MakeDeadLetter(const ConsumedMessage& message, const std::string& error, int attempts);

/// Reads the dead-letter headers of `record`.
/// @throws orderly::InvalidArgument if it has no original topic (not written by MakeDeadLetter).
[[nodiscard]] DeadLetter ParseDeadLetter(const ConsumedMessage& record);

/// The record that puts `letter` back on its original topic: its key, value and original headers.
/// Consumers are idempotent, so replaying a letter twice has the effect of replaying it once.
[[nodiscard]] OutgoingMessage Redelivery(const DeadLetter& letter);

}  // namespace orderly::messaging
