#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "orderly/messaging/envelope.h"
#include "orderly/messaging/topics.h"
#include "orderly/payment/payment.h"
#include "orderly/v1/payment.grpc.pb.h"
#include "payments.h"
#include "service_harness.h"
#include "test_env.h"

namespace orderly::payment {
namespace {

using messaging::Payload;

class PaymentTest : public ::testing::Test {
 protected:
  PaymentTest() {
    service_.settings().services.payment.max_order_minor_units = 50'000;
    service_.Start();
    stub_ = v1::PaymentService::NewStub(service_.Channel());
  }

  grpc::Status Open(const std::string& customer, const std::string& currency = "EUR") {
    v1::OpenAccountRequest request;
    request.set_customer_id(customer);
    request.set_currency(currency);
    v1::OpenAccountResponse response;
    grpc::ClientContext context;
    return stub_->OpenAccount(&context, request, &response);
  }

  grpc::Status Deposit(const std::string& customer, int64_t amount, const std::string& key = "",
                       const std::string& currency = "EUR") {
    v1::DepositRequest request;
    request.set_customer_id(customer);
    request.mutable_amount()->set_minor_units(amount);
    request.mutable_amount()->set_currency(currency);
    request.set_idempotency_key(key);
    v1::DepositResponse response;
    grpc::ClientContext context;
    return stub_->Deposit(&context, request, &response);
  }

  void Fund(const std::string& customer, int64_t amount) {
    ASSERT_TRUE(Open(customer).ok());
    ASSERT_TRUE(Deposit(customer, amount).ok());
  }

