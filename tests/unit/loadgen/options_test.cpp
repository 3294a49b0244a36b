#include "options.h"

#include <gtest/gtest.h>

namespace orderly::loadgen {
namespace {

std::string UsageMessage(const std::vector<std::string>& args) {
  try {
    (void)ParseOptions(args);
  } catch (const tools::UsageError& e) {
    return e.message;
  }
  return "";
}

TEST(OptionsTest, OpenLoopWithDurationAndMix) {
  const Options o = ParseOptions({"--rate", "50", "--duration", "10", "--out-of-stock", "0.1", "--poor", "0.1",
                                  "--cancel", "0.05", "--json", "--order", "127.0.0.1:1"});
  EXPECT_EQ(o.mode, Mode::kOpenLoop);
  EXPECT_EQ(o.rate, 50);
  EXPECT_EQ(o.duration_s, 10);
  EXPECT_FALSE(o.count.has_value());
  EXPECT_EQ(o.drain_s, 30);
  EXPECT_EQ(o.out_of_stock, 0.1);
  EXPECT_EQ(o.poor, 0.1);
  EXPECT_EQ(o.cancel, 0.05);
  EXPECT_TRUE(o.json);
  EXPECT_EQ(o.target_flags.at("order"), "127.0.0.1:1");
}

TEST(OptionsTest, ClosedLoopWithCountAndExistingCatalog) {
  const Options o = ParseOptions({"--clients", "8", "--count", "100", "--skus", "A,B", "--customers", "alice"});
  EXPECT_EQ(o.mode, Mode::kClosedLoop);
  EXPECT_EQ(o.clients, 8);
  EXPECT_EQ(o.count, 100);
  EXPECT_EQ(o.skus, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(o.customers, (std::vector<std::string>{"alice"}));
}

TEST(OptionsTest, RefusesToRunUnbounded) {
  EXPECT_EQ(UsageMessage({"--rate", "10"}), "refusing to run unbounded: give --duration S and/or --count N");
}

TEST(OptionsTest, NeedsExactlyOneLoop) {
  const std::string message = "give exactly one of --rate R (open loop) and --clients N (closed loop)";
  EXPECT_EQ(UsageMessage({"--count", "5"}), message);
  EXPECT_EQ(UsageMessage({"--rate", "1", "--clients", "2", "--count", "5"}), message);
}

TEST(OptionsTest, SharesMustFitInOne) {
  EXPECT_EQ(UsageMessage({"--rate", "1", "--count", "5", "--poor", "0.6", "--cancel", "0.5"}),
            "--out-of-stock, --poor and --cancel add up to more than 1");
  EXPECT_EQ(UsageMessage({"--rate", "1", "--count", "5", "--poor", "1.5"}),
            "--poor must be a number from 0 to 1, got '1.5'");
}

TEST(OptionsTest, BareVsPlaceRunsAlone) {
  EXPECT_EQ(ParseOptions({"--bare-vs-place", "200"}).mode, Mode::kBareVsPlace);
  EXPECT_EQ(UsageMessage({"--bare-vs-place", "200", "--rate", "5"}),
            "--bare-vs-place runs alone, without --rate or --clients");
}

TEST(OptionsTest, RejectsUnknownFlagsAndMissingValues) {
  EXPECT_EQ(UsageMessage({"--rat", "5"}), "unknown flag --rat");
  EXPECT_EQ(UsageMessage({"--rate"}), "--rate needs a value");
  EXPECT_EQ(UsageMessage({"--rate", "5", "--count", "x"}), "--count must be a whole number, got 'x'");
  EXPECT_EQ(UsageMessage({"--skus", "A,,B"}), "--skus needs a comma-separated list without empty entries");
}

TEST(OptionsTest, LoopbackAddresses) {
  for (const char* address : {"127.0.0.1:17001", "127.8.9.10:1", "localhost:17001", "LOCALHOST:1", "[::1]:17001", "::1",
                              "ipv4:127.0.0.1:5", "dns:///localhost:5"}) {
    EXPECT_TRUE(IsLoopback(address)) << address;
  }
  for (const char* address : {"10.0.0.1:17001", "128.0.0.1:1", "example.com:17001", "[::2]:1", "0.0.0.0:1", "[::1:1",
                              "", "unix:/tmp/socket"}) {
    EXPECT_FALSE(IsLoopback(address)) << address;
  }
}

TEST(OptionsTest, NamesTheFirstTargetOffLoopback) {
  tools::Targets targets{"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", "10.1.1.1:4", {}};
  targets.kafka.brokers = "127.0.0.1:9092,kafka.internal:9092";
  EXPECT_EQ(NonLoopbackTarget(targets), "kafka broker kafka.internal:9092");
  targets.payment = "192.168.0.2:3";
  EXPECT_EQ(NonLoopbackTarget(targets), "payment 192.168.0.2:3");
  targets.payment = "127.0.0.1:3";
  targets.kafka.brokers = "localhost:9092";
  EXPECT_EQ(NonLoopbackTarget(targets), std::nullopt);
}

}  // namespace
}  // namespace orderly::loadgen
