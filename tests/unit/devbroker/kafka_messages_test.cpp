#include "kafka_messages.h"

#include <gtest/gtest.h>

#include "wire.h"

namespace orderly::devbroker {
namespace {

std::string Batch(int32_t count, char tag) {
  std::string batch(70, tag);
  PatchInt64(batch, 0, -1);
  batch[16] = 2;
  PatchInt64(batch, 43, -1);  // no producer id: not idempotent
  PatchInt32(batch, 57, count);
  return batch;
}

// A request frame's header (v1) for `key` at `version`, correlation id 42, client id "test".
WireWriter Request(ApiKey key, int16_t version) {
  WireWriter out;
  out.Int16(static_cast<int16_t>(key));
  out.Int16(version);
  out.Int32(42);
  out.String("test");
  return out;
}

// A Produce (v7) of two batches to "orders": 2 records to partition 0, 1 record to partition 1.
std::string Produce(int16_t acks) {
  WireWriter out = Request(ApiKey::kProduce, 7);
  out.Int16(-1);  // no transactional id
  out.Int16(acks);
  out.Int32(1000);
  out.Int32(1);
  out.String("orders");
  out.Int32(2);
  out.Int32(0);
  out.Bytes(Batch(2, 'a'));
  out.Int32(1);
  out.Bytes(Batch(1, 'b'));
  return std::move(out.out());
}

struct ProducedPartition {
  int32_t partition;
  int16_t error;
  int64_t base;
};

std::vector<ProducedPartition> ReadProduceAnswer(const std::string& frame) {
  WireReader reader(frame);
  EXPECT_EQ(reader.Int32(), 42);  // correlation id
  EXPECT_EQ(reader.ArrayCount(), 1);
  EXPECT_EQ(reader.String(), "orders");
  std::vector<ProducedPartition> partitions;
  for (int32_t p = reader.ArrayCount(); p > 0; --p) {
    ProducedPartition produced{reader.Int32(), reader.Int16(), reader.Int64()};
    (void)reader.Int64();  // log append time
    (void)reader.Int64();  // log start offset
    partitions.push_back(produced);
  }
  EXPECT_EQ(reader.Int32(), 0);  // throttle
  EXPECT_TRUE(reader.done());
  return partitions;
}

std::string Fetch(int64_t offset, int32_t partition = 0) {
  WireWriter out = Request(ApiKey::kFetch, 11);
  out.Int32(-1);   // replica
  out.Int32(500);  // max wait
  out.Int32(1);    // min bytes
  out.Int32(1 << 20);
  out.Int8(1);     // read committed
  out.Int32(0);    // session id
  out.Int32(-1);   // session epoch
  out.Int32(1);
  out.String("orders");
  out.Int32(1);
  out.Int32(partition);
  out.Int32(-1);  // current leader epoch
  out.Int64(offset);
  out.Int64(-1);  // log start offset
  out.Int32(1 << 20);
  out.Int32(0);  // forgotten topics
  out.String("");
  return std::move(out.out());
}

struct FetchedPartition {
  int32_t partition;
  int16_t error;
  int64_t high_watermark;
  int64_t log_start;
  std::string records;
};

FetchedPartition ReadFetchAnswer(const std::string& frame) {
  WireReader reader(frame);
  EXPECT_EQ(reader.Int32(), 42);  // correlation id
  EXPECT_EQ(reader.Int32(), 0);   // throttle
  EXPECT_EQ(reader.Int16(), 0);   // error
  EXPECT_EQ(reader.Int32(), 0);   // session id
  EXPECT_EQ(reader.ArrayCount(), 1);
  EXPECT_EQ(reader.String(), "orders");
  EXPECT_EQ(reader.ArrayCount(), 1);
  FetchedPartition fetched;
  fetched.partition = reader.Int32();
  fetched.error = reader.Int16();
  fetched.high_watermark = reader.Int64();
  EXPECT_EQ(reader.Int64(), fetched.high_watermark);  // last stable offset: no transactions
  fetched.log_start = reader.Int64();
  EXPECT_EQ(reader.ArrayCount(), 0);  // aborted transactions
  EXPECT_EQ(reader.Int32(), -1);      // preferred read replica
  fetched.records = std::string(reader.Bytes());
  EXPECT_TRUE(reader.done());
  return fetched;
}

TEST(KafkaMessagesTest, AProducedBatchGetsTheNextOffsetAndIsServedToFetches) {
  LogStore logs(1 << 20);
  ASSERT_EQ(logs.Get("orders", 0).Append(Batch(7, 'z')).base, 0);  // what earlier producers wrote
  const std::string produce = Produce(-1);
  const RequestHeader header = ParseRequestHeader(produce);
  ASSERT_TRUE(AnsweredLocally(header));
  const std::vector<ProducedPartition> produced = ReadProduceAnswer(AnswerProduce(header, produce, logs));
  ASSERT_EQ(produced.size(), 2u);
  EXPECT_EQ(produced[0].partition, 0);
  EXPECT_EQ(produced[0].error, 0);
  EXPECT_EQ(produced[0].base, 7);
  EXPECT_EQ(produced[1].partition, 1);
  EXPECT_EQ(produced[1].error, 3);  // no metadata answer named partition 1: unknown
  EXPECT_EQ(logs.Find("orders", 1), nullptr);

  const std::string fetch = Fetch(8);
  const RequestHeader fetch_header = ParseRequestHeader(fetch);
  ASSERT_TRUE(AnsweredLocally(fetch_header));
  const FetchAnswer answer = AnswerFetch(fetch_header, ParseFetch(fetch_header, fetch), logs);
  EXPECT_FALSE(answer.errors);
  EXPECT_EQ(answer.record_bytes, 70u);
  const FetchedPartition fetched = ReadFetchAnswer(answer.frame);
  EXPECT_EQ(fetched.error, 0);
  EXPECT_EQ(fetched.records.size(), 70u);
  EXPECT_EQ(WireReader(fetched.records).Int64(), 7);  // the base offset it got
}

TEST(KafkaMessagesTest, AProduceWithoutAcknowledgementsIsAppendedAndGetsNoAnswer) {
  LogStore logs(1 << 20);
  (void)logs.Get("orders", 0);
  const std::string produce = Produce(0);
  EXPECT_TRUE(AnswerProduce(ParseRequestHeader(produce), produce, logs).empty());
  EXPECT_EQ(logs.Get("orders", 0).offsets().end, 2);
}

TEST(KafkaMessagesTest, FetchesOutOfRangeOrOfUnknownPartitionsAnswerWithTheirError) {
  LogStore logs(1 << 20);
  ASSERT_EQ(logs.Get("orders", 0).Append(Batch(2, 'a')).error, 0);
  for (const auto& [offset, partition, error] :
       {std::tuple{int64_t{5}, 0, int16_t{1}}, std::tuple{int64_t{0}, 9, int16_t{3}}}) {
    const std::string fetch = Fetch(offset, partition);
    const RequestHeader header = ParseRequestHeader(fetch);
    const FetchAnswer answer = AnswerFetch(header, ParseFetch(header, fetch), logs);
    EXPECT_TRUE(answer.errors);
    EXPECT_EQ(ReadFetchAnswer(answer.frame).error, error) << "partition " << partition << " offset " << offset;
  }
  const std::string at_end = Fetch(2);
  const RequestHeader header = ParseRequestHeader(at_end);
  const FetchAnswer answer = AnswerFetch(header, ParseFetch(header, at_end), logs);
  EXPECT_FALSE(answer.errors);
  EXPECT_EQ(answer.record_bytes, 0u);
  const FetchedPartition fetched = ReadFetchAnswer(answer.frame);
  EXPECT_EQ(fetched.high_watermark, 2);
  EXPECT_EQ(fetched.log_start, 0);
}

TEST(KafkaMessagesTest, ListOffsetsAnswersTheEarliestAndLatestOffsets) {
  LogStore logs(1 << 20);
  ASSERT_EQ(logs.Get("orders", 0).Append(Batch(4, 'a')).error, 0);
  WireWriter out = Request(ApiKey::kListOffsets, 5);
  out.Int32(-1);
  out.Int8(1);
  out.Int32(1);
  out.String("orders");
  out.Int32(3);
  for (const auto& [partition, timestamp] : {std::pair{0, int64_t{-1}}, std::pair{0, int64_t{-2}}, std::pair{4, int64_t{-1}}}) {
    out.Int32(partition);
    out.Int32(-1);
    out.Int64(timestamp);
  }
  const std::string frame = std::move(out.out());
  const RequestHeader header = ParseRequestHeader(frame);
  ASSERT_TRUE(AnsweredLocally(header));
  const std::string answer = AnswerListOffsets(header, frame, logs);
  WireReader reader(answer);
  EXPECT_EQ(reader.Int32(), 42);
  EXPECT_EQ(reader.Int32(), 0);
  EXPECT_EQ(reader.ArrayCount(), 1);
  EXPECT_EQ(reader.String(), "orders");
  EXPECT_EQ(reader.ArrayCount(), 3);
  for (const auto& [partition, error, offset] :
       {std::tuple{0, int16_t{0}, int64_t{4}}, std::tuple{0, int16_t{0}, int64_t{0}}, std::tuple{4, int16_t{3}, int64_t{-1}}}) {
    EXPECT_EQ(reader.Int32(), partition);
    EXPECT_EQ(reader.Int16(), error);
    EXPECT_EQ(reader.Int64(), -1);  // timestamp
    EXPECT_EQ(reader.Int64(), offset);
    EXPECT_EQ(reader.Int32(), -1);  // leader epoch
  }
  EXPECT_TRUE(reader.done());
}

TEST(KafkaMessagesTest, MetadataAnswersPointAtDevbrokersPortsAndNameTheirPartitions) {
  LogStore logs(1 << 20);
  WireWriter out;
  out.Int32(42);
  out.Int32(1);  // brokers
  out.Int32(1);
  out.String("127.0.0.1");
  out.Int32(41234);  // the mock's port
  out.Int16(-1);     // rack
  out.Int16(-1);     // cluster id
  out.Int32(1);      // controller
  out.Int32(1);      // topics
  out.Int16(0);
  out.String("orders");
  out.Int8(0);
  out.Int32(2);
  for (int32_t partition = 0; partition < 2; ++partition) {
    out.Int16(0);
    out.Int32(partition);
    out.Int32(1);
    out.Int32(1);
    out.Int32(1);
    out.Int32(1);
    out.Int32(1);
  }
  std::string response = std::move(out.out());
  RequestHeader header;
  header.api_key = static_cast<int16_t>(ApiKey::kMetadata);
  header.api_version = 2;
  RewriteMetadata(header, response, {{41234, 19092}}, logs);
  WireReader reader(response);
  reader.Skip(4 + 4 + 4);
  EXPECT_EQ(reader.String(), "127.0.0.1");
  EXPECT_EQ(reader.Int32(), 19092);
  EXPECT_NE(logs.Find("orders", 1), nullptr);
}

TEST(KafkaMessagesTest, ATruncatedFrameIsAWireErrorNotAReadPastIt) {
  LogStore logs(1 << 20);
  const std::string produce = Produce(-1);
  const RequestHeader header = ParseRequestHeader(produce);
  for (size_t cut : {size_t{0}, size_t{5}, produce.size() / 2, produce.size() - 1}) {
    if (cut < header.body_at) {
      EXPECT_THROW((void)ParseRequestHeader(produce.substr(0, cut)), WireError) << cut;
    } else {
      EXPECT_THROW((void)AnswerProduce(header, produce.substr(0, cut), logs), WireError) << cut;
    }
  }
  WireWriter negative;
  negative.Int32(-5);
  EXPECT_THROW((void)WireReader(negative.out()).Bytes(), WireError);
}

TEST(KafkaMessagesTest, FindCoordinatorNamesTheGroupItLooksUpButNotATransactionalId) {
  for (const auto& [version, key_type, group] :
       {std::tuple{int16_t{0}, int8_t{0}, true}, std::tuple{int16_t{2}, int8_t{0}, true},
        std::tuple{int16_t{2}, int8_t{1}, false}}) {
    WireWriter out = Request(ApiKey::kFindCoordinator, version);
    out.String("orderly-inventory");
    if (version >= 1) out.Int8(key_type);
    const std::string frame = std::move(out.out());
    const std::optional<std::string> found = FindCoordinatorGroup(ParseRequestHeader(frame), frame);
    EXPECT_EQ(found, group ? std::optional<std::string>("orderly-inventory") : std::nullopt) << version;
  }
}

TEST(KafkaMessagesTest, OnlyTheVersionsItImplementsAreAnsweredLocally) {
  RequestHeader header;
  header.api_key = static_cast<int16_t>(ApiKey::kFetch);
  header.api_version = 3;
  EXPECT_FALSE(AnsweredLocally(header));
  header.api_version = 12;
  EXPECT_FALSE(AnsweredLocally(header));
  header.api_key = static_cast<int16_t>(ApiKey::kProduce);
  header.api_version = 2;
  EXPECT_FALSE(AnsweredLocally(header));
  header.api_version = 7;
  EXPECT_TRUE(AnsweredLocally(header));
}

}  // namespace
}  // namespace orderly::devbroker
