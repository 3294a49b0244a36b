#include "orderly/log/trace.h"

#include <gtest/gtest.h>

namespace orderly::log {
namespace {

constexpr const char* kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceTest, ParsesAValidTraceparent) {
  const auto parsed = ParseTraceparent(kValid);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(parsed->span_id, "00f067aa0ba902b7");
  EXPECT_EQ(parsed->flags, "01");
  EXPECT_EQ(parsed->ToString(), kValid);
}

TEST(TraceTest, RejectsMalformedTraceparents) {
  for (const char* bad : {"", "garbage", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
                          "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                          "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01"}) {
    EXPECT_FALSE(ParseTraceparent(bad).has_value()) << bad;
  }
}

TEST(TraceTest, ChildKeepsTheTraceWithANewSpan) {
  const std::string child = ChildTraceparent(kValid);
  EXPECT_EQ(TraceIdOf(child), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_NE(ParseTraceparent(child)->span_id, "00f067aa0ba902b7");
}

TEST(TraceTest, InvalidParentStartsANewTrace) {
  const std::string fresh = ChildTraceparent("nonsense");
  ASSERT_TRUE(ParseTraceparent(fresh).has_value());
  EXPECT_NE(TraceIdOf(fresh), TraceIdOf(NewTraceparent()));
}

TEST(TraceTest, ScopedTraceSetsAndRestoresTheCurrentTrace) {
  EXPECT_EQ(CurrentTraceparent(), "");
  {
    ScopedTrace outer(kValid);
    EXPECT_EQ(CurrentTraceparent(), kValid);
    {
      const std::string inner_value = NewTraceparent();
      ScopedTrace inner(inner_value);
      EXPECT_EQ(CurrentTraceparent(), inner_value);
    }
    EXPECT_EQ(CurrentTraceparent(), kValid);
  }
  EXPECT_EQ(CurrentTraceparent(), "");
}

}  // namespace
}  // namespace orderly::log
