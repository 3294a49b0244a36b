// Saga flows through a private stack of processes (ProcessStack): the four outcomes, a step
// timeout with payment stopped, two orchestrator replicas racing, and redelivery of every message
// after rewinding every consumer group. Checked through the APIs and `orderlyctl audit`.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <future>

#include "orderly/messaging/topics.h"
#include "process_stack.h"
#include "shop_client.h"

namespace orderly::testing {
namespace {

using google::protobuf::util::MessageDifferencer;

class SagaFlowsTest : public ::testing::Test {
 protected:
  void Open(ProcessStack::Options options) {
    stack_ = std::make_unique<ProcessStack>(options);
    shop_ = std::make_unique<ShopClient>(stack_->settings().services);
  }

  void ExpectAuditClean() {
    const CommandResult audit = stack_->Ctl("audit");
    EXPECT_EQ(audit.exit_code, 0) << audit.output;
  }

  std::unique_ptr<ProcessStack> stack_;
  std::unique_ptr<ShopClient> shop_;
};

// The demo's four orders: confirmed; rejected for stock; rejected for payment; cancelled while its
// payment step waits (payment is stopped meanwhile, then restarted to work through its backlog).
class FourOutcomesTest : public SagaFlowsTest {
 protected:
  void PlaceFourOrders() {
    shop_->AddProduct(mug_, 500, 5);
    shop_->AddProduct(tea_, 300, 10);
    shop_->Fund(alice_, 10'000);
    shop_->Fund(bob_, 100);
    shop_->Fund(carol_, 10'000);
    confirmed_ = shop_->Place(alice_, mug_, 1, "first");
    no_stock_ = shop_->Place(alice_, mug_, 50, "second");  // short of money too: stock is the reason
    no_money_ = shop_->Place(bob_, mug_, 1);
    EXPECT_EQ(shop_->WaitForTerminal(confirmed_).status(), v1::ORDER_STATUS_CONFIRMED);

    stack_->Stop("payment");
    cancelled_ = shop_->Place(carol_, tea_, 2);
    ASSERT_TRUE(WaitUntil([&] { return shop_->Stock(tea_).reserved() == 2; }, std::chrono::seconds(30)));
    shop_->Cancel(cancelled_);
    EXPECT_EQ(shop_->WaitForTerminal(cancelled_).status(), v1::ORDER_STATUS_CANCELLED);
    stack_->Start("payment");
    for (const auto& id : Orders()) {
      EXPECT_TRUE(WaitUntil([&] { return shop_->Settled(id); }, std::chrono::seconds(60))) << id;
    }
  }

  std::vector<std::string> Orders() const { return {confirmed_, no_stock_, no_money_, cancelled_}; }

  const std::string mug_ = UniqueName("MUG");
  const std::string tea_ = UniqueName("TEA");
  const std::string alice_ = UniqueName("alice");
  const std::string bob_ = UniqueName("bob");
  const std::string carol_ = UniqueName("carol");
  std::string confirmed_, no_stock_, no_money_, cancelled_;
};

TEST_F(FourOutcomesTest, EachOrderEndsItsOwnWayWithStockAndMoneyExact) {
  Open({.step_timeout = std::chrono::seconds(30)});
  ASSERT_NO_FATAL_FAILURE(PlaceFourOrders());

  const v1::Order no_stock = shop_->Order(no_stock_);
  EXPECT_EQ(no_stock.status(), v1::ORDER_STATUS_REJECTED);
  EXPECT_EQ(no_stock.reject_reason(), v1::REJECT_REASON_OUT_OF_STOCK);
  const v1::Order no_money = shop_->Order(no_money_);
  EXPECT_EQ(no_money.status(), v1::ORDER_STATUS_REJECTED);
  EXPECT_EQ(no_money.reject_reason(), v1::REJECT_REASON_PAYMENT_DECLINED);

  EXPECT_EQ(shop_->Saga(confirmed_).state(), v1::SAGA_STATE_CONFIRMED);
  EXPECT_EQ(shop_->Saga(no_stock_).state(), v1::SAGA_STATE_REJECTED);
  EXPECT_EQ(StepsNamed(shop_->Saga(no_stock_), "release_stock"), 0);  // nothing was reserved
  EXPECT_EQ(shop_->Saga(no_money_).state(), v1::SAGA_STATE_REJECTED);
  // Reserved alongside the payment, then released (a reservation that lands after the decline adds
  // one more); the stock and balances below show the effect is exact.
  EXPECT_GE(StepsNamed(shop_->Saga(no_money_), "release_stock"), 1);
  EXPECT_EQ(shop_->Saga(cancelled_).state(), v1::SAGA_STATE_CANCELLED);

  const v1::Stock mugs = shop_->Stock(mug_);
  EXPECT_EQ(mugs.on_hand(), 4);  // only the confirmed mug shipped
  EXPECT_EQ(mugs.reserved(), 0);
  EXPECT_EQ(mugs.committed(), 1);
  const v1::Stock tea = shop_->Stock(tea_);
  EXPECT_EQ(tea.on_hand(), 10);
  EXPECT_EQ(tea.reserved(), 0);
  EXPECT_TRUE(WaitUntil([&] { return shop_->Account(carol_).held().minor_units() == 0; }));
  EXPECT_EQ(shop_->Account(alice_).available().minor_units(), 9'500);
  EXPECT_EQ(shop_->Account(alice_).held().minor_units(), 0);
  EXPECT_EQ(shop_->Account(bob_).available().minor_units(), 100);
  EXPECT_EQ(shop_->Account(carol_).available().minor_units(), 10'000);
  ExpectAuditClean();
  EXPECT_TRUE(WaitUntil([&] {  // the orchestrator's periodic throughput line
    const std::string log = stack_->Log("orchestrator");
    return log.find("ended in 0.5 s") != std::string::npos && log.find("reserve_stock p50") != std::string::npos;
  })) << stack_->Log("orchestrator");
}

// Replays every message ever consumed: each service's consumer group is rewound to the start of its
// topics while the services are stopped. Nothing may change.
TEST_F(FourOutcomesTest, RedeliveringEveryMessageAfterRewindingTheConsumerGroupsChangesNothing) {
  Open({.step_timeout = std::chrono::seconds(30)});
  ASSERT_NO_FATAL_FAILURE(PlaceFourOrders());
  const auto snapshot = [&] {
    std::vector<std::unique_ptr<google::protobuf::Message>> state;
    for (const auto& id : Orders()) {
      state.push_back(std::make_unique<v1::Order>(shop_->Order(id)));
      state.push_back(std::make_unique<v1::Saga>(shop_->Saga(id)));
    }
    for (const auto& sku : {mug_, tea_}) state.push_back(std::make_unique<v1::Stock>(shop_->Stock(sku)));
    for (const auto& customer : {alice_, bob_, carol_}) {
      state.push_back(std::make_unique<v1::Account>(shop_->Account(customer)));
      for (const auto& entry : shop_->Ledger(customer)) state.push_back(std::make_unique<v1::LedgerEntry>(entry));
    }
    return state;
  };
  const auto before = snapshot();

  // As an operator would: stop the services, rewind their groups with orderlyctl, start them.
  for (const auto& service : stack_->Services()) stack_->Stop(service);
  std::vector<std::future<CommandResult>> rewinds;  // each waits out a group rebalance: in parallel
  for (const auto& group : messaging::ConsumerGroups()) {
    rewinds.push_back(std::async(std::launch::async, [this, service = std::string(group.service)] {
      return stack_->Ctl("groups rewind " + service);
    }));
  }
  for (auto& rewind : rewinds) {
    const CommandResult result = rewind.get();
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("will consume"), std::string::npos) << result.output;
    EXPECT_EQ(result.output.find("consume 0 messages"), std::string::npos) << result.output;
  }
  for (const auto& service : stack_->Services()) stack_->Start(service);
  CommandResult groups;
  EXPECT_TRUE(WaitUntil(
      [&] {
        groups = stack_->Ctl("--json groups list");
        int64_t lag = 0;
        google::protobuf::Struct listed;
        if (!google::protobuf::util::JsonStringToMessage(groups.output, &listed).ok()) return false;
        for (const auto& group : listed.fields().at("groups").list_value().values()) {
          lag += static_cast<int64_t>(group.struct_value().fields().at("lag").number_value());
        }
        return lag == 0;
      },
      std::chrono::seconds(90)))
      << "the services did not consume their topics again:\n" << groups.output;

  const auto after = snapshot();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_TRUE(MessageDifferencer::Equals(*before[i], *after[i]))
        << "before:\n" << before[i]->DebugString() << "after:\n" << after[i]->DebugString();
  }
  ExpectAuditClean();
}

TEST_F(SagaFlowsTest, StepTimeoutWithPaymentStoppedReleasesStockAndTheLateAuthorizationsAreVoided) {
  Open({.step_timeout = std::chrono::seconds(2), .orchestrators = 2});
  const std::string sku = UniqueName("LAMP");
  shop_->AddProduct(sku, 400, 10);
  std::vector<std::string> customers = shop_->FundCustomers(7, 1'000);
  // One order through first, so every consumer has joined its group before timeouts count.
  EXPECT_EQ(shop_->WaitForTerminal(shop_->Place(customers.back(), sku, 1)).status(), v1::ORDER_STATUS_CONFIRMED);
  customers.pop_back();
  stack_->Stop("payment");
  std::vector<std::string> ids;
  for (const auto& customer : customers) ids.push_back(shop_->Place(customer, sku, 1));
  for (const auto& id : ids) {
    const v1::Order order = shop_->WaitForTerminal(id);
    EXPECT_EQ(order.status(), v1::ORDER_STATUS_REJECTED) << id;
    EXPECT_EQ(order.reject_reason(), v1::REJECT_REASON_TIMEOUT) << id;
  }
  EXPECT_TRUE(WaitUntil([&] { return shop_->Stock(sku).reserved() == 0; }));
  EXPECT_EQ(shop_->Stock(sku).on_hand(), 9);
  for (const auto& id : ids) {  // two replicas sweep the same timers: each fired once
    const v1::Saga saga = shop_->Saga(id);
    EXPECT_EQ(StepsWithOutcome(saga, v1::STEP_OUTCOME_TIMED_OUT), 1) << saga.DebugString();
    EXPECT_EQ(StepsNamed(saga, "reject_order"), 1) << saga.DebugString();
    EXPECT_GE(StepsNamed(saga, "release_stock"), 1) << saga.DebugString();  // a late reservation adds one more
  }

  stack_->Start("payment");  // works through the stale authorizations
  for (const auto& id : ids) {
    EXPECT_TRUE(WaitUntil([&] { return shop_->Settled(id); }, std::chrono::seconds(60))) << id;
  }
  for (const auto& customer : customers) {
    EXPECT_TRUE(WaitUntil([&] { return shop_->Account(customer).held().minor_units() == 0; })) << customer;
    EXPECT_EQ(shop_->Account(customer).available().minor_units(), 1'000) << customer;
    for (const auto& entry : shop_->Ledger(customer)) EXPECT_NE(entry.operation(), "capture") << customer;
  }
  ExpectAuditClean();
}

TEST_F(SagaFlowsTest, TwoOrchestratorReplicasSellExactlyTheStockThereIs) {
  Open({.step_timeout = std::chrono::seconds(30), .orchestrators = 2});
  const std::string sku = UniqueName("TICKET");
  shop_->AddProduct(sku, 100, 20);
  std::vector<std::string> ids;
  for (const auto& customer : shop_->FundCustomers(60, 1'000)) ids.push_back(shop_->Place(customer, sku, 1));
  auto outcomes = shop_->Outcomes(ids);
  EXPECT_EQ(outcomes[v1::ORDER_STATUS_CONFIRMED], 20);
  EXPECT_EQ(outcomes[v1::ORDER_STATUS_REJECTED], 40);
  for (const auto& id : ids) {
    EXPECT_TRUE(WaitUntil([&] { return shop_->Settled(id); }, std::chrono::seconds(60))) << id;
  }
  const v1::Stock stock = shop_->Stock(sku);
  EXPECT_EQ(stock.on_hand(), 0);
  EXPECT_EQ(stock.reserved(), 0);
  EXPECT_EQ(stock.committed(), 20);
  ExpectAuditClean();
}

}  // namespace
}  // namespace orderly::testing
