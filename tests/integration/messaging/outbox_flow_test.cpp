#include "messaging_fixture.h"
#include "orderly/common/clock.h"
#include "orderly/common/ids.h"
#include "orderly/messaging/topic_admin.h"
#include "orderly/metrics/registry.h"
#include "test_env.h"

namespace orderly::messaging {
namespace {

using orderly::testing::UniqueName;
using orderly::testing::WaitUntil;

constexpr int kMessages = 20;

class OutboxFlowTest : public MessagingTest {
 protected:
  // Writes kMessages outbox rows over both shards and waits until the relay published them all.
  void PublishThroughOutbox() {
    OutboxRelay relay(cluster_, producer(), outbox_);
    for (int i = 0; i < kMessages; ++i) WriteOutbox(topic_, "order-" + std::to_string(i));
    ASSERT_TRUE(WaitUntil([&] { return UnsentRows() == 0; })) << UnsentRows() << " rows unsent";
    EXPECT_EQ(relay.published(), static_cast<uint64_t>(kMessages));
  }

  std::string topic_ = UniqueName("flow");
};

TEST_F(OutboxFlowTest, EveryOutboxRowReachesTheConsumerOnce) {
  PublishThroughOutbox();
  const auto consumer = Consume(UniqueName("group"), topic_, RecordingHandler("flow-test"));
  EXPECT_TRUE(WaitUntil([&] { return Effects() == kMessages; })) << Effects();
  EXPECT_TRUE(WaitUntil([&] { return consumer->handled() == kMessages; }));
}

TEST_F(OutboxFlowTest, AConsumerThatJoinedReportsEveryPartitionOfItsTopicAsAssigned) {
  PublishThroughOutbox();
  const size_t partitions = TopicAdmin(kafka_).EndOffsets({topic_}).size();
  ASSERT_GT(partitions, 0U);
  const std::string group = UniqueName("group");
  const auto consumer = Consume(group, topic_, RecordingHandler("assigned-test"));
  // The series `scripts/dev up` waits for: the sole member of its group holds every partition.
  const std::string series = "orderly_kafka_consumer_assigned_partitions{group=\"" + group + "\"} " +
                             std::to_string(partitions) + "\n";
  EXPECT_TRUE(WaitUntil([&] { return metrics::DefaultRegistry().Expose().find(series) != std::string::npos; }))
      << metrics::DefaultRegistry().Expose();
}

TEST_F(OutboxFlowTest, ReplayingTheTopicHasNoSecondEffect) {
  PublishThroughOutbox();
  {
    const auto first = Consume(UniqueName("group"), topic_, RecordingHandler("replay-test"));
    ASSERT_TRUE(WaitUntil([&] { return first->handled() == kMessages; }));
  }
  // A new group reads the topic from the start, as after an offset reset; same inbox.
  const auto replay = Consume(UniqueName("group"), topic_, RecordingHandler("replay-test"));
  ASSERT_TRUE(WaitUntil([&] { return replay->handled() == kMessages; }));
  EXPECT_EQ(Effects(), kMessages);
}

TEST_F(OutboxFlowTest, AReplayMixingHandledAndNewMessagesHandlesEachNewOneOnce) {
  PublishThroughOutbox();
  {
    const auto first = Consume(UniqueName("group"), topic_, RecordingHandler("mixed-test"));
    ASSERT_TRUE(WaitUntil([&] { return first->handled() == kMessages; }));
  }
  PublishThroughOutbox();
  // The replay's batches hold messages the inbox has next to new ones: a batch's first attempt
  // fails on the former, and its careful rerun must still handle the latter.
  const auto replay = Consume(UniqueName("group"), topic_, RecordingHandler("mixed-test"));
  ASSERT_TRUE(WaitUntil([&] { return replay->handled() == 2 * kMessages; }));
  EXPECT_EQ(Effects(), 2 * kMessages);
}

TEST_F(OutboxFlowTest, DuplicatePublishOfOneMessageHasOneEffect) {
  v1::OrderConfirmed event;
  event.set_order_id("order-dup");
  const v1::Envelope envelope = MakeEnvelope(event, {"order-dup", "", "", "", ""}, ids_, clock_);
  const OutgoingMessage message{topic_, "order-dup", Encode(envelope), {}};
  for (const auto& result : producer().PublishBatch({message, message, message})) ASSERT_TRUE(result.delivered) << result.error;
  const auto consumer = Consume(UniqueName("group"), topic_, RecordingHandler("dup-test"));
  ASSERT_TRUE(WaitUntil([&] { return consumer->handled() == 3; }));
  EXPECT_EQ(Effects(), 1);
}

TEST_F(OutboxFlowTest, RowsPastTheirRetentionAreDeletedAndNewerOnesKept) {
  // UUIDv7 ids expire by the key's range, others (gen_random_uuid: version 4) by the partial index;
  // either way by when the row was received, not when its id was minted.
  const std::string minted_8_days_ago =
      UuidV7Floor(ToUnixMillis(SystemClock::Instance().Now() - std::chrono::hours(8 * 24)));
  for (size_t shard = 0; shard < cluster_.shard_count(); ++shard) {
    cluster_.Transact(shard, [&](pg::Transaction& tx) {
      tx.Exec("INSERT INTO inbox (consumer, message_id, received_at) VALUES "
              "('old', gen_random_uuid(), now() - interval '8 days'), ('old', $1, now() - interval '8 days'), "
              "('recent', gen_random_uuid(), now() - interval '6 days'), ('recent', $1, now() - interval '6 days'), "
              "('recent', $2, now())",
              {minted_8_days_ago, NewUuidV7()});
      tx.Exec("INSERT INTO outbox (topic, message_key, message_id, payload, sent_at) VALUES "
              "('t', 'k', gen_random_uuid(), '', now() - interval '2 hours'), ('t', 'k', gen_random_uuid(), '', now())");
    });
  }
  const auto count = [&](const std::string& sql) {
    int64_t total = 0;
    for (size_t shard = 0; shard < cluster_.shard_count(); ++shard) {
      total += cluster_.Transact(shard, [&](pg::Transaction& tx) { return tx.Exec(sql).One().Int(0); });
    }
    return total;
  };
  outbox_.cleanup_interval = std::chrono::milliseconds(20);
  OutboxRelay relay(cluster_, producer(), outbox_);  // defaults: outbox 1 h, inbox 7 days
  EXPECT_TRUE(WaitUntil([&] { return count("SELECT count(*) FROM inbox WHERE consumer = 'old'") == 0; }));
  EXPECT_TRUE(WaitUntil([&] { return count("SELECT count(*) FROM outbox WHERE sent_at < now() - interval '1 hour'") == 0; }));
  EXPECT_EQ(count("SELECT count(*) FROM inbox WHERE consumer = 'recent'"), 3 * static_cast<int64_t>(cluster_.shard_count()));
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE sent_at > now() - interval '1 hour'"), 2);
}

TEST_F(OutboxFlowTest, RolledBackTransactionPublishesNothing) {
  OutboxRelay relay(cluster_, producer(), outbox_);
  v1::OrderConfirmed event;
  event.set_order_id("order-rolled-back");
  const v1::Envelope envelope = MakeEnvelope(event, {"order-rolled-back", "", "", "", ""}, ids_, clock_);
  EXPECT_THROW(cluster_.Transact(0,
                                 [&](pg::Transaction& tx) {
                                   AppendToOutbox(tx, topic_, envelope);
                                   throw Conflict("the business write lost a race");
                                 }),
               Conflict);
  WriteOutbox(topic_, "order-committed");
  ASSERT_TRUE(WaitUntil([&] { return relay.published() == 1; }));
  EXPECT_EQ(UnsentRows(), 0);
}

}  // namespace
}  // namespace orderly::messaging
