#include "orderly/cache/cache_aside.h"

#include <gtest/gtest.h>

#include "test_env.h"

namespace orderly::cache {
namespace {

using orderly::testing::TestPlatform;
using orderly::testing::UniqueName;

class CacheAsideTest : public ::testing::Test {
 protected:
  RedisClient client_{TestPlatform().redis};
  std::string prefix_ = UniqueName("cachetest") + ":";
  CacheAside cache_{client_, prefix_, std::chrono::seconds(30)};
  int loads_ = 0;
  std::string source_ = "v1";

  std::string Get() {
    return cache_.GetOrLoad("product:1", [&] {
      ++loads_;
      return source_;
    });
  }
};

TEST_F(CacheAsideTest, MissLoadsThenHitServesFromRedis) {
  EXPECT_EQ(Get(), "v1");
  source_ = "v2";  // not invalidated: the cached value stays
  EXPECT_EQ(Get(), "v1");
  EXPECT_EQ(loads_, 1);
  EXPECT_EQ(cache_.stats().hits.load(), 1u);
  EXPECT_EQ(cache_.stats().misses.load(), 1u);
}

TEST_F(CacheAsideTest, InvalidateMakesTheNextReadLoad) {
  EXPECT_EQ(Get(), "v1");
  source_ = "v2";
  cache_.Invalidate("product:1");
  EXPECT_EQ(Get(), "v2");
  EXPECT_EQ(loads_, 2);
}

// The writer commits v2 and invalidates while a read is still loading what it read before: that
// read must not cache v1 afterwards, or v1 would be served for the whole TTL.
TEST_F(CacheAsideTest, ALoadRacingAnInvalidationDoesNotCacheWhatItRead) {
  const std::string read = cache_.GetOrLoad("product:1", [&] {
    ++loads_;
    const std::string before = source_;
    source_ = "v2";
    cache_.Invalidate("product:1");
    return before;
  });
  EXPECT_EQ(read, "v1");
  EXPECT_EQ(Get(), "v2");
  EXPECT_EQ(loads_, 2);
}

TEST_F(CacheAsideTest, AMissWhileAnotherReadHoldsTheLeaseLoadsWithoutFilling) {
  const std::string first = cache_.GetOrLoad("product:1", [&] {
    ++loads_;
    EXPECT_EQ(Get(), "v1");
    EXPECT_EQ(client_.Command({"EXISTS", prefix_ + "product:1"}).integer, 0);
    return source_;
  });
  EXPECT_EQ(first, "v1");
  EXPECT_EQ(Get(), "v1");  // the lease holder filled it
  EXPECT_EQ(loads_, 2);
  EXPECT_EQ(cache_.stats().hits.load(), 1u);
}

TEST_F(CacheAsideTest, ValuesGetTheTtl) {
  Get();
  const int64_t seconds = client_.Command({"TTL", prefix_ + "product:1"}).integer;
  EXPECT_GT(seconds, 0);
  EXPECT_LE(seconds, 30);
}

TEST_F(CacheAsideTest, LoaderErrorPropagatesAndIsNotCached) {
  EXPECT_THROW(cache_.GetOrLoad("missing", []() -> std::string { throw NotFound("no such product"); }), NotFound);
  EXPECT_EQ(cache_.GetOrLoad("missing", [] { return std::string("now exists"); }), "now exists");
}

TEST(CacheAsideRedisDownTest, ReadsFallThroughToTheLoaderAndSkipRedisDuringCooldown) {
  cache::Settings settings = TestPlatform().redis;
  settings.port = orderly::testing::FreePort();  // nothing listens there
  settings.cooldown = std::chrono::seconds(30);
  RedisClient client(settings);
  CacheAside cache(client, "down:", std::chrono::seconds(30));
  int loads = 0;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(cache.GetOrLoad("k", [&] { return std::to_string(++loads); }), std::to_string(i + 1));
  }
  cache.Invalidate("k");  // best effort, never throws
  EXPECT_FALSE(client.Available());
  // The failed connect, then the invalidation refused during the cool-down; reads skipped Redis.
  EXPECT_EQ(cache.stats().redis_errors.load(), 2u);
  EXPECT_THROW(client.Command({"PING"}), RedisUnavailable);
}

TEST(RedisClientTest, CooldownEndsAndTheClientReconnects) {
  cache::Settings settings = TestPlatform().redis;
  settings.cooldown = std::chrono::milliseconds(50);
  cache::Settings dead = settings;
  dead.port = orderly::testing::FreePort();
  RedisClient broken(dead);
  EXPECT_THROW(broken.Command({"PING"}), RedisUnavailable);
  EXPECT_TRUE(orderly::testing::WaitUntil([&] { return broken.Available(); }, std::chrono::seconds(5)));
  RedisClient client(settings);
  EXPECT_EQ(client.Command({"PING"}).text, "PONG");
}

TEST(RedisClientTest, ErrorReplyIsTyped) {
  RedisClient client(TestPlatform().redis);
  EXPECT_THROW(client.Command({"NOSUCHCOMMAND"}), RedisReplyError);
  EXPECT_EQ(client.Command({"PING"}).text, "PONG");  // the connection is still usable
}

}  // namespace
}  // namespace orderly::cache
