#include "orderly/rpc/channel.h"

#include <gtest/gtest.h>

namespace orderly::rpc {
namespace {

TEST(ChannelTest, RetryConfigRetriesUnavailableWithBackoff) {
  ClientSettings settings;
  settings.max_attempts = 4;
  settings.initial_backoff = std::chrono::milliseconds(50);
  settings.max_backoff = std::chrono::milliseconds(1500);
  EXPECT_EQ(RetryServiceConfig(settings),
            R"({"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":4,"initialBackoff":"0.050s",)"
            R"("maxBackoff":"1.500s","backoffMultiplier":2,"retryableStatusCodes":["UNAVAILABLE"]}}]})");
}

TEST(ChannelTest, ContextDeadlineIsTheConfiguredOne) {
  ClientSettings settings;
  settings.deadline = std::chrono::milliseconds(1500);
  const auto before = std::chrono::system_clock::now();
  const auto context = MakeContext(settings);
  const auto remaining = context->deadline() - before;
  EXPECT_GE(remaining, std::chrono::milliseconds(1500));
  EXPECT_LT(remaining, std::chrono::milliseconds(2500));
}

}  // namespace
}  // namespace orderly::rpc
