// kill -9 of each service during a burst of orders, on a private stack of processes: restarted
// after an outage, the stack recovers by itself and every order that had stock and money is
// CONFIRMED, charged once.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "process_stack.h"
#include "shop_client.h"

namespace orderly::testing {
namespace {

constexpr int kOrders = 150;
constexpr auto kOutage = std::chrono::seconds(15);  // shorter than the default step timeout (60 s)

class CrashTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CrashTest, KilledMidBurstAndRestartedAfterAnOutageEveryOrderIsConfirmed) {
  const std::string victim = GetParam();
  ProcessStack stack;
  ShopClient shop(stack.settings().services);
  const std::string sku = UniqueName("SKU");
  shop.AddProduct(sku, 100, 1000);
  const std::vector<std::string> customers = shop.FundCustomers(kOrders, 1'000);
  std::vector<std::string> ids(customers.size());
  std::atomic<int> placed{0};
  std::thread burst([&] {  // Place retries while the order service (or its pricing) is away
    for (size_t i = 0; i < customers.size(); ++i) {
      ids[i] = shop.Place(customers[i], sku, 1);
      ++placed;
    }
  });
  EXPECT_TRUE(WaitUntil([&] { return placed >= kOrders / 3; }, std::chrono::seconds(60)));
  stack.Kill(victim);
  std::this_thread::sleep_for(kOutage);  // the outage itself, not a wait for a condition
  stack.Start(victim);
  burst.join();

  auto outcomes = shop.Outcomes(ids);
  EXPECT_EQ(outcomes[v1::ORDER_STATUS_CONFIRMED], kOrders);
  for (const auto& id : ids) {
    EXPECT_TRUE(WaitUntil([&] { return shop.Settled(id); }, std::chrono::seconds(60))) << id;
  }
  const v1::Stock stock = shop.Stock(sku);
  EXPECT_EQ(stock.on_hand(), 1000 - kOrders);
  EXPECT_EQ(stock.reserved(), 0);
  EXPECT_EQ(stock.committed(), kOrders);
  for (const auto& customer : customers) {
    const v1::Account account = shop.Account(customer);
    EXPECT_EQ(account.available().minor_units(), 900) << customer;
    EXPECT_EQ(account.held().minor_units(), 0) << customer;
  }
  const CommandResult audit = stack.Ctl("audit");
  EXPECT_EQ(audit.exit_code, 0) << audit.output;
}

INSTANTIATE_TEST_SUITE_P(EachService, CrashTest, ::testing::Values("orchestrator", "inventory", "payment", "order"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace orderly::testing
