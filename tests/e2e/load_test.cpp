// Many orders through the whole stack as processes: 200 orders racing for 50 units.
#include "load_fixture.h"

namespace orderly {
namespace {

TEST_F(LoadTest, TwoHundredOrdersForFiftyUnitsConfirmExactlyFifty) {
  Seed(50, 200);
  std::vector<std::string> ids;
  for (size_t i = 0; i < customers_.size(); ++i) ids.push_back(Place(i));
  auto outcomes = Outcomes(ids);
  EXPECT_EQ(outcomes[v1::ORDER_STATUS_CONFIRMED], 50);
  EXPECT_EQ(outcomes[v1::ORDER_STATUS_REJECTED], 150);
  EXPECT_TRUE(WaitUntil([&] { return Stock().on_hand() == 0 && Stock().reserved() == 0; }));
  EXPECT_EQ(Stock().restocked(), 50);
  EXPECT_EQ(Stock().committed(), 50);
  int charged = 0;
  for (const auto& customer : customers_) {
    v1::GetAccountRequest account;
    account.set_customer_id(customer);
    account.set_currency("EUR");
    v1::GetAccountResponse balance;
    EXPECT_TRUE(WaitUntil([&] {
      return Ok([&](auto* c) { return payment_->GetAccount(c, account, &balance); }) &&
             balance.account().held().minor_units() == 0;
    }));
    charged += balance.account().available().minor_units() == 900 ? 1 : 0;
  }
  EXPECT_EQ(charged, 50);
}

}  // namespace
}  // namespace orderly
