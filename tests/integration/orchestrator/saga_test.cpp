#include <gtest/gtest.h>

#include "orderly/inventory/inventory.h"
#include "orderly/messaging/consumer.h"
#include "orderly/messaging/topics.h"
#include "orderly/orchestrator/orchestrator.h"
#include "orderly/order/order.h"
#include "orderly/payment/payment.h"
#include "orderly/v1/inventory.grpc.pb.h"
#include "orderly/v1/order.grpc.pb.h"
#include "orderly/v1/payment.grpc.pb.h"
#include "orderly/v1/saga.grpc.pb.h"
#include "service_harness.h"
#include "shop_client.h"
#include "test_env.h"

namespace orderly::orchestrator {
namespace {

using testing::ServiceHarness;
using testing::ShopClient;
using testing::WaitUntil;

// All four services in this process, joined by one Kafka prefix. Payment starts only when a test
// says so, to leave authorizations unanswered.
class SagaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    inventory_.Start();
    order_.settings().services.order.inventory.target = inventory_.Address();
    order_.settings().services.order.watch_poll = std::chrono::milliseconds(20);
    order_.Start();
    orchestrator_.settings().services.orchestrator.step_timeout = step_timeout_;
    orchestrator_.settings().services.orchestrator.sweep_interval = std::chrono::milliseconds(50);
    orchestrator_.Start();
    shop_.AddProduct("MUG", 1000, 5);
  }

  std::string Place(const std::string& customer, int quantity) { return shop_.Place(customer, "MUG", quantity); }
  v1::Stock Stock() { return shop_.Stock("MUG"); }

  std::chrono::milliseconds step_timeout_ = std::chrono::seconds(8);
  const std::string prefix_ = testing::UniqueName("saga") + ".";
  ServiceHarness inventory_{inventory::Definition(), prefix_};
  ServiceHarness payment_{payment::Definition(), prefix_};
  ServiceHarness order_{order::Definition(), prefix_};
  ServiceHarness orchestrator_{Definition(), prefix_};
  ShopClient shop_{inventory_.Address(), payment_.Address(), order_.Address(), orchestrator_.Address()};
};

