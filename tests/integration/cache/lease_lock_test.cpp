#include "orderly/cache/lease_lock.h"

#include <gtest/gtest.h>

#include "test_env.h"

namespace orderly::cache {
namespace {

using orderly::testing::TestPlatform;
using orderly::testing::UniqueName;
using orderly::testing::WaitUntil;

class LeaseLockTest : public ::testing::Test {
 protected:
  RedisClient client_{TestPlatform().redis};
  std::string name_ = UniqueName("sweeper");
};

TEST_F(LeaseLockTest, OnlyOneHolderAtATime) {
  LeaseLock first(client_, name_, std::chrono::seconds(30));
  LeaseLock second(client_, name_, std::chrono::seconds(30));
  EXPECT_TRUE(first.TryAcquire());
  EXPECT_FALSE(second.TryAcquire());
  EXPECT_NE(first.token(), second.token());
}

TEST_F(LeaseLockTest, OnlyTheHolderCanReleaseOrExtend) {
  LeaseLock holder(client_, name_, std::chrono::seconds(30));
  LeaseLock other(client_, name_, std::chrono::seconds(30));
  ASSERT_TRUE(holder.TryAcquire());
  EXPECT_FALSE(other.Release());
  EXPECT_FALSE(other.Extend());
  EXPECT_FALSE(other.TryAcquire());
  EXPECT_TRUE(holder.Extend());
  EXPECT_TRUE(holder.Release());
  EXPECT_TRUE(other.TryAcquire());
}

TEST_F(LeaseLockTest, ExpiredLeaseFreesItselfAndTheOldHolderCannotTouchIt) {
  LeaseLock holder(client_, name_, std::chrono::milliseconds(100));
  LeaseLock next(client_, name_, std::chrono::seconds(30));
  ASSERT_TRUE(holder.TryAcquire());
  EXPECT_TRUE(WaitUntil([&] { return next.TryAcquire(); }, std::chrono::seconds(5)));
  EXPECT_FALSE(holder.Extend());
  EXPECT_FALSE(holder.Release());
  EXPECT_FALSE(holder.TryAcquire());
}

}  // namespace
}  // namespace orderly::cache
