// Many orders through the shared stack of processes: 200 orders racing for 50 units.
#include <gtest/gtest.h>

#include "shop_client.h"
#include "test_env.h"

namespace orderly::testing {
namespace {

TEST(LoadTest, TwoHundredOrdersForFiftyUnitsConfirmExactlyFifty) {
  ShopClient shop(TestPlatform().services);
  const std::string sku = UniqueName("SKU");
  shop.AddProduct(sku, 100, 50);
  const std::vector<std::string> customers = shop.FundCustomers(200, 1'000);
  std::vector<std::string> ids;
  for (const auto& customer : customers) ids.push_back(shop.Place(customer, sku, 1));
  auto outcomes = shop.Outcomes(ids);
  EXPECT_EQ(outcomes[v1::ORDER_STATUS_CONFIRMED], 50);
  EXPECT_EQ(outcomes[v1::ORDER_STATUS_REJECTED], 150);
  EXPECT_TRUE(WaitUntil([&] { return shop.Stock(sku).on_hand() == 0 && shop.Stock(sku).reserved() == 0; }));
  EXPECT_EQ(shop.Stock(sku).restocked(), 50);
  EXPECT_EQ(shop.Stock(sku).committed(), 50);
  int charged = 0;
  for (const auto& customer : customers) {
    EXPECT_TRUE(WaitUntil([&] { return shop.Account(customer).held().minor_units() == 0; })) << customer;
    charged += shop.Account(customer).available().minor_units() == 900 ? 1 : 0;
  }
  EXPECT_EQ(charged, 50);
}

}  // namespace
}  // namespace orderly::testing
