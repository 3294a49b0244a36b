// Tokens for people: `orderlyctl token mint` against a stack with authentication on, and what a
// customer's token lets orderlyctl do through $ORDERLY_TOKEN.
#include <gtest/gtest.h>

#include <algorithm>

#include "process_stack.h"
#include "shop_client.h"

namespace orderly::testing {
namespace {

class OrderlyctlTokenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { stack_ = new ProcessStack(); }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  /// orderlyctl with `token` in $ORDERLY_TOKEN.
  static CommandResult CtlAs(const std::string& token, const std::string& args) {
    return RunCommand("ORDERLY_TOKEN='" + token + "' " + std::string(ORDERLY_CTL_BIN) + " --config " +
                      stack_->config_path() + " " + args);
  }

  static std::string Mint(const std::string& args) {
    const CommandResult minted = stack_->Ctl("token mint " + args);
    EXPECT_EQ(minted.exit_code, 0) << minted.output;
    return minted.output.substr(0, minted.output.find('\n'));
  }

  static inline ProcessStack* stack_ = nullptr;
  ShopClient shop_{stack_->settings().services};
};

TEST_F(OrderlyctlTokenTest, AMintedCustomerTokenReadsItsOwnOrdersOnly) {
  const std::string alice = UniqueName("alice");
  const std::string bob = UniqueName("bob");
  const std::string token = Mint("--sub " + alice + " --scope orders");
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2) << token;
  EXPECT_EQ(CtlAs(token, "orders list " + alice).exit_code, 0);
  const CommandResult other = CtlAs(token, "orders list " + bob);
  EXPECT_EQ(other.exit_code, 1) << other.output;
  EXPECT_NE(other.output.find("may act only for itself"), std::string::npos) << other.output;
  const CommandResult admin_only = CtlAs(token, "stock restock SKU-X 5");
  EXPECT_EQ(admin_only.exit_code, 1) << admin_only.output;
  EXPECT_NE(admin_only.output.find("needs scope admin"), std::string::npos) << admin_only.output;
}

TEST_F(OrderlyctlTokenTest, WithoutOrderlyTokenOrderlyctlMintsItselfAnAdminToken) {
  const std::string sku = UniqueName("SKU");
  EXPECT_EQ(stack_->Ctl("products add " + sku + " Mug 1200 EUR").exit_code, 0);
  EXPECT_EQ(stack_->Ctl("stock restock " + sku + " 5").exit_code, 0);
  EXPECT_EQ(shop_.Stock(sku).on_hand(), 5);
}

TEST_F(OrderlyctlTokenTest, ABadTokenIsUnauthenticatedNamingTheCheck) {
  // {"alg":"ES256","kid":"retired"}: a key the stack's JWKS does not hold.
  const CommandResult unknown_key = CtlAs("eyJhbGciOiJFUzI1NiIsImtpZCI6InJldGlyZWQifQ.e30.c2ln", "orders list alice");
  EXPECT_EQ(unknown_key.exit_code, 1) << unknown_key.output;
  EXPECT_NE(unknown_key.output.find("key: no key with kid 'retired'"), std::string::npos) << unknown_key.output;
  const CommandResult no_alg = CtlAs("e30.e30.c2ln", "orders list alice");
  EXPECT_EQ(no_alg.exit_code, 1) << no_alg.output;
  EXPECT_NE(no_alg.output.find("algorithm: '' is not accepted"), std::string::npos) << no_alg.output;
}

TEST_F(OrderlyctlTokenTest, MintRefusesAnUnknownScope) {
  const CommandResult refused = stack_->Ctl("token mint --sub alice --scope superuser");
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
}

}  // namespace
}  // namespace orderly::testing
