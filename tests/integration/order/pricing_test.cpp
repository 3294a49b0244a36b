#include "pricing.h"

#include <gtest/gtest.h>

#include "orderly/auth/token_minter.h"
#include "orderly/inventory/inventory.h"
#include "orderly/v1/inventory.grpc.pb.h"
#include "service_harness.h"
#include "test_env.h"

namespace orderly::order {
namespace {

using std::chrono::milliseconds;

// The pricer against a real inventory service, its cache on a clock the test moves.
class PricingTest : public ::testing::Test {
 protected:
  PricingTest() {
    inventory_.Start();
    catalog_ = v1::InventoryService::NewStub(inventory_.Channel());
    SetPrice(1200);
    rpc::ClientSettings settings;
    settings.target = inventory_.Address();
    pricer_ = std::make_unique<InventoryPricer>(settings, 2, std::chrono::seconds(30), ServiceTokens(), cache_);
  }

  // Tokens as the order service mints them for its calls to inventory.
  std::shared_ptr<auth::TokenSource> ServiceTokens() {
    const auth::Settings& settings = inventory_.settings().edge.auth;
    auth::TokenRequest request{"orderly-order", {std::string(auth::kScopeService)}, settings.verifier.issuer,
                               settings.verifier.audience, settings.service_token_ttl};
    return std::make_shared<auth::MintingTokenSource>(
        auth::SigningKey::LoadFile(settings.service_key_file, settings.service_key_id), std::move(request),
        SystemClock::Instance());
  }

  void SetPrice(int64_t minor_units) {
    v1::UpsertProductRequest request;
    request.mutable_product()->set_sku("MUG");
    request.mutable_product()->set_name("Mug");
    request.mutable_product()->mutable_unit_price()->set_minor_units(minor_units);
    request.mutable_product()->mutable_unit_price()->set_currency("EUR");
    v1::UpsertProductResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(catalog_->UpsertProduct(&context, request, &response).ok());
  }

  int64_t Price() { return pricer_->Product("MUG", "lines[0].sku").unit_price().minor_units(); }

  testing::ServiceHarness inventory_{inventory::Definition()};
  std::unique_ptr<v1::InventoryService::Stub> catalog_;
  ManualClock clock_;
  ProductCache cache_{milliseconds(1000), 10, clock_};
  std::unique_ptr<InventoryPricer> pricer_;
};

TEST_F(PricingTest, APriceChangeReachesOrdersThroughABackgroundReadBeforeTheCachedPriceExpires) {
  EXPECT_EQ(Price(), 1200);
  SetPrice(1500);
  clock_.Advance(milliseconds(400));
  EXPECT_EQ(Price(), 1200);  // young: nobody asks inventory
  clock_.Advance(milliseconds(200));
  EXPECT_EQ(Price(), 1200);  // past half its ttl: served as kept while it is read again
  // The clock stands still, 400 ms before expiry: only the background read can bring the new price.
  EXPECT_TRUE(testing::WaitUntil([&] { return Price() == 1500; }));
}

TEST_F(PricingTest, WhileInventoryIsDownOrdersKeepTheCachedPriceUntilItExpires) {
  EXPECT_EQ(Price(), 1200);
  inventory_.Stop();
  clock_.Advance(milliseconds(600));
  EXPECT_EQ(Price(), 1200);
  // Its background read fails, and a later order may claim another.
  EXPECT_TRUE(testing::WaitUntil([&] { return cache_.ClaimRefresh("MUG"); }));
  cache_.RefreshFailed("MUG");
  clock_.Advance(milliseconds(400));
  EXPECT_THROW((void)Price(), Unavailable);
}

}  // namespace
}  // namespace orderly::order
