#include "windows.h"

#include <gtest/gtest.h>

#include "orderly/common/errors.h"

namespace orderly::analytics {
namespace {

using std::chrono::milliseconds;

constexpr int64_t kMinute = 60'000;
constexpr int64_t k1200 = 1'700'000'400'000;  // a window start: a whole minute (2023-11-14 22:20 UTC)

WindowFigures Minute(int64_t start, int64_t placed) {
  WindowFigures window;
  window.start_ms = start;
  window.end_ms = start + kMinute;
  window.counts.placed = placed;
  return window;
}

TEST(WindowsTest, AnEventBelongsToTheMinuteItLiesIn) {
  EXPECT_EQ(WindowStart(k1200), k1200);
  EXPECT_EQ(WindowStart(k1200 + 59'999), k1200);
  EXPECT_EQ(WindowStart(k1200 + 60'000), k1200 + kMinute);
  EXPECT_EQ(WindowStart(k1200 - 1), k1200 - kMinute);
  EXPECT_EQ(WindowStart(-1), -kMinute);  // floor, not truncation
}

TEST(WindowsTest, AnEventCountsUntilItsWindowEndedTheAllowanceBeforeTheNewestEvent) {
  const milliseconds allowance(120'000);
  const int64_t event = k1200 + 30'000;  // window [k1200, k1200 + 1 min) closes at newest >= k1200 + 3 min
  EXPECT_FALSE(IsTooLate(event, 0, allowance));
  EXPECT_FALSE(IsTooLate(event, k1200 + 3 * kMinute - 1, allowance));
  EXPECT_TRUE(IsTooLate(event, k1200 + 3 * kMinute, allowance));
  EXPECT_TRUE(IsTooLate(event, k1200 + 10 * kMinute, allowance));
}

TEST(WindowsTest, WithoutAllowanceAWindowClosesWhenANewerWindowBegins) {
  EXPECT_FALSE(IsTooLate(k1200 + 59'999, k1200 + 59'999, milliseconds(0)));
  EXPECT_TRUE(IsTooLate(k1200 + 59'999, k1200 + kMinute, milliseconds(0)));
}

TEST(LatencyHistogramTest, BucketsGrowFourTimesPerDoubling) {
  EXPECT_EQ(LatencyHistogram::BucketOf(-5), 0);
  EXPECT_EQ(LatencyHistogram::BucketOf(0), 0);
  EXPECT_EQ(LatencyHistogram::BucketOf(1), 0);
  EXPECT_EQ(LatencyHistogram::BucketOf(2), 4);
  EXPECT_EQ(LatencyHistogram::BucketOf(3), 7);  // (2^1.5, 2^1.75] = (2.83, 3.36]
  EXPECT_EQ(LatencyHistogram::BucketOf(16), 16);
  EXPECT_EQ(LatencyHistogram::BucketOf(17), 17);
  EXPECT_EQ(LatencyHistogram::BucketOf(int64_t{1} << 40), LatencyHistogram::kBuckets - 1);
  for (int64_t ms = 2; ms < 100'000; ms = ms * 3 / 2 + 1) {
    const int bucket = LatencyHistogram::BucketOf(ms);
    EXPECT_LE(ms, LatencyHistogram::UpperBoundMs(bucket)) << ms;
    EXPECT_GT(ms, LatencyHistogram::UpperBoundMs(bucket - 1) - 1) << ms;
    EXPECT_LT(static_cast<double>(LatencyHistogram::UpperBoundMs(bucket)), 1.19 * static_cast<double>(ms) + 1) << ms;
  }
}

TEST(LatencyHistogramTest, PercentilesAreTheUpperBoundsOfTheirBuckets) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.Percentile(0.5), 0);
  EXPECT_EQ(histogram.MaxMs(), 0);
  for (int64_t ms = 1; ms <= 100; ++ms) histogram.Add(LatencyHistogram::BucketOf(ms), 1);
  EXPECT_EQ(histogram.count(), 100);
  EXPECT_EQ(histogram.Percentile(0.5), 54);    // the 50th latency, 50 ms, lies in (45.3, 53.8]
  EXPECT_EQ(histogram.Percentile(0.99), 108);  // 99 ms lies in (90.5, 107.6]
  EXPECT_EQ(histogram.MaxMs(), 108);
  EXPECT_EQ(histogram.Percentile(0.0), 1);  // at least the first latency
}

TEST(LatencyHistogramTest, MergedHistogramsGiveThePercentilesOfAllTheirLatencies) {
  LatencyHistogram fast, slow, both;
  for (int i = 0; i < 90; ++i) fast.Add(LatencyHistogram::BucketOf(10), 1);
  for (int i = 0; i < 10; ++i) slow.Add(LatencyHistogram::BucketOf(1000), 1);
  both.Merge(fast);
  both.Merge(slow);
  EXPECT_EQ(both.count(), 100);
  EXPECT_EQ(both.Percentile(0.90), LatencyHistogram::UpperBoundMs(LatencyHistogram::BucketOf(10)));
  EXPECT_EQ(both.Percentile(0.91), LatencyHistogram::UpperBoundMs(LatencyHistogram::BucketOf(1000)));
  EXPECT_EQ(both.Buckets(),
            (std::map<int, int64_t>{{LatencyHistogram::BucketOf(10), 90}, {LatencyHistogram::BucketOf(1000), 10}}));
}

TEST(LatencyHistogramTest, RefusesABucketOutsideItsRange) {
  LatencyHistogram histogram;
  EXPECT_THROW(histogram.Add(LatencyHistogram::kBuckets, 1), InvalidArgument);
  EXPECT_THROW(histogram.Add(-1, 1), InvalidArgument);
  EXPECT_THROW(histogram.Add(3, -1), InvalidArgument);
}

TEST(WindowsTest, ARangeCoversWholeMinutes) {
  const WindowRange range = MinutesCovering(k1200 + 10'000, k1200 + 2 * kMinute + 1);
  EXPECT_EQ(range.from_ms, k1200);
  EXPECT_EQ(range.to_ms, k1200 + 3 * kMinute);
  EXPECT_EQ(MinutesCovering(k1200, k1200 + kMinute).to_ms, k1200 + kMinute);
  EXPECT_EQ(WindowCount(range, kMinute), 3);
  EXPECT_EQ(WindowCount(range, 2 * kMinute), 2);
}

TEST(WindowsTest, MergingAddsEveryMinuteIntoItsWindowAndKeepsEmptyOnes) {
  WindowFigures first = Minute(k1200, 2);
  first.counts.confirmed = 1;
  first.rejections["REJECT_REASON_OUT_OF_STOCK"] = 1;
  first.revenue["EUR"] = 500;
  first.latency.Add(LatencyHistogram::BucketOf(20), 1);
  first.revision = 3;
  WindowFigures second = Minute(k1200 + kMinute, 3);
  second.rejections["REJECT_REASON_OUT_OF_STOCK"] = 2;
  second.revenue["EUR"] = 250;
  second.revenue["USD"] = 100;
  second.counts.late_dropped = 1;
  second.revision = 4;
  const WindowRange range{k1200, k1200 + 5 * kMinute};

  const auto merged = Merge({first, second, Minute(k1200 + 10 * kMinute, 9)}, range, 2 * kMinute);
  ASSERT_EQ(merged.size(), 3u);
  EXPECT_EQ(merged[0].start_ms, k1200);
  EXPECT_EQ(merged[0].end_ms, k1200 + 2 * kMinute);
  EXPECT_EQ(merged[0].counts.placed, 5);
  EXPECT_EQ(merged[0].counts.confirmed, 1);
  EXPECT_EQ(merged[0].counts.late_dropped, 1);
  EXPECT_EQ(merged[0].revision, 7);
  EXPECT_EQ(merged[0].rejections, (std::map<std::string, int64_t>{{"REJECT_REASON_OUT_OF_STOCK", 3}}));
  EXPECT_EQ(merged[0].revenue, (std::map<std::string, int64_t>{{"EUR", 750}, {"USD", 100}}));
  EXPECT_EQ(merged[0].latency.count(), 1);
  EXPECT_EQ(merged[1].counts.placed, 0);  // an empty window is still there
  EXPECT_EQ(merged[2].start_ms, k1200 + 4 * kMinute);
  EXPECT_EQ(merged[2].end_ms, k1200 + 5 * kMinute);  // cut at the range's end
  EXPECT_EQ(merged[2].counts.placed, 0);             // the minute outside the range is left out
}

TEST(WindowsTest, TopProductsAreTheMostUnitsWithTiesBySku) {
  const auto top = TopByUnits({{"TEA", 5, {{"EUR", 1500}}}, {"MUG", 7, {{"EUR", 3500}}}, {"CUP", 5, {}}}, 2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].sku, "MUG");
  EXPECT_EQ(top[1].sku, "CUP");
  EXPECT_EQ(TopByUnits({{"MUG", 1, {}}}, 10).size(), 1u);
}

}  // namespace
}  // namespace orderly::analytics
