#include <gtest/gtest.h>

#include "orderly/inventory/inventory.h"
#include "orderly/orchestrator/orchestrator.h"
#include "orderly/order/order.h"
#include "orderly/payment/payment.h"
#include "orderly/v1/inventory.grpc.pb.h"
#include "orderly/v1/order.grpc.pb.h"
#include "orderly/v1/payment.grpc.pb.h"
#include "orderly/v1/saga.grpc.pb.h"
#include "rpc_assert.h"
#include "service_harness.h"
#include "test_env.h"

namespace orderly::orchestrator {
namespace {

using testing::ServiceHarness;
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
    orchestrator_.settings().services.orchestrator.step_timeout = std::chrono::seconds(8);
    orchestrator_.settings().services.orchestrator.sweep_interval = std::chrono::milliseconds(50);
    orchestrator_.Start();
    catalog_ = v1::InventoryService::NewStub(inventory_.Channel());
    orders_ = v1::OrderService::NewStub(order_.Channel());
    sagas_ = v1::SagaService::NewStub(orchestrator_.Channel());
    v1::UpsertProductRequest product;
    product.mutable_product()->set_sku("MUG");
    product.mutable_product()->set_name("Mug");
    product.mutable_product()->mutable_unit_price()->set_minor_units(1000);
    product.mutable_product()->mutable_unit_price()->set_currency("EUR");
    v1::UpsertProductResponse upserted;
    ASSERT_RPC_OK(catalog_->UpsertProduct(&context, product, &upserted));
    v1::RestockRequest restock;
    restock.set_sku("MUG");
    restock.set_quantity(5);
    v1::RestockResponse restocked;
    ASSERT_RPC_OK(catalog_->Restock(&context, restock, &restocked));
  }

  void StartPayment() {
    payment_.Start();
    accounts_ = v1::PaymentService::NewStub(payment_.Channel());
  }

  void Fund(const std::string& customer, int64_t amount) {
    v1::OpenAccountRequest open;
    open.set_customer_id(customer);
    open.set_currency("EUR");
    v1::OpenAccountResponse opened;
    ASSERT_RPC_OK(accounts_->OpenAccount(&context, open, &opened));
    v1::DepositRequest deposit;
    deposit.set_customer_id(customer);
    deposit.mutable_amount()->set_minor_units(amount);
    deposit.mutable_amount()->set_currency("EUR");
    v1::DepositResponse deposited;
    ASSERT_RPC_OK(accounts_->Deposit(&context, deposit, &deposited));
  }

  std::string Place(const std::string& customer, int quantity) {
    v1::PlaceOrderRequest request;
    request.set_idempotency_key("checkout");
    request.set_customer_id(customer);
    request.set_currency("EUR");
    request.add_lines()->set_sku("MUG");
    request.mutable_lines(0)->set_quantity(quantity);
    v1::PlaceOrderResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(orders_->PlaceOrder(&context, request, &response).ok());
    return response.order().order_id();
  }

  v1::Order Order(const std::string& order_id) {
    v1::GetOrderRequest request;
    request.set_order_id(order_id);
    v1::GetOrderResponse response;
    grpc::ClientContext context;
    orders_->GetOrder(&context, request, &response);
    return response.order();
  }

  v1::Order WaitForTerminal(const std::string& order_id) {
    EXPECT_TRUE(WaitUntil([&] { return Order(order_id).status() != v1::ORDER_STATUS_PENDING; },
                          std::chrono::seconds(60)));
    return Order(order_id);
  }

  v1::Stock Stock() {
    v1::GetStockRequest request;
    request.set_sku("MUG");
    v1::GetStockResponse response;
    grpc::ClientContext context;
    catalog_->GetStock(&context, request, &response);
    return response.stock();
  }

  v1::Account Account(const std::string& customer) {
    v1::GetAccountRequest request;
    request.set_customer_id(customer);
    request.set_currency("EUR");
    v1::GetAccountResponse response;
    grpc::ClientContext context;
    accounts_->GetAccount(&context, request, &response);
    return response.account();
  }

