// The per-process bucket that stands in for Redis, on a manual clock.
#include <gtest/gtest.h>

#include "orderly/rpc/rate_limit.h"

namespace orderly::rpc {
namespace {

TEST(LocalTokenBucketTest, AllowsTheBurstThenRefusesWithTheRefillDelay) {
  ManualClock clock;
  LocalTokenBucket bucket(clock, 3, 2.0, 100);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.TryTake("alice").allowed) << i;
  const auto refused = bucket.TryTake("alice");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, std::chrono::milliseconds(500));  // one token at 2/s
  clock.Advance(std::chrono::milliseconds(250));
  EXPECT_EQ(bucket.TryTake("alice").retry_after, std::chrono::milliseconds(250));
  clock.Advance(std::chrono::milliseconds(250));
  EXPECT_TRUE(bucket.TryTake("alice").allowed);
  EXPECT_FALSE(bucket.TryTake("alice").allowed);
}

TEST(LocalTokenBucketTest, KeysHaveTheirOwnBuckets) {
  ManualClock clock;
  LocalTokenBucket bucket(clock, 1, 1.0, 100);
  EXPECT_TRUE(bucket.TryTake("alice").allowed);
  EXPECT_FALSE(bucket.TryTake("alice").allowed);
  EXPECT_TRUE(bucket.TryTake("bob").allowed);
}

TEST(LocalTokenBucketTest, RefillStopsAtCapacity) {
  ManualClock clock;
  LocalTokenBucket bucket(clock, 2, 10.0, 100);
  clock.Advance(std::chrono::hours(1));
  EXPECT_TRUE(bucket.TryTake("alice").allowed);
  EXPECT_TRUE(bucket.TryTake("alice").allowed);
  EXPECT_FALSE(bucket.TryTake("alice").allowed);
}

TEST(LocalTokenBucketTest, StaysWithinMaxKeysWithoutForgettingADrainedBucket) {
  ManualClock clock;
  LocalTokenBucket bucket(clock, 1, 0.001, 2);
  EXPECT_TRUE(bucket.TryTake("drained").allowed);
  EXPECT_TRUE(bucket.TryTake("a").allowed);
  clock.Advance(std::chrono::seconds(2000));  // "a" and "drained" are both full again
  EXPECT_TRUE(bucket.TryTake("drained").allowed);
  EXPECT_TRUE(bucket.TryTake("b").allowed);  // evicts the full "a", not the drained one
  EXPECT_FALSE(bucket.TryTake("drained").allowed);
}

TEST(RateLimiterTest, WithoutRedisTheLocalBucketRefusesWithResourceExhausted) {
  ManualClock clock;
  RateLimitSettings settings;
  settings.groups[RateGroup::kWrite] = {1, 2};
  RateLimiter limiter(settings, nullptr, clock);
  limiter.Check(RateGroup::kWrite, "alice");
  limiter.Check(RateGroup::kWrite, "alice");
  try {
    limiter.Check(RateGroup::kWrite, "alice");
    FAIL() << "the third call within a second passed a burst of 2";
  } catch (const ResourceExhausted& e) {
    EXPECT_EQ(e.retry_after(), std::chrono::milliseconds(1000));
  }
  limiter.Check(RateGroup::kRead, "alice");  // another group, another bucket
}

}  // namespace
}  // namespace orderly::rpc
