// Refunds through a private stack of processes (ProcessStack): full and partial returns with exact
// money and stock, a repeated key, returns beyond what was sold, a refund payment refuses (the
// payment was refunded by hand), another customer's order, and kill -9 of the orchestrator or
// payment while refunds are in flight. Checked through the APIs and `orderlyctl audit`.
#include <gtest/gtest.h>

#include <future>
#include <set>
#include <thread>

#include "orderly/common/clock.h"
#include "orderly/common/ids.h"
#include "orderly/messaging/envelope.h"
#include "orderly/messaging/producer.h"
#include "orderly/messaging/topics.h"
#include "process_stack.h"
#include "shop_client.h"
#include "test_tokens.h"

namespace orderly::testing {
namespace {

constexpr int64_t kMugPrice = 1200;
constexpr int64_t kTeaPrice = 450;
constexpr int64_t kFunds = 10'000;
constexpr int64_t kTotal = 2 * kMugPrice + 3 * kTeaPrice;  // an order of 2 mugs and 3 teas

v1::OrderLine Line(const std::string& sku, int32_t quantity) {
  v1::OrderLine line;
  line.set_sku(sku);
  line.set_quantity(quantity);
  return line;
}

class RefundTest : public ::testing::Test {
 protected:
  RefundTest() {
    shop_.AddProduct(mug_, kMugPrice, 100);
    shop_.AddProduct(tea_, kTeaPrice, 100);
  }

  // A CONFIRMED order of 2 mugs and 3 teas for a new customer funded with kFunds, its payment
  // captured; the order id.
  std::string ConfirmedOrder(const std::string& customer) {
    shop_.Fund(customer, kFunds);
    v1::PlaceOrderRequest request;
    request.set_idempotency_key("checkout");
    request.set_customer_id(customer);
    request.set_currency("EUR");
    *request.add_lines() = Line(mug_, 2);
    *request.add_lines() = Line(tea_, 3);
    v1::PlaceOrderResponse placed;
    grpc::ClientContext context;
    const grpc::Status status = orders_->PlaceOrder(&context, request, &placed);
    EXPECT_TRUE(status.ok()) << status.error_message();
    const std::string order_id = placed.order().order_id();
    EXPECT_EQ(shop_.WaitForTerminal(order_id).status(), v1::ORDER_STATUS_CONFIRMED);
    EXPECT_TRUE(WaitUntil([&] { return shop_.Settled(order_id); })) << "capture and commit of " << order_id;
    return order_id;
  }

  struct Answer {
    grpc::Status status;
    v1::RefundOrderResponse response;
  };
  Answer Refund(const std::string& order_id, std::vector<v1::OrderLine> lines, const std::string& key,
                v1::OrderService::Stub* stub = nullptr) {
    v1::RefundOrderRequest request;
    request.set_order_id(order_id);
    request.set_reason("damaged in transit");
    request.set_idempotency_key(key);
    for (auto& line : lines) *request.add_lines() = std::move(line);
    Answer answer;
    grpc::ClientContext context;
    answer.status = (stub ? stub : orders_.get())->RefundOrder(&context, request, &answer.response);
    return answer;
  }

  // Waits until refund `refund_id` of the order has ended; the order then.
  v1::Order WaitForRefund(const std::string& order_id, const std::string& refund_id,
                          std::chrono::seconds timeout = std::chrono::seconds(60)) {
    v1::Order order;
    EXPECT_TRUE(WaitUntil(
        [&] {
          order = shop_.Order(order_id);
          for (const auto& refund : order.refunds()) {
            if (refund.refund_id() == refund_id) return refund.status() != v1::REFUND_STATUS_REQUESTED;
          }
          return false;
        },
        timeout))
        << "refund " << refund_id << " of " << order_id << " has not ended";
    return order;
  }

  // Every refund saga ended and every step of it answered.
  bool RefundSagasSettled() {
    const auto sagas = stack_.SumOverShards(
        "SELECT count(*) FROM orchestrator.refund_sagas r WHERE state = 'SAGA_STATE_REFUNDING' OR EXISTS ("
        "  SELECT 1 FROM orchestrator.saga_steps s "
        "  WHERE s.saga_id = r.saga_id AND s.outcome = 'STEP_OUTCOME_PENDING')");
    return sagas == 0;
  }

  v1::Payment Payment(const std::string& order_id) {
    v1::GetPaymentRequest request;
    request.set_order_id(order_id);
    v1::GetPaymentResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(payments_->GetPayment(&context, request, &response).ok());
    return response.payment();
  }