  v1::Account Account(const std::string& customer) {
    v1::GetAccountRequest request;
    request.set_customer_id(customer);
    request.set_currency("EUR");
    v1::GetAccountResponse response;
    grpc::ClientContext context;
    const grpc::Status status = stub_->GetAccount(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.account();
  }

  std::vector<v1::LedgerEntry> Ledger(const std::string& customer) {
    std::vector<v1::LedgerEntry> entries;
    std::string token;
    do {
      v1::ListLedgerRequest request;
      request.set_customer_id(customer);
      request.mutable_page()->set_page_size(3);
      request.mutable_page()->set_page_token(token);
      v1::ListLedgerResponse response;
      grpc::ClientContext context;
      EXPECT_TRUE(stub_->ListLedger(&context, request, &response).ok());
      entries.insert(entries.end(), response.entries().begin(), response.entries().end());
      token = response.next_page_token();
    } while (!token.empty());
    return entries;
  }

  void ExpectBalancedLedger(const std::string& customer) {
    std::map<std::string, int64_t> sums;
    for (const auto& entry : Ledger(customer)) sums[entry.transaction_id()] += entry.amount().minor_units();
    EXPECT_FALSE(sums.empty());
    for (const auto& [transaction, sum] : sums) EXPECT_EQ(sum, 0) << "ledger transaction " << transaction;
  }

  v1::Envelope Authorize(const std::string& order, const std::string& customer, int64_t amount,
                         const std::string& currency = "EUR") {
    v1::AuthorizePayment command;
    command.set_order_id(order);
    command.set_customer_id(customer);
    command.mutable_amount()->set_minor_units(amount);
    command.mutable_amount()->set_currency(currency);
    return service_.Send(messaging::kPaymentCommands, order, command);
  }

  template <typename Command>
  v1::Envelope Send(const std::string& order, const std::string& customer) {
    Command command;
    command.set_order_id(order);
    command.set_customer_id(customer);
    return service_.Send(messaging::kPaymentCommands, order, command);
  }

  testing::TopicReader& Replies() { return service_.Reader(messaging::kSagaReplies); }

  v1::Envelope ReplyAt(size_t index) {
    EXPECT_TRUE(Replies().WaitFor(index + 1));
    const auto replies = Replies().Received();
    return index < replies.size() ? replies[index] : v1::Envelope();
  }

  testing::ServiceHarness service_{Definition()};
  std::unique_ptr<v1::PaymentService::Stub> stub_;
};

TEST_F(PaymentTest, OpenDepositAndReadBack) {
  Fund("alice", 5000);
  const v1::Account account = Account("alice");
  EXPECT_EQ(account.available().minor_units(), 5000);
  EXPECT_EQ(account.held().minor_units(), 0);
  const auto entries = Ledger("alice");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].operation(), "deposit");
  ExpectBalancedLedger("alice");
  EXPECT_EQ(Open("alice").error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(PaymentTest, DepositWithTheSameKeyAppliesOnce) {
  ASSERT_TRUE(Open("alice").ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Deposit("alice", 700, "transfer-1").ok());
  EXPECT_EQ(Account("alice").available().minor_units(), 700);
  EXPECT_EQ(Deposit("alice", 800, "transfer-1").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Deposit("bob", 100).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(PaymentTest, BadInputsNameTheFieldAndWriteNothing) {
  struct Case {
    std::function<grpc::Status()> call;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[&] { return Open(""); }, "customer_id"},
      {[&] { return Open("alice", "XXX"); }, "currency"},
      {[&] { return Deposit("alice", 0); }, "amount.minor_units"},
      {[&] { return Deposit("alice", -5); }, "amount.minor_units"},
      {[&] { return Deposit("alice", 5, "", "ABC"); }, "amount.currency"},
      {[&] { return Deposit("alice", 5, "bad key"); }, "idempotency_key"},
  };
  for (const auto& bad : cases) {
    const grpc::Status status = bad.call();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad.field;
    EXPECT_EQ(status.error_message().rfind(bad.field + ": ", 0), 0u) << status.error_message();
  }
  v1::ListLedgerRequest request;
  request.set_customer_id("alice");
  request.mutable_page()->set_page_size(1000);
  v1::ListLedgerResponse response;
  grpc::ClientContext context;
  EXPECT_EQ(stub_->ListLedger(&context, request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::GetAccountRequest get;
  get.set_customer_id("alice");
  get.set_currency("EUR");
  v1::GetAccountResponse account;
  grpc::ClientContext get_context;
  EXPECT_EQ(stub_->GetAccount(&get_context, get, &account).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(PaymentTest, AuthorizeCaptureRefundMovesMoneyThroughTheLedger) {
  Fund("alice", 10'000);
  Authorize("order-1", "alice", 2500);
  EXPECT_EQ(ReplyAt(0).type(), "orderly.v1.PaymentAuthorized");
  EXPECT_EQ(Account("alice").available().minor_units(), 7500);
  EXPECT_EQ(Account("alice").held().minor_units(), 2500);

  Send<v1::CapturePayment>("order-1", "alice");
  EXPECT_EQ(ReplyAt(1).type(), "orderly.v1.PaymentCaptured");
  EXPECT_EQ(Account("alice").held().minor_units(), 0);
  v1::GetPaymentRequest get;
  get.set_order_id("order-1");
  v1::GetPaymentResponse payment;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->GetPayment(&context, get, &payment).ok());
  EXPECT_EQ(payment.payment().status(), v1::PAYMENT_STATUS_CAPTURED);
  EXPECT_EQ(payment.payment().amount().minor_units(), 2500);

  Send<v1::RefundPayment>("order-1", "alice");
  EXPECT_EQ(ReplyAt(2).type(), "orderly.v1.PaymentRefunded");
  EXPECT_EQ(Account("alice").available().minor_units(), 10'000);
  ExpectBalancedLedger("alice");
}

TEST_F(PaymentTest, DeclinesCarryTheirReason) {
  Fund("alice", 1000);
  ASSERT_TRUE(Open("bob", "USD").ok());
  Authorize("order-1", "alice", 5000);
  Authorize("order-2", "nobody", 100);
  Authorize("order-3", "bob", 100);
  Authorize("order-4", "alice", 60'000);
  ASSERT_TRUE(Replies().WaitFor(4));
  std::map<std::string, v1::DeclineReason> reasons;
  for (const auto& reply : Replies().Received()) {
    ASSERT_EQ(reply.type(), "orderly.v1.PaymentDeclined");
    reasons[reply.order_id()] = Payload<v1::PaymentDeclined>(reply).reason();
  }
  EXPECT_EQ(reasons["order-1"], v1::DECLINE_REASON_INSUFFICIENT_FUNDS);
  EXPECT_EQ(reasons["order-2"], v1::DECLINE_REASON_NO_ACCOUNT);
  EXPECT_EQ(reasons["order-3"], v1::DECLINE_REASON_CURRENCY_MISMATCH);
  EXPECT_EQ(reasons["order-4"], v1::DECLINE_REASON_OVER_ORDER_LIMIT);
  EXPECT_EQ(Account("alice").available().minor_units(), 1000);
  EXPECT_EQ(Account("alice").held().minor_units(), 0);
}

TEST_F(PaymentTest, VoidReturnsTheHoldAndAVoidBeforeAuthorizationWins) {
  Fund("alice", 1000);
  Authorize("order-1", "alice", 400);
  Send<v1::VoidPayment>("order-1", "alice");
  Send<v1::VoidPayment>("order-2", "alice");  // e.g. the saga timed out before payment saw the order
  Authorize("order-2", "alice", 300);         // the stale authorization arrives afterwards
  ASSERT_TRUE(Replies().WaitFor(4));
  std::map<std::string, std::vector<std::string>> types;  // only one order's replies are ordered
  for (const auto& reply : Replies().Received()) types[reply.order_id()].push_back(reply.type());
  EXPECT_EQ(types["order-1"], (std::vector<std::string>{"orderly.v1.PaymentAuthorized", "orderly.v1.PaymentVoided"}));
  EXPECT_EQ(types["order-2"], (std::vector<std::string>{"orderly.v1.PaymentVoided", "orderly.v1.PaymentDeclined"}));
  EXPECT_EQ(Account("alice").available().minor_units(), 1000);
  EXPECT_EQ(Account("alice").held().minor_units(), 0);
  ExpectBalancedLedger("alice");
}

TEST_F(PaymentTest, RedeliveredCommandsChargeOnce) {
  Fund("alice", 1000);
  const v1::Envelope authorize = Authorize("order-1", "alice", 600);
  service_.SendEnvelope(messaging::kPaymentCommands, authorize);
  const v1::Envelope capture = Send<v1::CapturePayment>("order-1", "alice");
  service_.SendEnvelope(messaging::kPaymentCommands, capture);
  Send<v1::CapturePayment>("order-1", "alice");  // a new message id for the same capture
  ASSERT_TRUE(Replies().WaitFor(3));
  EXPECT_EQ(Account("alice").available().minor_units(), 400);
  EXPECT_EQ(Account("alice").held().minor_units(), 0);
  int captures = 0;
  for (const auto& entry : Ledger("alice")) captures += entry.operation() == "capture" ? 1 : 0;
  EXPECT_EQ(captures, 2);  // one balanced transaction: two legs
  ExpectBalancedLedger("alice");
}

TEST_F(PaymentTest, RedeliveredVoidAndRefundReturnMoneyOnce) {
  Fund("alice", 1000);
  Authorize("order-void", "alice", 200);
  const v1::Envelope void_command = Send<v1::VoidPayment>("order-void", "alice");
  service_.SendEnvelope(messaging::kPaymentCommands, void_command);
  Send<v1::VoidPayment>("order-void", "alice");
  Authorize("order-refund", "alice", 300);
  Send<v1::CapturePayment>("order-refund", "alice");
  const v1::Envelope refund = Send<v1::RefundPayment>("order-refund", "alice");
  service_.SendEnvelope(messaging::kPaymentCommands, refund);
  Send<v1::RefundPayment>("order-refund", "alice");
  ASSERT_TRUE(Replies().WaitFor(7));  // the exact redeliveries are deduplicated without a reply
  EXPECT_EQ(Account("alice").available().minor_units(), 1000);
  EXPECT_EQ(Account("alice").held().minor_units(), 0);
  int voids = 0;
  int refunds = 0;
  for (const auto& entry : Ledger("alice")) {
    voids += entry.operation() == "void" ? 1 : 0;
    refunds += entry.operation() == "refund" ? 1 : 0;
  }
  EXPECT_EQ(voids, 2);  // one balanced transaction each: two legs
  EXPECT_EQ(refunds, 2);
  ExpectBalancedLedger("alice");
}

TEST_F(PaymentTest, CaptureOfAnUnknownPaymentIsDeadLetteredAndTheServiceGoesOn) {
  Fund("alice", 1000);
  Send<v1::CapturePayment>("order-x", "alice");
  Authorize("order-1", "alice", 100);
  EXPECT_EQ(ReplyAt(0).order_id(), "order-1");
  EXPECT_EQ(Account("alice").held().minor_units(), 100);
}

TEST_F(PaymentTest, ConcurrentAuthorizeAndCaptureChargeOnce) {
  Fund("alice", 1000);
  auto& cluster = *service_.runtime().cluster;
  Payments payments(1'000'000, SystemClock::Instance());
  v1::AuthorizePayment command;
  command.set_order_id("order-1");
  command.set_customer_id("alice");
  command.mutable_amount()->set_minor_units(300);
  command.mutable_amount()->set_currency("EUR");
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      try {
        cluster.Transact(cluster.ShardFor("alice"), [&](pg::Transaction& tx) {
          if (i % 2 == 0) {
            payments.Authorize(tx, command);
          } else {
            payments.Capture(tx, "order-1", "alice");
          }
        });
      } catch (const messaging::PoisonMessage&) {
        // a capture that ran before any authorization: refused, as it should be
      }
    });
  }
  for (auto& thread : threads) thread.join();
  cluster.Transact(cluster.ShardFor("alice"), [&](pg::Transaction& tx) { payments.Capture(tx, "order-1", "alice"); });
  EXPECT_EQ(Account("alice").available().minor_units(), 700);
  EXPECT_EQ(Account("alice").held().minor_units(), 0);
  ExpectBalancedLedger("alice");
}

class PaymentRefundTest : public PaymentTest {
 protected:
  // A captured payment of `amount` for order-1 of alice, funded with 10,000.
  void Captured(int64_t amount) {
    Fund("alice", 10'000);
    Authorize("order-1", "alice", amount);
    Send<v1::CapturePayment>("order-1", "alice");
    ASSERT_TRUE(Replies().WaitFor(2));
  }

  v1::Envelope RefundPart(const std::string& refund_id, int64_t amount) {
    v1::RefundPayment command;
    command.set_order_id("order-1");
    command.set_customer_id("alice");
    command.set_refund_id(refund_id);
    command.mutable_amount()->set_minor_units(amount);
    command.mutable_amount()->set_currency("EUR");
    return service_.Send(messaging::kPaymentCommands, "order-1", command);
  }

  v1::Payment Payment() {
    v1::GetPaymentRequest get;
    get.set_order_id("order-1");
    v1::GetPaymentResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(stub_->GetPayment(&context, get, &response).ok());
    return response.payment();
  }
};

TEST_F(PaymentRefundTest, PartialRefundsReturnTheirAmountOnceEachUpToTheCapture) {
  ASSERT_NO_FATAL_FAILURE(Captured(2500));
  RefundPart("refund-a", 1000);
  const auto first = Payload<v1::PaymentRefunded>(ReplyAt(2));
  EXPECT_EQ(first.refund_id(), "refund-a");
  EXPECT_EQ(first.amount().minor_units(), 1000);
  RefundPart("refund-a", 1000);  // the saga sent it again: answered, not applied again
  EXPECT_EQ(ReplyAt(3).type(), "orderly.v1.PaymentRefunded");
  EXPECT_EQ(Account("alice").available().minor_units(), 7500 + 1000);
  EXPECT_EQ(Payment().status(), v1::PAYMENT_STATUS_CAPTURED);
  EXPECT_EQ(Payment().refunded().minor_units(), 1000);

  RefundPart("refund-b", 1501);
  const auto over = Payload<v1::PaymentRefundRefused>(ReplyAt(4));
  EXPECT_EQ(over.refund_id(), "refund-b");
  EXPECT_EQ(over.reason(), "a refund of 1501 exceeds the 1500 still captured");
  RefundPart("refund-c", 1500);
  EXPECT_EQ(ReplyAt(5).type(), "orderly.v1.PaymentRefunded");
  EXPECT_EQ(Account("alice").available().minor_units(), 10'000);
  EXPECT_EQ(Payment().status(), v1::PAYMENT_STATUS_REFUNDED);
  EXPECT_EQ(Payment().refunded().minor_units(), 2500);
  ExpectBalancedLedger("alice");
}

TEST_F(PaymentRefundTest, ARefundByHandReturnsWhatRemainsAndLaterRefundsAreRefused) {
  ASSERT_NO_FATAL_FAILURE(Captured(2500));
  RefundPart("refund-a", 400);
  ASSERT_TRUE(Replies().WaitFor(3));
  Send<v1::RefundPayment>("order-1", "alice");  // by hand: everything still captured
  EXPECT_EQ(ReplyAt(3).type(), "orderly.v1.PaymentRefunded");
  EXPECT_EQ(Account("alice").available().minor_units(), 10'000);
  EXPECT_EQ(Payment().refunded().minor_units(), 2500);
  RefundPart("refund-b", 100);
  EXPECT_EQ(Payload<v1::PaymentRefundRefused>(ReplyAt(4)).reason(), "the payment of order order-1 is refunded");
  EXPECT_EQ(Account("alice").available().minor_units(), 10'000);
  ExpectBalancedLedger("alice");
}

TEST_F(PaymentRefundTest, ARefusedRefundStaysRefusedWhenAskedAgain) {
  Fund("alice", 10'000);
  Authorize("order-1", "alice", 2500);
  RefundPart("refund-a", 100);
  EXPECT_EQ(Payload<v1::PaymentRefundRefused>(ReplyAt(1)).reason(), "the payment of order order-1 is authorized");
  EXPECT_EQ(Account("alice").held().minor_units(), 2500);
  Send<v1::CapturePayment>("order-1", "alice");
  RefundPart("refund-a", 100);  // sent again after the saga failed it: still refused, nothing moved
  EXPECT_EQ(Payload<v1::PaymentRefundRefused>(ReplyAt(3)).reason(), "the payment of order order-1 is authorized");
  EXPECT_EQ(Account("alice").available().minor_units(), 7500);
  EXPECT_EQ(Payment().refunded().minor_units(), 0);
}

}  // namespace
}  // namespace orderly::payment
