// kill -9 of services during a burst of orders, on a private stack of processes: after a restart
// the stack recovers by itself.
#include <gtest/gtest.h>

#include "process_stack.h"
#include "shop_client.h"

namespace orderly::testing {
namespace {

TEST(CrashTest, KillingTheOrchestratorThenInventoryMidBurstLeavesEveryOrderTerminalAndTheAuditClean) {
  ProcessStack stack;
  ShopClient shop(stack.settings().services);
  const std::string sku = UniqueName("SKU");
  shop.AddProduct(sku, 100, 1000);
  const std::vector<std::string> customers = shop.FundCustomers(200, 1'000);
  std::vector<std::string> ids;
  for (size_t i = 0; i < customers.size(); ++i) {
    if (i == 50 || i == 120) {
      const std::string victim = i == 50 ? "orchestrator" : "inventory";
      stack.Kill(victim);
      stack.Start(victim);
    }
    ids.push_back(shop.Place(customers[i], sku, 1));
  }
  auto outcomes = shop.Outcomes(ids);
  EXPECT_EQ(outcomes[v1::ORDER_STATUS_CONFIRMED] + outcomes[v1::ORDER_STATUS_REJECTED], 200);
  EXPECT_TRUE(WaitUntil([&] { return shop.Stock(sku).reserved() == 0; }, std::chrono::seconds(60)));
  EXPECT_EQ(shop.Stock(sku).on_hand(), 1000 - outcomes[v1::ORDER_STATUS_CONFIRMED]);
  CommandResult audit;
  EXPECT_TRUE(WaitUntil([&] { return (audit = stack.Ctl("audit")).exit_code == 0; }, std::chrono::seconds(60)))
      << "orderlyctl audit keeps finding violations:\n" << audit.output;
}

}  // namespace
}  // namespace orderly::testing
