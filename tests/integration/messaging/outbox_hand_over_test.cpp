#include <latch>
#include <stdexcept>
#include <thread>

#include "messaging_fixture.h"
#include "test_env.h"

namespace orderly::messaging {
namespace {

using orderly::testing::TestPlatform;
using orderly::testing::UniqueName;
using orderly::testing::WaitUntil;

class OutboxHandOverTest : public MessagingTest {
 protected:
  // Starts a relay once an hour-old row that no process handed over (written through `other_`, a
  // second view of the schema with no relay) is in the table, and waits until its sweep sent it.
  std::unique_ptr<OutboxRelay> StartRelayAfterAnOrphan() {
    WriteOutbox(topic_, "order-orphan-before", &other_);
    for (size_t shard = 0; shard < cluster_.shard_count(); ++shard) {
      cluster_.Transact(shard, [](pg::Transaction& tx) { tx.Exec("UPDATE outbox SET created_at = now() - interval '1 hour'"); });
    }
    auto relay = std::make_unique<OutboxRelay>(cluster_, producer(), outbox_);
    EXPECT_TRUE(WaitUntil([&] { return relay->published() == 1; }));
    return relay;
  }

  std::string topic_ = UniqueName("handover");
  pg::Cluster other_{TestPlatform().postgres, schema_};
};

TEST_F(OutboxHandOverTest, ACommittedRowGoesOutWithoutTheRelayReadingTheTable) {
  outbox_.poll_interval = std::chrono::milliseconds(20);
  outbox_.orphan_after = std::chrono::minutes(10);  // the sweep takes none of the rows written below
  const auto relay = StartRelayAfterAnOrphan();
  for (int i = 0; i < 5; ++i) WriteOutbox(topic_, "order-" + std::to_string(i));
  EXPECT_TRUE(WaitUntil([&] { return UnsentRows() == 0; })) << UnsentRows() << " rows unsent";
  EXPECT_EQ(relay->published(), 6u);
  const auto consumer = Consume(UniqueName("group"), topic_, RecordingHandler("handover-test"));
  EXPECT_TRUE(WaitUntil([&] { return Effects() == 6; })) << Effects();
}

TEST_F(OutboxHandOverTest, ARowNobodyHandedOverIsSweptOnceOldEnough) {
  outbox_.poll_interval = std::chrono::milliseconds(20);
  outbox_.orphan_after = std::chrono::milliseconds(200);
  const auto relay = StartRelayAfterAnOrphan();
  WriteOutbox(topic_, "order-orphan-after", &other_);  // a process that crashed before handing it over
  EXPECT_TRUE(WaitUntil([&] { return UnsentRows() == 0; })) << UnsentRows() << " rows unsent";
  EXPECT_EQ(relay->published(), 2u);
}

TEST_F(OutboxHandOverTest, RowsCommittedAfterStopWaitForTheNextRelay) {
  outbox_.poll_interval = std::chrono::milliseconds(20);
  outbox_.orphan_after = std::chrono::milliseconds(200);
  auto relay = StartRelayAfterAnOrphan();
  relay->Stop();
  WriteOutbox(topic_, "order-after-stop");
  EXPECT_EQ(UnsentRows(), 1);
  relay = std::make_unique<OutboxRelay>(cluster_, producer(), outbox_);
  EXPECT_TRUE(WaitUntil([&] { return UnsentRows() == 0; })) << UnsentRows() << " rows unsent";
}

TEST_F(OutboxHandOverTest, ARowWaitsForRowsWhoseCommitBeganFirstWhileARolledBackOneHoldsNothingUp) {
  outbox_.poll_interval = std::chrono::milliseconds(20);
  outbox_.orphan_after = std::chrono::minutes(10);  // only the hand-over sends the rows below
  const auto relay = StartRelayAfterAnOrphan();
  const std::string order = "order-in-commit-order";
  const auto envelope = [&] {
    v1::OrderConfirmed event;
    event.set_order_id(order);
    return MakeEnvelope(event, {order, "", "", "", ""}, ids_, clock_);
  };
  const v1::Envelope first = envelope();
  std::latch first_committing(1);
  std::latch second_committed(1);
  // The first row's transaction takes its place in the commit order, then waits before its COMMIT.
  std::thread first_writer([&] {
    cluster_.Transact(cluster_.ShardFor(order), [&](pg::Transaction& tx) {
      AppendToOutbox(tx, topic_, first);
      tx.BeforeCommit([&] {
        first_committing.count_down();
        second_committed.wait();
      });
    });
  });
  first_committing.wait();
  EXPECT_THROW(cluster_.Transact(cluster_.ShardFor(order),
                                 [&](pg::Transaction& tx) {
                                   AppendToOutbox(tx, topic_, envelope());
                                   tx.BeforeCommit([] { throw std::runtime_error("rolled back before its COMMIT"); });
                                 }),
               std::runtime_error);
  const v1::Envelope second = WriteOutbox(topic_, order);  // commits while the first has not
  second_committed.count_down();
  first_writer.join();
  const auto consumer = Consume(UniqueName("group"), topic_, RecordingHandler("handover-order-test"));
  EXPECT_TRUE(WaitUntil([&] { return EffectsOf(order).size() == 2; })) << EffectsOf(order).size();
  EXPECT_EQ(EffectsOf(order), (std::vector<std::string>{first.message_id(), second.message_id()}));
  EXPECT_TRUE(WaitUntil([&] { return UnsentRows() == 0; })) << UnsentRows() << " rows unsent";
}

TEST_F(OutboxHandOverTest, AConditionalRowIsQueuedOnlyWhereItsConditionHeldAndAnUnqueuedOneHoldsNothingUp) {
  outbox_.poll_interval = std::chrono::milliseconds(20);
  outbox_.orphan_after = std::chrono::minutes(10);  // only the hand-over sends the rows below
  const auto relay = StartRelayAfterAnOrphan();
  const std::string order = "order-conditional";
  v1::OrderConfirmed event;
  event.set_order_id(order);
  const v1::Envelope skipped = MakeEnvelope(event, {order, "", "", "", ""}, ids_, clock_);
  const v1::Envelope queued = MakeEnvelope(event, {order, "", "", "", ""}, ids_, clock_);
  const auto append = [&](pg::Transaction& tx, const v1::Envelope& envelope, bool wanted) {
    return AppendToOutboxWith(tx, topic_, envelope, "wanted AS (SELECT $5::boolean AS yes)", {wanted},
                              "(SELECT yes FROM wanted)");
  };
  cluster_.Transact(cluster_.ShardFor(order), [&](pg::Transaction& tx) {
    EXPECT_TRUE(append(tx, skipped, false).empty());
    EXPECT_EQ(append(tx, queued, true).size(), 1u);
  });
  const v1::Envelope after = WriteOutbox(topic_, order);
  const auto consumer = Consume(UniqueName("group"), topic_, RecordingHandler("handover-conditional-test"));
  EXPECT_TRUE(WaitUntil([&] { return EffectsOf(order).size() == 2; })) << EffectsOf(order).size();
  EXPECT_EQ(EffectsOf(order), (std::vector<std::string>{queued.message_id(), after.message_id()}));
  EXPECT_TRUE(WaitUntil([&] { return UnsentRows() == 0; })) << UnsentRows() << " rows unsent";
  EXPECT_EQ(relay->published(), 3u);
}

}  // namespace
}  // namespace orderly::messaging
