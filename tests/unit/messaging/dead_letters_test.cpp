#include "orderly/messaging/dead_letters.h"

#include <gtest/gtest.h>

#include "orderly/common/errors.h"

namespace orderly::messaging {
namespace {

ConsumedMessage Consumed(const OutgoingMessage& message, int32_t partition, int64_t offset) {
  return ConsumedMessage{message.topic, partition, offset, message.key, message.value, message.headers};
}

const ConsumedMessage kFailed{"inventory.commands", 2, 41, "order-1", "bytes", {{"traceparent", "00-abc-01"}}};

TEST(DeadLettersTest, DeadLetterRecordsWhereTheMessageCameFromAndWhy) {
  const OutgoingMessage dead = MakeDeadLetter(kFailed, "no such sku", 3);
  EXPECT_EQ(dead.topic, "inventory.commands.dlq");
  EXPECT_EQ(dead.key, "order-1");
  EXPECT_EQ(dead.value, "bytes");
  const DeadLetter letter = ParseDeadLetter(Consumed(dead, 0, 7));
  EXPECT_EQ(letter.original_topic, "inventory.commands");
  EXPECT_EQ(letter.original_partition, 2);
  EXPECT_EQ(letter.original_offset, 41);
  EXPECT_EQ(letter.attempts, 3);
  EXPECT_EQ(letter.error, "no such sku");
  EXPECT_EQ(letter.record.offset, 7);
}

TEST(DeadLettersTest, RedeliveryRestoresTheOriginalRecord) {
  const DeadLetter letter = ParseDeadLetter(Consumed(MakeDeadLetter(kFailed, "boom", 1), 0, 0));
  const OutgoingMessage again = Redelivery(letter);
  EXPECT_EQ(again.topic, kFailed.topic);
  EXPECT_EQ(again.key, kFailed.key);
  EXPECT_EQ(again.value, kFailed.value);
  EXPECT_EQ(again.headers, kFailed.headers);
}

TEST(DeadLettersTest, ADeadLetterCopiedBackAsIsThatFailsAgainCarriesOnlyTheNewReason) {
  const DeadLetter first = ParseDeadLetter(Consumed(MakeDeadLetter(kFailed, "first", 1), 0, 0));
  ConsumedMessage replayed = first.record;  // e.g. copied back with a generic Kafka tool
  replayed.topic = kFailed.topic;
  replayed.partition = 2;
  replayed.offset = 99;
  const DeadLetter second = ParseDeadLetter(Consumed(MakeDeadLetter(replayed, "second", 5), 0, 1));
  EXPECT_EQ(second.error, "second");
  EXPECT_EQ(second.original_offset, 99);
  size_t error_headers = 0;
  for (const auto& header : second.record.headers) error_headers += header.first == kHeaderError;
  EXPECT_EQ(error_headers, 1u);
}

TEST(DeadLettersTest, ARecordWithoutDeadLetterHeadersIsRejected) {
  EXPECT_THROW((void)ParseDeadLetter(kFailed), InvalidArgument);
}

TEST(DeadLettersTest, UnreadableNumbersFallBackToUnknown) {
  ConsumedMessage record = Consumed(MakeDeadLetter(kFailed, "boom", 1), 0, 0);
  for (auto& [name, value] : record.headers) {
    if (name == kHeaderOriginalOffset) value = "12x";
  }
  EXPECT_EQ(ParseDeadLetter(record).original_offset, -1);
}

}  // namespace
}  // namespace orderly::messaging
