#include "pricing.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include "orderly/inventory/inventory.h"
#include "orderly/metrics/registry.h"
#include "orderly/v1/inventory.grpc.pb.h"
#include "service_harness.h"
#include "test_env.h"
#include "test_tokens.h"

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
    pricer_ = std::make_unique<InventoryPricer>(settings, 2, std::chrono::seconds(30), testing::AdminTokens(), cache_);
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

  // GetProduct calls inventory (in this process) answered so far.
  static int64_t GetProductCalls() {
    const std::string text = metrics::DefaultRegistry().Expose();
    const std::string series =
        "orderly_rpc_server_handled_total{method=\"orderly.v1.InventoryService/GetProduct\",code=\"OK\"} ";
    const size_t at = text.find(series);
    return at == std::string::npos ? 0 : std::stoll(text.substr(at + series.size()));
  }

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

TEST_F(PricingTest, OrdersThatMissTheSameSkuAtOnceShareOneCallToInventory) {
  constexpr int kOrders = 16;
  const int64_t calls_before = GetProductCalls();
  std::latch start(kOrders);
  std::atomic<int> priced{0};
  std::vector<std::thread> orders;
  for (int i = 0; i < kOrders; ++i) {
    orders.emplace_back([&] {
      start.arrive_and_wait();
      if (Price() == 1200) ++priced;
    });
  }
  for (auto& order : orders) order.join();
  EXPECT_EQ(priced, kOrders);
  EXPECT_EQ(GetProductCalls() - calls_before, 1);
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
