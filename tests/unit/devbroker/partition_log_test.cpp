#include "partition_log.h"

#include <gtest/gtest.h>

#include "wire.h"

namespace orderly::devbroker {
namespace {

// A v2 RecordBatch header holding `count` records, padded with `tag` so batches tell apart; without
// a producer id, as a producer that is not idempotent sends it.
std::string Batch(int32_t count, char tag, size_t size = 80) {
  std::string batch(size, tag);
  PatchInt64(batch, 0, -1);  // BaseOffset, set by the log
  batch[16] = 2;             // magic
  PatchInt64(batch, 43, -1);  // ProducerId
  PatchInt32(batch, 57, count);
  return batch;
}

// A batch of an idempotent producer: its id, epoch and the sequence of its first record.
std::string Sequenced(int32_t count, int64_t producer_id, int16_t epoch, int32_t sequence) {
  std::string batch = Batch(count, 'p');
  PatchInt64(batch, 43, producer_id);
  batch[51] = static_cast<char>(epoch >> 8);
  batch[52] = static_cast<char>(epoch & 0xff);
  PatchInt32(batch, 53, sequence);
  return batch;
}

constexpr int16_t kCorruptMessage = 2;
constexpr int16_t kOutOfOrderSequence = 45;
constexpr int16_t kInvalidProducerEpoch = 47;

int64_t BaseOffsetOf(const std::string& records, size_t at = 0) {
  WireReader reader(std::string_view(records).substr(at, 8));
  return reader.Int64();
}

TEST(PartitionLogTest, AppendedBatchesAreReadFromTheOneHoldingTheOffset) {
  PartitionLog log(1 << 20);
  EXPECT_EQ(log.Append(Batch(2, 'a')).base, 0);
  EXPECT_EQ(log.Append(Batch(3, 'b')).base, 2);
  std::string records;
  LogOffsets at;
  ASSERT_TRUE(log.Read(3, 1 << 20, &records, &at));
  EXPECT_EQ(records.size(), 80u);  // the batch of offsets 2..4 only
  EXPECT_EQ(BaseOffsetOf(records), 2);
  EXPECT_EQ(records[20], 'b');
  EXPECT_EQ(at.start, 0);
  EXPECT_EQ(at.end, 5);
  ASSERT_TRUE(log.Read(0, 1 << 20, &records, &at));
  EXPECT_EQ(records.size(), 160u);
}

TEST(PartitionLogTest, AnIdempotentProducersBatchSentAgainKeepsItsOffsetAndIsAppendedOnce) {
  PartitionLog log(1 << 20);
  EXPECT_EQ(log.Append(Batch(1, 'a')).base, 0);
  EXPECT_EQ(log.Append(Sequenced(2, 7, 0, 0)).base, 1);
  EXPECT_EQ(log.Append(Sequenced(3, 7, 0, 2)).base, 3);
  const Produced again = log.Append(Sequenced(2, 7, 0, 0));  // its answer was lost: sent again
  EXPECT_EQ(again.error, 0);
  EXPECT_EQ(again.base, 1);
  EXPECT_EQ(log.Append(Sequenced(3, 7, 0, 2)).base, 3);
  EXPECT_EQ(log.offsets().end, 6);
  EXPECT_EQ(log.Append(Sequenced(1, 7, 0, 5)).base, 6);
  EXPECT_EQ(log.Append(Sequenced(1, 8, 0, 0)).base, 7);  // another producer, its own sequence
  EXPECT_EQ(log.offsets().end, 8);
}

TEST(PartitionLogTest, ABatchOutOfSequenceOrOfAnOlderEpochIsRefusedAndANewEpochStartsOver) {
  PartitionLog log(1 << 20);
  ASSERT_EQ(log.Append(Sequenced(2, 7, 1, 0)).base, 0);
  EXPECT_EQ(log.Append(Sequenced(1, 7, 1, 3)).error, kOutOfOrderSequence);  // 2 is missing
  EXPECT_EQ(log.Append(Sequenced(1, 7, 0, 2)).error, kInvalidProducerEpoch);
  EXPECT_EQ(log.offsets().end, 2);
  EXPECT_EQ(log.Append(Sequenced(1, 7, 2, 0)).base, 2);  // the producer bumped its epoch
  EXPECT_EQ(log.Append(Sequenced(1, 7, 2, 1)).base, 3);
  EXPECT_EQ(log.Append(Sequenced(1, 7, 1, 2)).error, kInvalidProducerEpoch);
  EXPECT_EQ(log.offsets().end, 4);
}

TEST(PartitionLogTest, AReadTakesWholeBatchesWithinItsBudgetButAlwaysOne) {
  PartitionLog log(1 << 20);
  (void)log.Append(Batch(1, 'a', 100));
  (void)log.Append(Batch(1, 'b', 100));
  std::string records;
  LogOffsets at;
  ASSERT_TRUE(log.Read(0, 150, &records, &at));
  EXPECT_EQ(records.size(), 100u);
  ASSERT_TRUE(log.Read(0, 10, &records, &at));
  EXPECT_EQ(records.size(), 100u);
}

TEST(PartitionLogTest, OffsetsOutsideTheLogAreOutOfRangeAndTheEndIsEmpty) {
  PartitionLog log(1 << 20);
  (void)log.Append(Batch(2, 'a'));
  std::string records;
  LogOffsets at;
  EXPECT_FALSE(log.Read(3, 1 << 20, &records, &at));
  EXPECT_FALSE(log.Read(-1, 1 << 20, &records, &at));
  ASSERT_TRUE(log.Read(2, 1 << 20, &records, &at));
  EXPECT_TRUE(records.empty());
}

TEST(PartitionLogTest, RetentionDropsTheOldestBatchesButKeepsTheLast) {
  PartitionLog log(250);
  for (int i = 0; i < 5; ++i) (void)log.Append(Batch(1, static_cast<char>('a' + i), 100));
  EXPECT_EQ(log.offsets().start, 3);
  EXPECT_EQ(log.offsets().end, 5);
  std::string records;
  LogOffsets at;
  EXPECT_FALSE(log.Read(2, 1 << 20, &records, &at));
  PartitionLog tiny(10);
  (void)tiny.Append(Batch(1, 'a', 100));
  (void)tiny.Append(Batch(1, 'b', 100));
  EXPECT_EQ(tiny.offsets().start, 1);
  EXPECT_EQ(tiny.offsets().end, 2);
}

TEST(PartitionLogTest, WhatIsNotARecordBatchWithRecordsIsRefused) {
  PartitionLog log(1 << 20);
  std::string old_format = Batch(1, 'a');
  old_format[16] = 1;
  EXPECT_EQ(log.Append(old_format).error, kCorruptMessage);
  EXPECT_EQ(log.Append("short").error, kCorruptMessage);
  EXPECT_EQ(log.Append(Batch(0, 'a')).error, kCorruptMessage);
  EXPECT_EQ(log.offsets().end, 0);
}

TEST(PartitionLogTest, AnAppendWakesItsWaitersUntilTheyAreRemoved) {
  PartitionLog log(1 << 20);
  Waiter waiter;
  log.AddWaiter(&waiter);
  (void)log.Append(Batch(1, 'a'));
  EXPECT_TRUE(waiter.WaitUntil(std::chrono::steady_clock::now()));
  log.RemoveWaiter(&waiter);
  (void)log.Append(Batch(1, 'b'));
  EXPECT_FALSE(waiter.WaitUntil(std::chrono::steady_clock::now()));
}

TEST(LogStoreTest, FindsOnlyPartitionsItWasToldOf) {
  LogStore logs(1 << 20);
  EXPECT_EQ(logs.Find("t", 0), nullptr);
  PartitionLog& log = logs.Get("t", 0);
  EXPECT_EQ(logs.Find("t", 0), &log);
  EXPECT_EQ(&logs.Get("t", 0), &log);
  EXPECT_EQ(logs.Find("t", 1), nullptr);
}

}  // namespace
}  // namespace orderly::devbroker
