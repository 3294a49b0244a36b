#include "orderly/cache/token_bucket.h"

#include <gtest/gtest.h>

#include "test_env.h"

namespace orderly::cache {
namespace {

using orderly::testing::TestPlatform;
using orderly::testing::UniqueName;

class TokenBucketTest : public ::testing::Test {
 protected:
  RedisClient client_{TestPlatform().redis};
  ManualClock clock_;
  TokenBucket bucket_{client_, clock_, UniqueName("bucket") + ":", 3, 1.0};  // 3 tokens, 1 per second
};

TEST_F(TokenBucketTest, AllowsUpToCapacityThenDeniesWithRetryAfter) {
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket_.TryTake("customer-1").allowed) << i;
  const auto denied = bucket_.TryTake("customer-1");
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.remaining, 0);
  EXPECT_EQ(denied.retry_after, std::chrono::milliseconds(1000));
}

TEST_F(TokenBucketTest, RefillsWithTime) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(bucket_.TryTake("customer-1").allowed);
  clock_.Advance(std::chrono::milliseconds(500));
  EXPECT_FALSE(bucket_.TryTake("customer-1").allowed);
  clock_.Advance(std::chrono::milliseconds(500));
  EXPECT_TRUE(bucket_.TryTake("customer-1").allowed);
  clock_.Advance(std::chrono::seconds(60));  // never more than capacity
  EXPECT_EQ(bucket_.TryTake("customer-1").remaining, 2);
}

TEST_F(TokenBucketTest, KeysHaveSeparateBuckets) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(bucket_.TryTake("customer-1").allowed);
  EXPECT_TRUE(bucket_.TryTake("customer-2").allowed);
}

TEST_F(TokenBucketTest, TakingMoreThanAvailableTakesNothing) {
  EXPECT_FALSE(bucket_.TryTake("customer-1", 4).allowed);
  EXPECT_EQ(bucket_.TryTake("customer-1", 3).remaining, 0);
}

TEST_F(TokenBucketTest, SurvivesAFlushedScriptCache) {
  ASSERT_TRUE(bucket_.TryTake("customer-1").allowed);
  client_.Command({"SCRIPT", "FLUSH"});  // the next EVALSHA answers NOSCRIPT
  EXPECT_TRUE(bucket_.TryTake("customer-1").allowed);
  EXPECT_EQ(bucket_.TryTake("customer-1").remaining, 0);
}

TEST(TokenBucketRedisDownTest, ReportsUnavailableSoTheCallerChooses) {
  cache::Settings settings = TestPlatform().redis;
  settings.port = orderly::testing::FreePort();
  RedisClient client(settings);
  ManualClock clock;
  TokenBucket bucket(client, clock, "down:", 3, 1.0);
  EXPECT_THROW(bucket.TryTake("customer-1"), RedisUnavailable);
}

}  // namespace
}  // namespace orderly::cache
