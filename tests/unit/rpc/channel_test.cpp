#include "orderly/rpc/channel.h"

#include <gtest/gtest.h>

namespace orderly::rpc {
namespace {

TEST(ChannelTest, ServiceConfigRetriesUnavailableWithBackoffAndPicksTheBalancingPolicy) {
  ClientSettings settings;
  settings.max_attempts = 4;
  settings.initial_backoff = std::chrono::milliseconds(50);
  settings.max_backoff = std::chrono::milliseconds(1500);
  settings.load_balancing = "round_robin";
  EXPECT_EQ(ServiceConfig(settings),
            R"({"loadBalancingConfig":[{"round_robin":{}}],)"
            R"("methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":4,"initialBackoff":"0.050s",)"
            R"("maxBackoff":"1.500s","backoffMultiplier":2,"retryableStatusCodes":["UNAVAILABLE"]}}]})");
}

ClientSettings ParseClient(std::string_view yaml) {
  return ClientSettings::Parse(config::Document::LoadString(yaml).Root(), "h:1");
}

TEST(ChannelTest, LoadBalancingIsPickFirstUnlessConfiguredAndNothingElse) {
  EXPECT_EQ(ParseClient("{}").load_balancing, "pick_first");
  EXPECT_EQ(ParseClient("load_balancing: round_robin").load_balancing, "round_robin");
  EXPECT_THROW(ParseClient("load_balancing: random"), config::ConfigError);
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
