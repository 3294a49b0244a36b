#include "orderly/common/ids.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace orderly {
namespace {

TEST(UuidV7Test, HasVersionVariantAndCanonicalForm) {
  ManualClock clock;
  UuidV7Generator ids(clock);
  const std::string id = ids.Next();
  ASSERT_TRUE(IsUuid(id)) << id;
  EXPECT_EQ(id[14], '7');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
}

TEST(UuidV7Test, EmbedsTheClockMillis) {
  ManualClock clock;
  UuidV7Generator ids(clock);
  EXPECT_EQ(UuidV7Millis(ids.Next()), ToUnixMillis(clock.Now()));
}

TEST(UuidV7Test, SortsInCreationOrderWithinOneMillisecond) {
  ManualClock clock;
  UuidV7Generator ids(clock);
  std::string previous = ids.Next();
  for (int i = 0; i < 10'000; ++i) {  // more than the 12-bit counter holds
    if (i % 3000 == 0) clock.Advance(std::chrono::milliseconds(1));
    const std::string next = ids.Next();
    ASSERT_LT(previous, next);
    previous = next;
  }
}

TEST(UuidV7Test, StaysMonotonicWhenTheClockGoesBack) {
  ManualClock clock;
  UuidV7Generator ids(clock);
  const std::string first = ids.Next();
  clock.Set(clock.Now() - std::chrono::seconds(5));
  EXPECT_LT(first, ids.Next());
}

TEST(UuidV7Test, EachThreadsIdsIncreaseWhileThreadsShareAGenerator) {
  UuidV7Generator ids(SystemClock::Instance());
  constexpr int kThreads = 4;
  constexpr int kEach = 20'000;  // enough to cross many milliseconds and exhaust the counter
  std::vector<std::vector<std::string>> made(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) made[t].push_back(ids.Next());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> seen;
  for (const auto& own : made) {
    for (size_t i = 0; i < own.size(); ++i) {
      if (i > 0) {
        ASSERT_LT(own[i - 1], own[i]);
      }
      ASSERT_TRUE(seen.insert(own[i]).second) << own[i];
    }
  }
}

TEST(UuidV7Test, ProcessWideIdsAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(seen.insert(NewUuidV7()).second);
}

TEST(UuidTest, RejectsMalformedText) {
  EXPECT_FALSE(IsUuid(""));
  EXPECT_FALSE(IsUuid("0190a4b2-7c3d-7e4f-8a1b-2c3d4e5f6a7"));
  EXPECT_FALSE(IsUuid("0190a4b2x7c3d-7e4f-8a1b-2c3d4e5f6a7b"));
  EXPECT_FALSE(IsUuid("0190a4b2-7c3d-7e4f-8a1b-2c3d4e5f6a7g"));
  EXPECT_TRUE(IsUuid("0190A4B2-7C3D-7E4F-8A1B-2C3D4E5F6A7B"));
  EXPECT_EQ(UuidV7Millis("0190a4b2-7c3d-4e4f-8a1b-2c3d4e5f6a7b"), -1);  // version 4
}

TEST(UuidV7Test, TheFloorOfAMillisecondSortsAfterEveryEarlierIdAndBeforeItsOwn) {
  ManualClock clock(Clock::TimePoint(std::chrono::milliseconds(1'733'500'000'123)));
  UuidV7Generator ids(clock);
  const std::string earlier = ids.Next();
  clock.Advance(std::chrono::milliseconds(1));
  const std::string floor = UuidV7Floor(ToUnixMillis(clock.Now()));
  EXPECT_EQ(floor, "01939ca6-d77c-7000-8000-000000000000");
  EXPECT_EQ(UuidV7Millis(floor), ToUnixMillis(clock.Now()));
  EXPECT_LT(earlier, floor);
  for (int i = 0; i < 100; ++i) EXPECT_LE(floor, ids.Next());
}

TEST(RandomHexTokenTest, Is128BitsOfHex) {
  const std::string token = RandomHexToken();
  EXPECT_EQ(token.size(), 32u);
  EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(token, RandomHexToken());
}

}  // namespace
}  // namespace orderly