  v1::Saga Saga(const std::string& order_id) {
    v1::GetSagaRequest request;
    request.set_order_id(order_id);
    v1::GetSagaResponse response;
    grpc::ClientContext context;
    const grpc::Status status = sagas_->GetSaga(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.saga();
  }

  bool Settled(const std::string& order_id) {
    const v1::Saga saga = Saga(order_id);
    for (const auto& step : saga.steps()) {
      if (step.outcome() == v1::STEP_OUTCOME_PENDING) return false;
    }
    return !saga.steps().empty();
  }

  const std::string prefix_ = testing::UniqueName("saga") + ".";
  ServiceHarness inventory_{inventory::Definition(), prefix_};
  ServiceHarness payment_{payment::Definition(), prefix_};
  ServiceHarness order_{order::Definition(), prefix_};
  ServiceHarness orchestrator_{Definition(), prefix_};
  std::unique_ptr<v1::InventoryService::Stub> catalog_;
  std::unique_ptr<v1::PaymentService::Stub> accounts_;
  std::unique_ptr<v1::OrderService::Stub> orders_;
  std::unique_ptr<v1::SagaService::Stub> sagas_;
};

TEST_F(SagaTest, OrdersEndConfirmedOrRejectedForStockOrPayment) {
  StartPayment();
  Fund("rich", 100'000);
  Fund("poor", 500);
  const std::string confirmed = Place("rich", 2);
  const std::string no_stock = Place("rich-too", 9);
  const std::string no_money = Place("poor", 1);

  EXPECT_EQ(WaitForTerminal(confirmed).status(), v1::ORDER_STATUS_CONFIRMED);
  const v1::Order stock_rejected = WaitForTerminal(no_stock);
  EXPECT_EQ(stock_rejected.status(), v1::ORDER_STATUS_REJECTED);
  EXPECT_EQ(stock_rejected.reject_reason(), v1::REJECT_REASON_OUT_OF_STOCK);
  const v1::Order payment_rejected = WaitForTerminal(no_money);
  EXPECT_EQ(payment_rejected.status(), v1::ORDER_STATUS_REJECTED);
  EXPECT_EQ(payment_rejected.reject_reason(), v1::REJECT_REASON_PAYMENT_DECLINED);

  for (const auto& id : {confirmed, no_stock, no_money}) {
    EXPECT_TRUE(WaitUntil([&] { return Settled(id); }, std::chrono::seconds(30))) << id;
  }
  EXPECT_EQ(Saga(confirmed).state(), v1::SAGA_STATE_CONFIRMED);
  EXPECT_EQ(Saga(no_money).state(), v1::SAGA_STATE_REJECTED);
  EXPECT_EQ(Stock().on_hand(), 3);  // only the confirmed order shipped
  EXPECT_EQ(Stock().reserved(), 0);  // the declined order's reservation was released
  EXPECT_EQ(Account("rich").available().minor_units(), 98'000);
  EXPECT_EQ(Account("rich").held().minor_units(), 0);
  EXPECT_EQ(Account("poor").available().minor_units(), 500);
}

TEST_F(SagaTest, CancelWhilePendingAndTimeoutCompensateAndLateAuthorizationsAreVoided) {
  // Payment is down: authorizations wait.
  const std::string cancelled = Place("alice", 1);
  const std::string timed_out = Place("bob", 1);
  ASSERT_TRUE(WaitUntil([&] { return Stock().reserved() == 2; }, std::chrono::seconds(30)));
  v1::CancelOrderRequest cancel;
  cancel.set_order_id(cancelled);
  v1::CancelOrderResponse response;
  ASSERT_RPC_OK(orders_->CancelOrder(&context, cancel, &response));

  EXPECT_EQ(WaitForTerminal(cancelled).status(), v1::ORDER_STATUS_CANCELLED);
  const v1::Order timeout = WaitForTerminal(timed_out);
  EXPECT_EQ(timeout.status(), v1::ORDER_STATUS_REJECTED);
  EXPECT_EQ(timeout.reject_reason(), v1::REJECT_REASON_TIMEOUT);
  EXPECT_TRUE(WaitUntil([&] { return Stock().reserved() == 0; }, std::chrono::seconds(30)));
  EXPECT_EQ(Stock().on_hand(), 5);

  // Payment comes back and works through the stale commands: nothing stays held or captured.
  StartPayment();
  Fund("alice", 10'000);
  Fund("bob", 10'000);
  EXPECT_TRUE(WaitUntil([&] { return Settled(cancelled) && Settled(timed_out); }, std::chrono::seconds(60)));
  for (const auto& customer : {"alice", "bob"}) {
    EXPECT_EQ(Account(customer).available().minor_units(), 10'000) << customer;
    EXPECT_EQ(Account(customer).held().minor_units(), 0) << customer;
  }
  EXPECT_EQ(Saga(cancelled).state(), v1::SAGA_STATE_CANCELLED);
  EXPECT_EQ(Saga(timed_out).state(), v1::SAGA_STATE_REJECTED);
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
    const v1::Order order = WaitForTerminal(id);
    EXPECT_EQ(order.status(), v1::ORDER_STATUS_REJECTED) << id;
    EXPECT_EQ(order.reject_reason(), v1::REJECT_REASON_TIMEOUT) << id;
  }
  EXPECT_TRUE(WaitUntil([&] { return Stock().reserved() == 0; }, std::chrono::seconds(30)));
  for (const auto& id : ids) {
    int rejections = 0;
    int releases = 0;
    const v1::Saga saga = Saga(id);
    for (const auto& step : saga.steps()) {
      rejections += step.name() == "reject_order" ? 1 : 0;
      releases += step.name() == "release_stock" ? 1 : 0;
    }
    EXPECT_EQ(rejections, 1) << id;
    EXPECT_EQ(releases, 1) << id;
  }
}

}  // namespace
}  // namespace orderly::orchestrator
