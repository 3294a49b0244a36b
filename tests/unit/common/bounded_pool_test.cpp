#include "orderly/common/bounded_pool.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace orderly {
namespace {

struct Counter {
  int created = 0;
  BoundedPool<int>::Factory Factory() {
    return [this] { return std::make_unique<int>(++created); };
  }
};

TEST(BoundedPoolTest, ReusesIdleObjects) {
  Counter counter;
  BoundedPool<int> pool(2, counter.Factory());
  { auto lease = pool.TryAcquire(std::chrono::milliseconds(0)); }
  auto lease = pool.TryAcquire(std::chrono::milliseconds(0));
  ASSERT_TRUE(lease);
  EXPECT_EQ(**lease, 1);
  EXPECT_EQ(counter.created, 1);
}

TEST(BoundedPoolTest, NeverExceedsMaxSizeAndTimesOut) {
  Counter counter;
  BoundedPool<int> pool(2, counter.Factory());
  auto a = pool.TryAcquire(std::chrono::milliseconds(0));
  auto b = pool.TryAcquire(std::chrono::milliseconds(0));
  EXPECT_FALSE(pool.TryAcquire(std::chrono::milliseconds(20)));
  EXPECT_EQ(pool.GetStats().open, 2u);
}

TEST(BoundedPoolTest, BrokenObjectIsReplaced) {
  Counter counter;
  BoundedPool<int> pool(1, counter.Factory());
  {
    auto lease = pool.TryAcquire(std::chrono::milliseconds(0));
    lease->MarkBroken();
  }
  EXPECT_EQ(pool.GetStats().open, 0u);
  auto lease = pool.TryAcquire(std::chrono::milliseconds(0));
  EXPECT_EQ(**lease, 2);
}

TEST(BoundedPoolTest, FactoryFailureFreesTheSlot) {
  bool fail = true;
  BoundedPool<int> pool(1, [&]() -> std::unique_ptr<int> {
    if (fail) throw std::runtime_error("down");
    return std::make_unique<int>(7);
  });
  EXPECT_THROW(pool.TryAcquire(std::chrono::milliseconds(0)), std::runtime_error);
  fail = false;
  auto lease = pool.TryAcquire(std::chrono::milliseconds(0));
  ASSERT_TRUE(lease);
  EXPECT_EQ(**lease, 7);
}

}  // namespace
}  // namespace orderly
