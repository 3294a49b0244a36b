#include "messaging_fixture.h"
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
