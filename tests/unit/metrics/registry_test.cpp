#include "orderly/metrics/registry.h"

#include <gtest/gtest.h>

#include <thread>

#include "orderly/common/errors.h"
#include "orderly/metrics/standard.h"

namespace orderly::metrics {
namespace {

class RegistryTest : public ::testing::Test {
 protected:
  Registry registry_;
};

TEST_F(RegistryTest, ExposesCountersWithEscapedLabels) {
  auto& family = registry_.CounterFamily("orders_total", "Orders\\placed.\nAll of them.", {"state", "note"});
  family.Labels({"CONFIRMED", "a \"quoted\" \\ value\n"}).Inc(3);
  EXPECT_EQ(registry_.Expose(),
            "# HELP orders_total Orders\\\\placed.\\nAll of them.\n"
            "# TYPE orders_total counter\n"
            "orders_total{state=\"CONFIRMED\",note=\"a \\\"quoted\\\" \\\\ value\\n\"} 3\n");
}

TEST_F(RegistryTest, ExposesHistogramBucketsCumulatively) {
  auto& histogram = registry_.HistogramFamily("step_seconds", "Step latency.", {"step"}, {0.1, 1}).Labels({"reserve"});
  histogram.Observe(0.05);
  histogram.Observe(0.1);  // a bound is inclusive ("le")
  histogram.Observe(0.5);
  histogram.Observe(7);
  EXPECT_EQ(registry_.Expose(),
            "# HELP step_seconds Step latency.\n"
            "# TYPE step_seconds histogram\n"
            "step_seconds_bucket{step=\"reserve\",le=\"0.1\"} 2\n"
            "step_seconds_bucket{step=\"reserve\",le=\"1\"} 3\n"
            "step_seconds_bucket{step=\"reserve\",le=\"+Inf\"} 4\n"
            "step_seconds_sum{step=\"reserve\"} 7.65\n"
            "step_seconds_count{step=\"reserve\"} 4\n");
}

TEST_F(RegistryTest, FamiliesWithoutSeriesAreLeftOut) {
  (void)registry_.GaugeFamily("idle", "Never set.", {"shard"});
  registry_.GaugeFamily("in_flight", "Sagas.").Get().Set(2.5);
  EXPECT_EQ(registry_.Expose(), "# HELP in_flight Sagas.\n# TYPE in_flight gauge\nin_flight 2.5\n");
}

TEST_F(RegistryTest, SameRegistrationReturnsTheSameFamily) {
  auto& first = registry_.CounterFamily("x_total", "X.", {"a"});
  auto& second = registry_.CounterFamily("x_total", "X.", {"a"});
  EXPECT_EQ(&first, &second);
  EXPECT_EQ(&first.Labels({"1"}), &second.Labels({"1"}));
}

TEST_F(RegistryTest, ConflictingRegistrationThrows) {
  (void)registry_.CounterFamily("x_total", "X.", {"a"});
  EXPECT_THROW((void)registry_.CounterFamily("x_total", "X.", {"b"}), InvalidArgument);
  EXPECT_THROW((void)registry_.GaugeFamily("x_total", "X.", {"a"}), InvalidArgument);
  (void)registry_.HistogramFamily("h", "H.", {}, {1, 2});
  EXPECT_THROW((void)registry_.HistogramFamily("h", "H.", {}, {1, 3}), InvalidArgument);
}

TEST_F(RegistryTest, InvalidNamesThrow) {
  EXPECT_THROW((void)registry_.CounterFamily("orders", "A counter without _total."), InvalidArgument);
  EXPECT_THROW((void)registry_.GaugeFamily("9lives", "Bad name."), InvalidArgument);
  EXPECT_THROW((void)registry_.GaugeFamily("g", "Bad label.", {"__reserved"}), InvalidArgument);
  EXPECT_THROW((void)registry_.HistogramFamily("h", "Reserved label.", {"le"}, {1}), InvalidArgument);
  EXPECT_THROW((void)registry_.HistogramFamily("h", "Unsorted.", {}, {2, 1}), InvalidArgument);
}

TEST_F(RegistryTest, WrongNumberOfLabelValuesThrows) {
  auto& family = registry_.CounterFamily("x_total", "X.", {"a", "b"});
  EXPECT_THROW((void)family.Labels({"only one"}), InvalidArgument);
}

TEST_F(RegistryTest, CallbacksRunAtExpositionUntilTheirHandleGoes) {
  double lag = 4;
  {
    CallbackHandle handle = registry_.AddCallback({"lag", "Lag.", Type::kGauge, {"partition"}},
                                                  [&] { return std::vector<Sample>{{{"0"}, lag}, {{"1"}, 0}}; });
    EXPECT_EQ(registry_.Expose(), "# HELP lag Lag.\n# TYPE lag gauge\nlag{partition=\"0\"} 4\nlag{partition=\"1\"} 0\n");
    lag = 7;
    EXPECT_NE(registry_.Expose().find("lag{partition=\"0\"} 7\n"), std::string::npos);
  }
  EXPECT_EQ(registry_.Expose(), "");
}

TEST_F(RegistryTest, ThrowingCallbackDropsOnlyItsSamples) {
  CallbackHandle bad = registry_.AddCallback({"pool", "Pool.", Type::kGauge, {"shard"}},
                                             []() -> std::vector<Sample> { throw std::runtime_error("gone"); });
  CallbackHandle good =
      registry_.AddCallback({"pool", "Pool.", Type::kGauge, {"shard"}}, [] { return std::vector<Sample>{{{"s1"}, 8}}; });
  EXPECT_EQ(registry_.Expose(), "# HELP pool Pool.\n# TYPE pool gauge\npool{shard=\"s1\"} 8\n");
}

TEST_F(RegistryTest, ConcurrentIncrementsAreAllCounted) {
  Counter& counter = registry_.CounterFamily("hits_total", "Hits.").Get();
  Histogram& histogram = registry_.HistogramFamily("wait_seconds", "Wait.", {}, LatencyBuckets()).Get();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) {
        counter.Inc();
        histogram.Observe(0.002);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.Value(), 40'000u);
  EXPECT_EQ(histogram.Read().count(), 40'000u);
  EXPECT_EQ(histogram.Read().cumulative[0], 0u);   // le 0.001
  EXPECT_EQ(histogram.Read().cumulative[1], 40'000u);  // le 0.0025
}

TEST_F(RegistryTest, RateLimitRefusalsIsACounterByGroup) {
  RateLimitRefusals(registry_).Labels({"orders"}).Inc();
  EXPECT_NE(registry_.Expose().find("orderly_rate_limit_refusals_total{group=\"orders\"} 1\n"), std::string::npos);
}

}  // namespace
}  // namespace orderly::metrics
