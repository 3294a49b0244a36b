#include "product_cache.h"

#include <gtest/gtest.h>

namespace orderly::order {
namespace {

using std::chrono::milliseconds;

v1::Product Priced(const std::string& sku, int64_t minor_units) {
  v1::Product product;
  product.set_sku(sku);
  product.mutable_unit_price()->set_minor_units(minor_units);
  product.mutable_unit_price()->set_currency("EUR");
  return product;
}

class ProductCacheTest : public ::testing::Test {
 protected:
  ManualClock clock_;
};

TEST_F(ProductCacheTest, AProductIsKeptForItsTtlAndNotAMomentLonger) {
  ProductCache cache(milliseconds(1000), 10, clock_);
  EXPECT_FALSE(cache.Get("A").has_value());
  cache.Put(Priced("A", 250));
  clock_.Advance(milliseconds(999));
  ASSERT_TRUE(cache.Get("A").has_value());
  EXPECT_EQ(cache.Get("A")->unit_price().minor_units(), 250);
  clock_.Advance(milliseconds(1));
  EXPECT_FALSE(cache.Get("A").has_value());
}

TEST_F(ProductCacheTest, ANewerAnswerReplacesTheOlderOne) {
  ProductCache cache(milliseconds(1000), 10, clock_);
  cache.Put(Priced("A", 250));
  cache.Put(Priced("A", 300));
  EXPECT_EQ(cache.Get("A")->unit_price().minor_units(), 300);
  EXPECT_EQ(cache.size(), 1U);
}

TEST_F(ProductCacheTest, AZeroTtlKeepsNothing) {
  ProductCache cache(milliseconds(0), 10, clock_);
  cache.Put(Priced("A", 250));
  EXPECT_FALSE(cache.Get("A").has_value());
  EXPECT_EQ(cache.size(), 0U);
}

TEST_F(ProductCacheTest, WhenFullExpiredProductsGoFirst) {
  ProductCache cache(milliseconds(1000), 2, clock_);
  cache.Put(Priced("A", 1));
  clock_.Advance(milliseconds(600));
  cache.Put(Priced("B", 2));
  clock_.Advance(milliseconds(500));  // A expired, B still live
  cache.Put(Priced("C", 3));
  EXPECT_EQ(cache.size(), 2U);
  EXPECT_FALSE(cache.Get("A").has_value());
  EXPECT_TRUE(cache.Get("B").has_value());
  EXPECT_TRUE(cache.Get("C").has_value());
}

TEST_F(ProductCacheTest, WhenFullOfLiveProductsItStartsOverAndNeverGrowsPastCapacity) {
  ProductCache cache(milliseconds(1000), 2, clock_);
  cache.Put(Priced("A", 1));
  cache.Put(Priced("B", 2));
  cache.Put(Priced("C", 3));
  EXPECT_EQ(cache.size(), 1U);
  EXPECT_TRUE(cache.Get("C").has_value());
  cache.Put(Priced("C", 4));  // an sku already kept takes no new room
  EXPECT_EQ(cache.size(), 1U);
}

TEST_F(ProductCacheTest, PastHalfItsTtlOneCallerClaimsTheReadAgainWhileTheProductStaysServed) {
  ProductCache cache(milliseconds(1000), 10, clock_);
  EXPECT_FALSE(cache.ClaimRefresh("A"));  // nothing kept: the caller loads it anyway
  cache.Put(Priced("A", 250));
  clock_.Advance(milliseconds(499));
  EXPECT_FALSE(cache.ClaimRefresh("A"));
  clock_.Advance(milliseconds(1));
  EXPECT_TRUE(cache.ClaimRefresh("A"));
  EXPECT_FALSE(cache.ClaimRefresh("A"));  // claimed once, however many orders come
  EXPECT_EQ(cache.Get("A")->unit_price().minor_units(), 250);
  cache.Put(Priced("A", 300));  // the read came back: half a ttl again before the next claim
  EXPECT_EQ(cache.Get("A")->unit_price().minor_units(), 300);
  EXPECT_FALSE(cache.ClaimRefresh("A"));
  clock_.Advance(milliseconds(500));
  EXPECT_TRUE(cache.ClaimRefresh("A"));
}

TEST_F(ProductCacheTest, AFailedReadLetsALaterCallerClaimItAndTheProductStillExpiresOnTime) {
  ProductCache cache(milliseconds(1000), 10, clock_);
  cache.Put(Priced("A", 250));
  clock_.Advance(milliseconds(600));
  ASSERT_TRUE(cache.ClaimRefresh("A"));
  cache.RefreshFailed("A");
  EXPECT_TRUE(cache.ClaimRefresh("A"));
  EXPECT_TRUE(cache.Get("A").has_value());
  clock_.Advance(milliseconds(400));
  EXPECT_FALSE(cache.Get("A").has_value());
  EXPECT_FALSE(cache.ClaimRefresh("A"));  // expired: callers load it themselves
}

}  // namespace
}  // namespace orderly::order
