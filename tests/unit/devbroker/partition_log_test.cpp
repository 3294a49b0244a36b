#include "partition_log.h"

#include <gtest/gtest.h>

#include "wire.h"

namespace orderly::devbroker {
namespace {

// A v2 RecordBatch header holding `count` records, padded with `tag` so batches tell apart.
std::string Batch(int32_t count, char tag, size_t size = 80) {
  std::string batch(size, tag);
  PatchInt64(batch, 0, -1);  // BaseOffset, set by the log
  batch[16] = 2;             // magic
  PatchInt32(batch, 57, count);
  return batch;
}

int64_t BaseOffsetOf(const std::string& records, size_t at = 0) {
  WireReader reader(std::string_view(records).substr(at, 8));
  return reader.Int64();
}

TEST(PartitionLogTest, AppendedBatchesAreReadFromTheOneHoldingTheOffset) {
  PartitionLog log(1 << 20);
  log.Append(0, Batch(2, 'a'));
  log.Append(2, Batch(3, 'b'));
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

TEST(PartitionLogTest, TheEndMovesOnlyOverConsecutiveBatches) {
  PartitionLog log(1 << 20);
  log.Append(0, Batch(1, 'a'));
  log.Append(3, Batch(1, 'c'));  // acknowledged before the batch at 1..2
  EXPECT_EQ(log.offsets().end, 1);
  std::string records;
  LogOffsets at;
  ASSERT_TRUE(log.Read(1, 1 << 20, &records, &at));
  EXPECT_TRUE(records.empty());
  log.Append(1, Batch(2, 'b'));
  EXPECT_EQ(log.offsets().end, 4);
  ASSERT_TRUE(log.Read(1, 1 << 20, &records, &at));
  EXPECT_EQ(records.size(), 160u);
}

TEST(PartitionLogTest, AReadTakesWholeBatchesWithinItsBudgetButAlwaysOne) {
  PartitionLog log(1 << 20);
  log.Append(0, Batch(1, 'a', 100));
  log.Append(1, Batch(1, 'b', 100));
  std::string records;
  LogOffsets at;
  ASSERT_TRUE(log.Read(0, 150, &records, &at));
  EXPECT_EQ(records.size(), 100u);
  ASSERT_TRUE(log.Read(0, 10, &records, &at));
  EXPECT_EQ(records.size(), 100u);
}

TEST(PartitionLogTest, OffsetsOutsideTheLogAreOutOfRangeAndTheEndIsEmpty) {
  PartitionLog log(1 << 20);
  log.Append(0, Batch(2, 'a'));
  std::string records;
  LogOffsets at;
  EXPECT_FALSE(log.Read(3, 1 << 20, &records, &at));
  EXPECT_FALSE(log.Read(-1, 1 << 20, &records, &at));
  ASSERT_TRUE(log.Read(2, 1 << 20, &records, &at));
  EXPECT_TRUE(records.empty());
}

TEST(PartitionLogTest, RetentionDropsTheOldestBatchesButKeepsTheLast) {
  PartitionLog log(250);
  for (int64_t i = 0; i < 5; ++i) log.Append(i, Batch(1, static_cast<char>('a' + i), 100));
  EXPECT_EQ(log.offsets().start, 3);
  EXPECT_EQ(log.offsets().end, 5);
  std::string records;
  LogOffsets at;
  EXPECT_FALSE(log.Read(2, 1 << 20, &records, &at));
  PartitionLog tiny(10);
  tiny.Append(0, Batch(1, 'a', 100));
  tiny.Append(1, Batch(1, 'b', 100));
  EXPECT_EQ(tiny.offsets().start, 1);
  EXPECT_EQ(tiny.offsets().end, 2);
}

TEST(PartitionLogTest, WhatIsNotARecordBatchOrHasNoOffsetIsIgnored) {
  PartitionLog log(1 << 20);
  log.Append(-1, Batch(1, 'a'));  // a duplicate the broker acknowledged without an offset
  std::string old_format = Batch(1, 'a');
  old_format[16] = 1;
  log.Append(0, old_format);
  log.Append(0, "short");
  log.Append(0, Batch(0, 'a'));
  EXPECT_EQ(log.offsets().end, 0);
}

TEST(PartitionLogTest, AnAppendWakesItsWaitersUntilTheyAreRemoved) {
  PartitionLog log(1 << 20);
  Waiter waiter;
  log.AddWaiter(&waiter);
  log.Append(0, Batch(1, 'a'));
  EXPECT_TRUE(waiter.WaitUntil(std::chrono::steady_clock::now()));
  log.RemoveWaiter(&waiter);
  log.Append(1, Batch(1, 'b'));
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