  int RefundTransactions(const std::string& customer) {
    int legs = 0;
    for (const auto& entry : shop_.Ledger(customer)) legs += entry.operation() == "refund" ? 1 : 0;
    return legs / 2;  // two legs each
  }

  void ExpectAuditClean() {
    const CommandResult audit = stack_.Ctl("audit");
    EXPECT_EQ(audit.exit_code, 0) << audit.output;
  }

  ProcessStack stack_;
  ShopClient shop_{stack_.settings().services};
  std::unique_ptr<v1::OrderService::Stub> orders_ =
      TokenStub<v1::OrderService>(stack_.settings().services.order.server.listen);
  std::unique_ptr<v1::PaymentService::Stub> payments_ =
      TokenStub<v1::PaymentService>(stack_.settings().services.payment.server.listen);
  std::unique_ptr<v1::SagaService::Stub> sagas_ =
      TokenStub<v1::SagaService>(stack_.settings().services.orchestrator.server.listen);
  const std::string mug_ = UniqueName("MUG");
  const std::string tea_ = UniqueName("TEA");
};

TEST_F(RefundTest, APartialThenAFullReturnRefundExactlyTheirValueAndRestockExactly) {
  const std::string alice = UniqueName("alice");
  const std::string order_id = ConfirmedOrder(alice);

  const Answer partial = Refund(order_id, {Line(mug_, 1), Line(tea_, 1)}, "first-return");
  ASSERT_TRUE(partial.status.ok()) << partial.status.error_message();
  EXPECT_EQ(partial.response.refund().status(), v1::REFUND_STATUS_REQUESTED);
  EXPECT_EQ(partial.response.refund().amount().minor_units(), kMugPrice + kTeaPrice);
  v1::Order order = WaitForRefund(order_id, partial.response.refund().refund_id());
  EXPECT_EQ(order.status(), v1::ORDER_STATUS_PARTIALLY_REFUNDED);
  EXPECT_EQ(order.refunds(0).status(), v1::REFUND_STATUS_REFUNDED);
  EXPECT_EQ(shop_.Account(alice).available().minor_units(), kFunds - kTotal + kMugPrice + kTeaPrice);
  EXPECT_EQ(shop_.Stock(mug_).on_hand(), 100 - 2 + 1);
  EXPECT_EQ(shop_.Stock(mug_).returned(), 1);
  EXPECT_EQ(shop_.Stock(tea_).on_hand(), 100 - 3 + 1);
  EXPECT_EQ(Payment(order_id).refunded().minor_units(), kMugPrice + kTeaPrice);
  EXPECT_EQ(Payment(order_id).status(), v1::PAYMENT_STATUS_CAPTURED);

  const Answer rest = Refund(order_id, {Line(mug_, 1), Line(tea_, 2)}, "second-return");
  ASSERT_TRUE(rest.status.ok()) << rest.status.error_message();
  EXPECT_EQ(rest.response.refund().amount().minor_units(), kMugPrice + 2 * kTeaPrice);
  order = WaitForRefund(order_id, rest.response.refund().refund_id());
  EXPECT_EQ(order.status(), v1::ORDER_STATUS_REFUNDED);
  EXPECT_EQ(shop_.Account(alice).available().minor_units(), kFunds);
  EXPECT_EQ(shop_.Stock(mug_).on_hand(), 100);
  EXPECT_EQ(shop_.Stock(mug_).returned(), 2);
  EXPECT_EQ(shop_.Stock(tea_).on_hand(), 100);
  EXPECT_EQ(shop_.Stock(tea_).returned(), 3);
  EXPECT_EQ(Payment(order_id).refunded().minor_units(), kTotal);
  EXPECT_EQ(Payment(order_id).status(), v1::PAYMENT_STATUS_REFUNDED);
  EXPECT_EQ(RefundTransactions(alice), 2);

  const Answer more = Refund(order_id, {Line(tea_, 1)}, "third-return");
  EXPECT_EQ(more.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << more.status.error_message();
  EXPECT_TRUE(WaitUntil([&] { return RefundSagasSettled(); }));
  ExpectAuditClean();
}

TEST_F(RefundTest, TheSameKeyRefundsOnceAndReturnedUnitsCannotBeReturnedAgain) {
  const std::string bob = UniqueName("bob");
  const std::string order_id = ConfirmedOrder(bob);
  const Answer first = Refund(order_id, {Line(mug_, 2)}, "return-1");
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  const Answer again = Refund(order_id, {Line(mug_, 2)}, "return-1");
  ASSERT_TRUE(again.status.ok()) << again.status.error_message();
  EXPECT_EQ(again.response.refund().refund_id(), first.response.refund().refund_id());
  EXPECT_EQ(again.response.order().refunds_size(), 1);

  const Answer other_key = Refund(order_id, {Line(mug_, 1)}, "return-2");
  EXPECT_EQ(other_key.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(other_key.status.error_message(),
            "lines[0].quantity: asks back 1 of sku '" + mug_ + "'; returnable: 0 of the 2 sold");
  const Answer key_reused = Refund(order_id, {Line(tea_, 1)}, "return-1");
  EXPECT_EQ(key_reused.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(key_reused.status.error_message(), "idempotency_key: was already used for a different refund");

  const v1::Order order = WaitForRefund(order_id, first.response.refund().refund_id());
  EXPECT_EQ(order.status(), v1::ORDER_STATUS_PARTIALLY_REFUNDED);
  const Answer after = Refund(order_id, {Line(mug_, 2)}, "return-1");  // the same answer, now done
  EXPECT_EQ(after.response.refund().status(), v1::REFUND_STATUS_REFUNDED);
  EXPECT_EQ(RefundTransactions(bob), 1);
  EXPECT_EQ(shop_.Account(bob).available().minor_units(), kFunds - kTotal + 2 * kMugPrice);
  EXPECT_EQ(shop_.Stock(mug_).returned(), 2);
  EXPECT_EQ(shop_.Stock(mug_).on_hand(), 100);
  EXPECT_TRUE(WaitUntil([&] { return RefundSagasSettled(); }));
  ExpectAuditClean();
}

TEST_F(RefundTest, ReturnsBeyondTheOrderAreRefusedNamingTheFieldAndChangeNothing) {
  const std::string carol = UniqueName("carol");
  const std::string order_id = ConfirmedOrder(carol);
  const Answer too_many = Refund(order_id, {Line(tea_, 4)}, "k1");
  EXPECT_EQ(too_many.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(too_many.status.error_message(),
            "lines[0].quantity: asks back 4 of sku '" + tea_ + "'; returnable: 3 of the 3 sold");
  const Answer not_sold = Refund(order_id, {Line(mug_, 1), Line("PEN", 1)}, "k2");
  EXPECT_EQ(not_sold.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(not_sold.status.error_message(), "lines[1].sku: sku 'PEN' is not on order " + order_id);
  const Answer zero = Refund(order_id, {Line(mug_, 0)}, "k3");
  EXPECT_EQ(zero.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(zero.status.error_message(), "lines[0].quantity: must be in 1..1000, got 0");
  const Answer twice = Refund(order_id, {Line(mug_, 1), Line(mug_, 1)}, "k4");
  EXPECT_EQ(twice.status.error_message(), "lines[1].sku: appears on two lines");

  const std::string dave = UniqueName("dave");
  auto as_dave = TokenStub<v1::OrderService>(stack_.settings().services.order.server.listen,
                                             std::make_shared<auth::StaticTokenSource>(TestToken(dave, {"orders"})));
  EXPECT_EQ(Refund(order_id, {Line(mug_, 1)}, "k5", as_dave.get()).status.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  auto as_carol = TokenStub<v1::OrderService>(stack_.settings().services.order.server.listen,
                                              std::make_shared<auth::StaticTokenSource>(TestToken(carol, {"orders"})));
  const Answer own = Refund(order_id, {Line(mug_, 1)}, "k6", as_carol.get());
  ASSERT_TRUE(own.status.ok()) << own.status.error_message();
  WaitForRefund(order_id, own.response.refund().refund_id());

  shop_.Fund(dave, kFunds);
  stack_.Stop("orchestrator");  // no saga runs: the order stays PENDING
  const std::string pending = shop_.Place(dave, mug_, 1);
  const Answer early = Refund(pending, {Line(mug_, 1)}, "k7");
  EXPECT_EQ(early.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(early.status.error_message(),
            "order_id: order " + pending + " is ORDER_STATUS_PENDING; only a confirmed order can be refunded");
  stack_.Start("orchestrator");
  EXPECT_EQ(Refund("no-such-order", {Line(mug_, 1)}, "k8").status.error_code(), grpc::StatusCode::NOT_FOUND);

  const v1::Order order = shop_.Order(order_id);
  EXPECT_EQ(order.refunds_size(), 1);
  EXPECT_EQ(shop_.Account(carol).available().minor_units(), kFunds - kTotal + kMugPrice);
  EXPECT_EQ(shop_.Stock(tea_).returned(), 0);
  shop_.WaitForTerminal(pending);
  EXPECT_TRUE(WaitUntil([&] { return RefundSagasSettled() && shop_.Settled(pending); }));
  ExpectAuditClean();
}

// Eight retries of one return under one key race, then eight returns of one mug each under
// different keys race for the order's two mugs: the order's row lock lets one refund of the first
// and exactly two of the second through.
TEST_F(RefundTest, RacingReturnsNeverReturnMoreThanSoldAndOneKeyRefundsOnce) {
  const std::string frank = UniqueName("frank");
  const std::string order_id = ConfirmedOrder(frank);
  const auto race = [&](const v1::OrderLine& line, const std::function<std::string(int)>& key) {
    std::vector<std::future<Answer>> calls;
    for (int i = 0; i < 8; ++i) {
      calls.push_back(std::async(std::launch::async, [&, i] { return Refund(order_id, {line}, key(i)); }));
    }
    std::vector<Answer> answers;
    for (auto& call : calls) answers.push_back(call.get());
    return answers;
  };
  std::set<std::string> refund_ids;
  for (const Answer& answer : race(Line(tea_, 1), [](int) { return "tea-once"; })) {
    EXPECT_TRUE(answer.status.ok()) << answer.status.error_message();
    refund_ids.insert(answer.response.refund().refund_id());
  }
  EXPECT_EQ(refund_ids.size(), 1u);
  int granted = 0;
  for (const Answer& answer : race(Line(mug_, 1), [](int i) { return "mug-" + std::to_string(i); })) {
    if (answer.status.ok()) {
      ++granted;
    } else {
      EXPECT_EQ(answer.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << answer.status.error_message();
    }
  }
  EXPECT_EQ(granted, 2);

  const Answer teas = Refund(order_id, {Line(tea_, 2)}, "teas");
  ASSERT_TRUE(teas.status.ok()) << teas.status.error_message();
  EXPECT_TRUE(WaitUntil([&] { return shop_.Order(order_id).status() == v1::ORDER_STATUS_REFUNDED; }));
  EXPECT_EQ(shop_.Order(order_id).refunds_size(), 4);
  EXPECT_EQ(shop_.Account(frank).available().minor_units(), kFunds);
  EXPECT_EQ(RefundTransactions(frank), 4);
  EXPECT_EQ(shop_.Stock(mug_).returned(), 2);
  EXPECT_EQ(shop_.Stock(tea_).returned(), 3);
  EXPECT_TRUE(WaitUntil([&] { return RefundSagasSettled(); }));
  ExpectAuditClean();
}

// An operator refunded the payment by hand (RefundPayment without a refund id); the saga's refund
// is refused, nothing is restocked, and the order keeps its lines returnable.
TEST_F(RefundTest, ARefusedRefundEndsFailedWithTheReasonAndNothingApplied) {
  const std::string erin = UniqueName("erin");
  const std::string order_id = ConfirmedOrder(erin);
  v1::RefundPayment by_hand;
  by_hand.set_order_id(order_id);
  by_hand.set_customer_id(erin);
  UuidV7Generator ids(SystemClock::Instance());
  messaging::Producer producer(stack_.settings().kafka);
  const auto envelope = messaging::MakeEnvelope(by_hand, {order_id, "", "", "", ""}, ids, SystemClock::Instance());
  const std::string topic = stack_.settings().kafka.Topic(messaging::kPaymentCommands);
  ASSERT_TRUE(producer.PublishBatch({{topic, order_id, messaging::Encode(envelope), {}}}).front().delivered);
  ASSERT_TRUE(WaitUntil([&] { return Payment(order_id).status() == v1::PAYMENT_STATUS_REFUNDED; }));

  const Answer refund = Refund(order_id, {Line(mug_, 1)}, "too-late");
  ASSERT_TRUE(refund.status.ok()) << refund.status.error_message();
  const v1::Order order = WaitForRefund(order_id, refund.response.refund().refund_id());
  EXPECT_EQ(order.status(), v1::ORDER_STATUS_CONFIRMED);
  ASSERT_EQ(order.refunds_size(), 1);
  EXPECT_EQ(order.refunds(0).status(), v1::REFUND_STATUS_FAILED);
  EXPECT_EQ(order.refunds(0).failure(),
            "payment refused the refund: the payment of order " + order_id + " is refunded");
  EXPECT_TRUE(WaitUntil([&] { return RefundSagasSettled(); }));
  v1::ListSagasRequest failed;
  failed.set_state(v1::SAGA_STATE_REFUND_FAILED);
  v1::ListSagasResponse listed;
  grpc::ClientContext context;
  ASSERT_TRUE(sagas_->ListSagas(&context, failed, &listed).ok());
  ASSERT_EQ(listed.sagas_size(), 1);
  const v1::Saga& saga = listed.sagas(0);
  EXPECT_EQ(saga.refund_id(), refund.response.refund().refund_id());
  ASSERT_EQ(saga.steps_size(), 2);  // no restock: nothing to undo
  EXPECT_EQ(saga.steps(0).name(), "refund_payment");
  EXPECT_EQ(saga.steps(0).outcome(), v1::STEP_OUTCOME_FAILED);
  EXPECT_EQ(saga.steps(0).detail(), "the payment of order " + order_id + " is refunded");
  EXPECT_EQ(saga.steps(1).name(), "fail_refund");
  EXPECT_EQ(saga.steps(1).outcome(), v1::STEP_OUTCOME_SUCCEEDED);
  EXPECT_EQ(shop_.Stock(mug_).returned(), 0);
  EXPECT_EQ(shop_.Stock(mug_).on_hand(), 100 - 2);
  EXPECT_EQ(shop_.Account(erin).available().minor_units(), kFunds);  // the refund by hand, once
  EXPECT_EQ(RefundTransactions(erin), 1);
  ExpectAuditClean();
}

constexpr int kCrashOrders = 20;

class RefundCrashTest : public RefundTest, public ::testing::WithParamInterface<std::string> {};

// Half the orders return a mug, half everything; the victim is killed as the refunds go in and
// restarted 10 s later. Every refund then finishes exactly once.
TEST_P(RefundCrashTest, KilledWhileRefundsAreInFlightEveryRefundFinishesExactlyOnce) {
  std::vector<std::string> customers;
  std::vector<std::string> orders;
  for (int i = 0; i < kCrashOrders; ++i) {
    customers.push_back(UniqueName("crash"));
    orders.push_back(ConfirmedOrder(customers.back()));
  }
  std::vector<std::string> refunds;
  for (int i = 0; i < kCrashOrders; ++i) {
    if (i == 2) stack_.Kill(GetParam());
    const auto lines = i % 2 == 0 ? std::vector{Line(mug_, 1)} : std::vector{Line(mug_, 2), Line(tea_, 3)};
    const Answer answer = Refund(orders[i], lines, "crash");
    ASSERT_TRUE(answer.status.ok()) << answer.status.error_message();
    refunds.push_back(answer.response.refund().refund_id());
  }
  std::this_thread::sleep_for(std::chrono::seconds(10));
  stack_.Start(GetParam());

  for (int i = 0; i < kCrashOrders; ++i) {
    const bool partial = i % 2 == 0;
    const v1::Order order = WaitForRefund(orders[i], refunds[i], std::chrono::seconds(120));
    EXPECT_EQ(order.status(), partial ? v1::ORDER_STATUS_PARTIALLY_REFUNDED : v1::ORDER_STATUS_REFUNDED) << orders[i];
    EXPECT_EQ(order.refunds(0).status(), v1::REFUND_STATUS_REFUNDED) << orders[i];
    const int64_t back = partial ? kMugPrice : kTotal;
    EXPECT_EQ(shop_.Account(customers[i]).available().minor_units(), kFunds - kTotal + back) << customers[i];
    EXPECT_EQ(Payment(orders[i]).refunded().minor_units(), back) << orders[i];
    EXPECT_EQ(RefundTransactions(customers[i]), 1) << customers[i];
  }
  const int half = kCrashOrders / 2;
  EXPECT_EQ(shop_.Stock(mug_).returned(), half * 1 + half * 2);
  EXPECT_EQ(shop_.Stock(mug_).on_hand(), 100 - 2 * kCrashOrders + half * 3);
  EXPECT_EQ(shop_.Stock(tea_).returned(), half * 3);
  EXPECT_EQ(shop_.Stock(tea_).on_hand(), 100 - 3 * kCrashOrders + half * 3);
  EXPECT_TRUE(WaitUntil([&] { return RefundSagasSettled(); }, std::chrono::seconds(60)));
  ExpectAuditClean();
}

INSTANTIATE_TEST_SUITE_P(Victims, RefundCrashTest, ::testing::Values("orchestrator", "payment"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace orderly::testing
