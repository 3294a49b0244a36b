#include <thread>

#include "inventory_fixture.h"
#include "orderly/messaging/envelope.h"
#include "reservations.h"
#include "test_env.h"

namespace orderly::inventory {
namespace {

using messaging::Payload;

class ReservationsTest : public InventoryTest {
 protected:
  // Two skus that live on different shards.
  std::pair<std::string, std::string> SkusOnTwoShards() {
    auto& cluster = *service_.runtime().cluster;
    std::string first = "SKU-A";
    for (int i = 0;; ++i) {
      const std::string candidate = "SKU-B" + std::to_string(i);
      if (cluster.ShardFor(candidate) != cluster.ShardFor(first)) return {first, candidate};
    }
  }
};

TEST_F(ReservationsTest, ReservesLinesOnDifferentShardsThenCommits) {
  const auto [a, b] = SkusOnTwoShards();
  AddProduct(a, 5);
  AddProduct(b, 5);
  Reserve("order-1", {{a, 2}, {b, 3}});
  ASSERT_TRUE(Replies().WaitFor(1));
  EXPECT_EQ(Replies().Received()[0].type(), "orderly.v1.StockReserved");
  EXPECT_EQ(Stock(a).reserved(), 2);
  EXPECT_EQ(Stock(b).reserved(), 3);

  Commit("order-1");
  ASSERT_TRUE(Replies().WaitFor(2));
  EXPECT_EQ(Replies().Received()[1].type(), "orderly.v1.StockCommitted");
  EXPECT_EQ(Stock(a).on_hand(), 3);
  EXPECT_EQ(Stock(a).reserved(), 0);
  EXPECT_EQ(Stock(a).restocked(), 5);
  EXPECT_EQ(Stock(a).committed(), 2);
  EXPECT_EQ(Stock(b).on_hand(), 2);
  EXPECT_EQ(Stock(b).committed(), 3);
}

TEST_F(ReservationsTest, LineThatCannotBeReservedReleasesTheOthersAndIsNamed) {
  const auto [a, b] = SkusOnTwoShards();
  AddProduct(a, 5);
  AddProduct(b, 1);
  const v1::Envelope command = Reserve("order-1", {{a, 2}, {b, 3}});
  ASSERT_TRUE(Replies().WaitFor(1));
  const v1::Envelope reply = Replies().Received()[0];
  ASSERT_EQ(reply.type(), "orderly.v1.StockRejected");
  EXPECT_EQ(reply.causation_id(), command.message_id());
  EXPECT_EQ(reply.order_id(), "order-1");
  const auto rejected = Payload<v1::StockRejected>(reply);
  EXPECT_EQ(rejected.sku(), b);
  EXPECT_EQ(rejected.requested(), 3);
  EXPECT_EQ(rejected.available(), 1);
  EXPECT_EQ(Stock(a).reserved(), 0);
  EXPECT_EQ(Stock(a).on_hand(), 5);
  EXPECT_EQ(Stock(b).reserved(), 0);
}

TEST_F(ReservationsTest, UnknownSkuIsRejectedWithNothingAvailable) {
  AddProduct("SKU-A", 5);
  Reserve("order-1", {{"SKU-A", 1}, {"SKU-NONE", 1}});
  ASSERT_TRUE(Replies().WaitFor(1));
  const auto rejected = Payload<v1::StockRejected>(Replies().Received()[0]);
  EXPECT_EQ(rejected.sku(), "SKU-NONE");
  EXPECT_EQ(rejected.available(), 0);
  EXPECT_EQ(Stock("SKU-A").reserved(), 0);
}

TEST_F(ReservationsTest, RedeliveredCommandsHaveOneEffectAndOneReply) {
  AddProduct("SKU-A", 10);
  const v1::Envelope reserve = Reserve("order-1", {{"SKU-A", 4}});
  service_.SendEnvelope(messaging::kInventoryCommands, reserve);  // same message again
  ASSERT_TRUE(Replies().WaitFor(1));
  const v1::Envelope release = Release("order-1");
  service_.SendEnvelope(messaging::kInventoryCommands, release);
  ASSERT_TRUE(Replies().WaitFor(2));
  const v1::Envelope commit = Commit("order-1");  // after a release, commit finds nothing reserved
  service_.SendEnvelope(messaging::kInventoryCommands, commit);
  ASSERT_TRUE(Replies().WaitFor(3));
  Reserve("order-2", {{"SKU-A", 1}});  // a marker: everything before it has been handled
  ASSERT_TRUE(Replies().WaitFor(4));
  std::vector<std::string> first_order;  // only one order's replies are ordered
  for (const auto& reply : Replies().Received()) {
    if (reply.order_id() == "order-1") first_order.push_back(reply.type());
  }
  EXPECT_EQ(first_order, (std::vector<std::string>{"orderly.v1.StockReserved", "orderly.v1.StockReleased",
                                                   "orderly.v1.StockCommitted"}));
  EXPECT_EQ(Replies().Received().size(), 4u);
  EXPECT_EQ(Stock("SKU-A").on_hand(), 10);
  EXPECT_EQ(Stock("SKU-A").reserved(), 1);
}

TEST_F(ReservationsTest, RepeatedReserveForTheSameOrderGivesTheSameAnswer) {
  AddProduct("SKU-A", 3);
  Reserve("order-1", {{"SKU-A", 2}});
  Reserve("order-1", {{"SKU-A", 2}});  // a new message id, as after an orchestrator retry
  ASSERT_TRUE(Replies().WaitFor(2));
  EXPECT_EQ(Replies().Received()[1].type(), "orderly.v1.StockReserved");
  EXPECT_EQ(Stock("SKU-A").reserved(), 2);
}

TEST_F(ReservationsTest, MalformedCommandGoesToTheDlqAndTheServiceKeepsRunning) {
  AddProduct("SKU-A", 3);
  service_.SendRaw(messaging::kInventoryCommands, "order-x", "garbage");
  v1::ReserveStock empty;
  empty.set_order_id("order-y");  // no lines
  service_.Send(messaging::kInventoryCommands, "order-y", empty);
  Reserve("order-1", {{"SKU-A", 1}});
  ASSERT_TRUE(Replies().WaitFor(1));
  EXPECT_EQ(Replies().Received()[0].order_id(), "order-1");
  std::atomic<int> dead{0};
  messaging::Producer unused(service_.settings().kafka);
  messaging::Consumer reader(service_.settings().kafka, testing::UniqueName("dlq"),
                             {messaging::DeadLetterTopic(service_.Topic(messaging::kInventoryCommands))},
                             [&](const messaging::ConsumedMessage&) { ++dead; }, unused);
  EXPECT_TRUE(testing::WaitUntil([&] { return dead.load() == 2; }));
}

TEST_F(ReservationsTest, RestartedServiceResumesItsConsumerWithoutLoss) {
  AddProduct("SKU-A", 10);
  Reserve("order-0", {{"SKU-A", 1}});
  ASSERT_TRUE(Replies().WaitFor(1));
  service_.Stop();
  for (int i = 1; i <= 3; ++i) Reserve("order-" + std::to_string(i), {{"SKU-A", 1}});
  service_.Start();
  stub_ = v1::InventoryService::NewStub(service_.Channel());
  ASSERT_TRUE(Replies().WaitFor(4));
  EXPECT_EQ(Stock("SKU-A").reserved(), 4);
}

TEST_F(ReservationsTest, RacingOrdersNeverReserveMoreThanOnHand) {
  AddProduct("SKU-LAST", 10);
  Reservations reservations(*service_.runtime().cluster);
  std::atomic<int> reserved{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 32; ++i) {
    racers.emplace_back([&, i] {
      google::protobuf::RepeatedPtrField<v1::OrderLine> lines;
      lines.Add()->set_sku("SKU-LAST");
      lines[0].set_quantity(1);
      // In a transaction on the order's shard, as the consumer runs it: the line may sit on either.
      pg::Cluster& cluster = *service_.runtime().cluster;
      const std::string order_id = "race-" + std::to_string(i);
      const size_t shard = cluster.ShardFor(order_id);
      const bool ok = cluster.Transact(
          shard, [&](pg::Transaction& tx) { return reservations.Reserve(tx, order_id, lines).reserved; });
      if (ok) ++reserved;
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(reserved.load(), 10);
  EXPECT_EQ(Stock("SKU-LAST").reserved(), 10);
  EXPECT_EQ(Stock("SKU-LAST").available(), 0);
}

TEST_F(ReservationsTest, ReturnedUnitsGoBackOnHandOncePerRefundCountedApartFromRestocks) {
  const auto [a, b] = SkusOnTwoShards();
  AddProduct(a, 5);
  AddProduct(b, 5);
  Reserve("order-1", {{a, 2}, {b, 3}});
  Commit("order-1");
  ASSERT_TRUE(Replies().WaitFor(2));
  v1::RestockReturned restock;
  restock.set_order_id("order-1");
  restock.set_refund_id("refund-1");
  for (const auto& [sku, quantity] : {std::pair{a, 1}, std::pair{b, 3}}) {
    auto* line = restock.add_lines();
    line->set_sku(sku);
    line->set_quantity(quantity);
  }
  for (int send = 0; send < 2; ++send) {  // the saga sends it again as a new message
    (void)service_.Send(messaging::kInventoryCommands, "order-1", restock);
  }
  ASSERT_TRUE(Replies().WaitFor(4));
  const auto returned = Payload<v1::StockReturned>(Replies().Received()[2]);
  EXPECT_EQ(returned.refund_id(), "refund-1");
  EXPECT_EQ(Replies().Received()[3].type(), "orderly.v1.StockReturned");
  EXPECT_EQ(Stock(a).on_hand(), 5 - 2 + 1);
  EXPECT_EQ(Stock(a).returned(), 1);
  EXPECT_EQ(Stock(a).restocked(), 5);
  EXPECT_EQ(Stock(b).on_hand(), 5);
  EXPECT_EQ(Stock(b).returned(), 3);
  for (const auto& sku : {a, b}) {
    const v1::Stock stock = Stock(sku);
    EXPECT_EQ(stock.on_hand(), stock.restocked() - stock.committed() + stock.returned()) << sku;
  }
}

}  // namespace
}  // namespace orderly::inventory
