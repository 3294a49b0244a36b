#include "devbroker_process.h"
#include "messaging_fixture.h"
#include "test_env.h"

namespace orderly::messaging {
namespace {

using orderly::testing::UniqueName;
using orderly::testing::WaitUntil;

TEST_F(MessagingTest, RelayKeepsRowsWhileTheBrokerIsDownAndDeliversAllAfter) {
  orderly::testing::DevbrokerProcess broker;  // private: taking it down disturbs no other test
  kafka_.brokers = broker.bootstrap();
  const std::string topic = UniqueName("outage");
  OutboxRelay relay(cluster_, producer(), outbox_);
  WriteOutbox(topic, "order-before");
  ASSERT_TRUE(WaitUntil([&] { return relay.published() == 1; }));

  // One key, so they must arrive in this order: the first ones fail on their way out, the later
  // ones wait in the table behind them.
  broker.SetDown();
  std::vector<std::string> during;
  for (int i = 0; i < 3; ++i) during.push_back(WriteOutbox(topic, "order-during").message_id());
  ASSERT_TRUE(WaitUntil([&] { return relay.failed_batches() >= 1; }, std::chrono::seconds(30)));
  for (int i = 0; i < 2; ++i) during.push_back(WriteOutbox(topic, "order-during").message_id());
  EXPECT_EQ(UnsentRows(), 5);

  broker.SetUp();
  ASSERT_TRUE(WaitUntil([&] { return UnsentRows() == 0; }, std::chrono::seconds(60))) << UnsentRows();
  const auto consumer = Consume(UniqueName("group"), topic, RecordingHandler("outage-test"));
  EXPECT_TRUE(WaitUntil([&] { return Effects() == 6; }, std::chrono::seconds(30))) << Effects();
  EXPECT_EQ(EffectsOf("order-during"), during);
}

}  // namespace
}  // namespace orderly::messaging