TEST_F(SagaTest, OrdersEndConfirmedOrRejectedForStockOrPayment) {
  payment_.Start();
  shop_.Fund("rich", 100'000);
  shop_.Fund("poor", 500);
  const std::string confirmed = Place("rich", 2);
  const std::string no_stock = Place("rich-too", 9);
  const std::string no_money = Place("poor", 1);

  EXPECT_EQ(shop_.WaitForTerminal(confirmed).status(), v1::ORDER_STATUS_CONFIRMED);
  const v1::Order stock_rejected = shop_.WaitForTerminal(no_stock);
  EXPECT_EQ(stock_rejected.status(), v1::ORDER_STATUS_REJECTED);
  EXPECT_EQ(stock_rejected.reject_reason(), v1::REJECT_REASON_OUT_OF_STOCK);
  const v1::Order payment_rejected = shop_.WaitForTerminal(no_money);
  EXPECT_EQ(payment_rejected.status(), v1::ORDER_STATUS_REJECTED);
  EXPECT_EQ(payment_rejected.reject_reason(), v1::REJECT_REASON_PAYMENT_DECLINED);

  for (const auto& id : {confirmed, no_stock, no_money}) {
    EXPECT_TRUE(WaitUntil([&] { return shop_.Settled(id); }, std::chrono::seconds(30))) << id;
  }
  EXPECT_EQ(shop_.Saga(confirmed).state(), v1::SAGA_STATE_CONFIRMED);
  EXPECT_EQ(shop_.Saga(no_money).state(), v1::SAGA_STATE_REJECTED);
  EXPECT_EQ(Stock().on_hand(), 3);  // only the confirmed order shipped
  EXPECT_EQ(Stock().reserved(), 0);  // the declined order's reservation was released
  EXPECT_EQ(shop_.Account("rich").available().minor_units(), 98'000);
  EXPECT_EQ(shop_.Account("rich").held().minor_units(), 0);
  EXPECT_EQ(shop_.Account("poor").available().minor_units(), 500);
}

TEST_F(SagaTest, CancelWhilePendingAndTimeoutCompensateAndLateAuthorizationsAreVoided) {
  // Payment is down: authorizations wait.
  const std::string cancelled = Place("alice", 1);
  const std::string timed_out = Place("bob", 1);
  ASSERT_TRUE(WaitUntil([&] { return Stock().reserved() == 2; }, std::chrono::seconds(30)));
  shop_.Cancel(cancelled);

  EXPECT_EQ(shop_.WaitForTerminal(cancelled).status(), v1::ORDER_STATUS_CANCELLED);
  const v1::Order timeout = shop_.WaitForTerminal(timed_out);
  EXPECT_EQ(timeout.status(), v1::ORDER_STATUS_REJECTED);
  EXPECT_EQ(timeout.reject_reason(), v1::REJECT_REASON_TIMEOUT);
  EXPECT_TRUE(WaitUntil([&] { return Stock().reserved() == 0; }, std::chrono::seconds(30)));
  EXPECT_EQ(Stock().on_hand(), 5);

  // Payment comes back and works through the stale commands: nothing stays held or captured.
  payment_.Start();
  shop_.Fund("alice", 10'000);
  shop_.Fund("bob", 10'000);
  EXPECT_TRUE(WaitUntil([&] { return shop_.Settled(cancelled) && shop_.Settled(timed_out); }, std::chrono::seconds(60)));
  for (const auto& customer : {"alice", "bob"}) {
    EXPECT_EQ(shop_.Account(customer).available().minor_units(), 10'000) << customer;
    EXPECT_EQ(shop_.Account(customer).held().minor_units(), 0) << customer;
  }
  EXPECT_EQ(shop_.Saga(cancelled).state(), v1::SAGA_STATE_CANCELLED);
  EXPECT_EQ(shop_.Saga(timed_out).state(), v1::SAGA_STATE_REJECTED);
}

// A second orchestrator on the same data and topics: the sagas split between the replicas and
// every timer fires exactly once.
class TwoReplicasTest : public SagaTest {
 protected:
  void SetUp() override {
    SagaTest::SetUp();
    replica_.settings().services.orchestrator.step_timeout = std::chrono::seconds(3);
    replica_.settings().services.orchestrator.sweep_interval = std::chrono::milliseconds(10);
    replica_.Start();
  }

  ServiceHarness replica_{Definition(), prefix_, orchestrator_.schema()};
};

TEST_F(TwoReplicasTest, TimedOutSagasEndOnceEach) {
  // Payment is down: every authorization times out and each saga's timer must fire once.
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Place("customer-" + std::to_string(i), 1));  // all 5 units
  for (const auto& id : ids) {
    const v1::Order order = shop_.WaitForTerminal(id);
    EXPECT_EQ(order.status(), v1::ORDER_STATUS_REJECTED) << id;
    EXPECT_EQ(order.reject_reason(), v1::REJECT_REASON_TIMEOUT) << id;
  }
  EXPECT_TRUE(WaitUntil([&] { return Stock().reserved() == 0; }, std::chrono::seconds(30)));
  for (const auto& id : ids) {
    const v1::Saga saga = shop_.Saga(id);
    EXPECT_EQ(testing::StepsNamed(saga, "reject_order"), 1) << id;
    EXPECT_EQ(testing::StepsNamed(saga, "release_stock"), 1) << id;
  }
}

// Steps are sent again after half a second without a reply, long before the step timeout (60 s),
// which without the resend would end each of these orders REJECTED.
class StepResendTest : public SagaTest {
 protected:
  void SetUp() override {
    step_timeout_ = std::chrono::seconds(60);
    orchestrator_.settings().services.orchestrator.resend_after = std::chrono::milliseconds(500);
    SagaTest::SetUp();
    payment_.Start();
    shop_.Fund("rich", 100'000);
    payment_.Stop();  // the tests start it when they need it
  }

  // Joins `service`'s consumer group while that service is down and commits past everything waiting
  // for it: those messages are lost to it, as with a broker that lost its log. Returns once at least
  // `count` were taken.
  void Lose(ServiceHarness& service, const std::string& name, size_t count) {
    const messaging::KafkaSettings& kafka = service.settings().kafka;
    std::vector<std::string> topics;
    for (std::string_view topic : messaging::ConsumerGroupOf(name).topics) topics.push_back(service.Topic(topic));
    std::atomic<size_t> lost{0};
    messaging::Producer unused(kafka);
    messaging::Consumer thief(kafka, kafka.Group(messaging::ConsumerGroupOf(name).name()), topics,
                              [&](const messaging::ConsumedMessage&) { ++lost; }, unused);
    ASSERT_TRUE(WaitUntil([&] { return lost.load() >= count; }, std::chrono::seconds(30)));
  }

  void ExpectConfirmedAndSettled(const std::string& id) {
    EXPECT_EQ(shop_.WaitForTerminal(id).status(), v1::ORDER_STATUS_CONFIRMED);
    EXPECT_TRUE(WaitUntil([&] { return shop_.Settled(id); }, std::chrono::seconds(30))) << id;
    EXPECT_EQ(shop_.Saga(id).state(), v1::SAGA_STATE_CONFIRMED);
    EXPECT_EQ(Stock().on_hand(), 3);
    EXPECT_EQ(Stock().reserved(), 0);
    EXPECT_EQ(shop_.Account("rich").available().minor_units(), 98'000);
    EXPECT_EQ(shop_.Account("rich").held().minor_units(), 0);
  }
};

TEST_F(StepResendTest, ALostCommandIsSentAgainAndTheOrderConfirms) {
  const std::string id = Place("rich", 2);
  ASSERT_TRUE(WaitUntil([&] { return Stock().reserved() == 2; }, std::chrono::seconds(30)));
  Lose(payment_, "payment", 1);  // the authorization, waiting for payment
  payment_.Start();
  ExpectConfirmedAndSettled(id);
}

TEST_F(StepResendTest, ALostReplyIsAnsweredAgainAndTheOrderConfirms) {
  const std::string id = Place("rich", 2);
  ASSERT_TRUE(WaitUntil([&] { return Stock().reserved() == 2; }, std::chrono::seconds(30)));  // the saga runs
  ASSERT_TRUE(WaitUntil([&] { return shop_.Saga(id).state() == v1::SAGA_STATE_AUTHORIZING_PAYMENT; },
                        std::chrono::seconds(30)));
  orchestrator_.Stop();
  payment_.Start();  // authorizes; its PaymentAuthorized waits for the orchestrator, and is lost
  ASSERT_TRUE(WaitUntil([&] { return shop_.Account("rich").held().minor_units() == 2'000; },
                        std::chrono::seconds(30)));
  Lose(orchestrator_, "orchestrator", 1);
  orchestrator_.Start();
  ExpectConfirmedAndSettled(id);
}

// The orchestrator alone, fed order events by the test; what it sends is read off the command topics.
class SagaStartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    orchestrator_.settings().services.orchestrator.resend_after = std::chrono::minutes(10);  // no resends here
    orchestrator_.Start();
  }

  // The types of the commands for `order_id` on `topic`, in the order they were published.
  std::vector<std::string> CommandsFor(std::string_view topic, const std::string& order_id) {
    std::vector<std::string> types;
    for (const auto& envelope : orchestrator_.Reader(topic).Received()) {
      if (envelope.order_id() == order_id) types.push_back(envelope.type());
    }
    return types;
  }

  ServiceHarness orchestrator_{Definition()};
};

TEST_F(SagaStartTest, AnOrderPlacedPublishedTwiceStartsOneSagaAndSendsEachHoldOnce) {
  const std::string order = testing::UniqueName("order");
  v1::OrderPlaced placed;
  placed.set_order_id(order);
  placed.set_customer_id("alice");
  v1::OrderLine* line = placed.add_lines();
  line->set_sku("MUG");
  line->set_quantity(1);
  placed.mutable_total()->set_minor_units(1000);
  placed.mutable_total()->set_currency("EUR");
  auto& inventory = orchestrator_.Reader(messaging::kInventoryCommands);
  auto& payment = orchestrator_.Reader(messaging::kPaymentCommands);
  orchestrator_.Send(messaging::kOrderEvents, order, placed);
  ASSERT_TRUE(inventory.WaitFor("orderly.v1.ReserveStock", order));
  ASSERT_TRUE(payment.WaitFor("orderly.v1.AuthorizePayment", order));
  orchestrator_.Send(messaging::kOrderEvents, order, placed);  // the same event as a new message
  v1::OrderCancellationRequested cancel;
  cancel.set_order_id(order);
  orchestrator_.Send(messaging::kOrderEvents, order, cancel);  // handled after the repeat: same key
  // The cancellation's compensations follow, on each topic, whatever the repeat would have sent.
  ASSERT_TRUE(inventory.WaitFor("orderly.v1.ReleaseStock", order));
  ASSERT_TRUE(payment.WaitFor("orderly.v1.VoidPayment", order));
  EXPECT_EQ(CommandsFor(messaging::kInventoryCommands, order),
            (std::vector<std::string>{"orderly.v1.ReserveStock", "orderly.v1.ReleaseStock"}));
  EXPECT_EQ(CommandsFor(messaging::kPaymentCommands, order),
            (std::vector<std::string>{"orderly.v1.AuthorizePayment", "orderly.v1.VoidPayment"}));
}

}  // namespace
}  // namespace orderly::orchestrator
