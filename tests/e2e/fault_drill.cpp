#include "fault_drill.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <regex>
#include <thread>

namespace orderly::testing {
namespace {

constexpr int64_t kUnitPrice = 100;
constexpr int64_t kFunds = 1'000;

// "N dead letters" from `orderlyctl dlq list`, or -1 if it did not say.
int64_t DeadLetters(const ProcessStack& stack) {
  const CommandResult listed = stack.Ctl("dlq list");
  std::smatch match;
  if (listed.exit_code != 0 || !std::regex_search(listed.output, match, std::regex(R"((\d+) dead letters)"))) return -1;
  return std::stoll(match[1]);
}

}  // namespace

FaultDrill::FaultDrill(ProcessStack& stack, int orders)
    : stack_(stack), shop_(stack.settings().services), sku_(UniqueName("SKU")) {
  shop_.AddProduct(sku_, kUnitPrice, 10 * orders);
  customers_ = shop_.FundCustomers(orders, kFunds);
  ids_.resize(customers_.size());
}

void FaultDrill::Run(const std::function<void()>& inject, std::chrono::seconds outage,
                     const std::function<void()>& heal) {
  std::atomic<size_t> placed{0};
  std::thread burst([&] {
    for (size_t i = 0; i < customers_.size(); ++i) {
      ids_[i] = shop_.Place(customers_[i], sku_, 1);
      ++placed;
    }
  });
  EXPECT_TRUE(WaitUntil([&] { return placed >= customers_.size() / 3; }, std::chrono::seconds(60)));
  inject();
  std::this_thread::sleep_for(outage);  // the outage itself, not a wait for a condition
  heal();
  healed_ = std::chrono::steady_clock::now();
  burst.join();
}

void FaultDrill::ExpectEveryOrderConfirmed(const std::string& fault) {
  const int orders = static_cast<int>(ids_.size());
  auto outcomes = shop_.Outcomes(ids_);
  const double recovery_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - healed_).count();
  int terminal = 0;
  for (const auto& [status, count] : outcomes) terminal += status == v1::ORDER_STATUS_PENDING ? 0 : count;
  EXPECT_EQ(outcomes[v1::ORDER_STATUS_CONFIRMED], orders);
  for (const auto& id : ids_) {
    EXPECT_TRUE(WaitUntil([&] { return shop_.Settled(id); }, std::chrono::seconds(60))) << id;
  }
  const v1::Stock stock = shop_.Stock(sku_);
  EXPECT_EQ(stock.on_hand(), 10 * orders - orders);
  EXPECT_EQ(stock.reserved(), 0);
  EXPECT_EQ(stock.committed(), orders);
  for (const auto& customer : customers_) {
    const v1::Account account = shop_.Account(customer);
    EXPECT_EQ(account.available().minor_units(), kFunds - kUnitPrice) << customer;
    EXPECT_EQ(account.held().minor_units(), 0) << customer;
  }
  const CommandResult audit = stack_.Ctl("audit");
  EXPECT_EQ(audit.exit_code, 0) << audit.output;
  const int64_t resent = stack_.SumOverShards("SELECT coalesce(sum(attempts - 1), 0) FROM orchestrator.saga_steps");
  const int64_t dead_letters = DeadLetters(stack_);
  EXPECT_EQ(dead_letters, 0);
  std::printf("FAULT %s: orders %d, terminal %d, confirmed %d, last order ended %.1f s after healing, "
              "commands re-sent %lld, dead letters %lld\n",
              fault.c_str(), orders, terminal, outcomes[v1::ORDER_STATUS_CONFIRMED], recovery_s,
              static_cast<long long>(resent), static_cast<long long>(dead_letters));
}

}  // namespace orderly::testing
