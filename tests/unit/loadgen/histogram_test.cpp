#include "histogram.h"

#include <gtest/gtest.h>

namespace orderly::loadgen {
namespace {

TEST(HistogramTest, ValuesBelow256HaveABucketEach) {
  for (int64_t value : {0, 1, 127, 128, 200, 255}) {
    EXPECT_EQ(Histogram::BucketIndex(value), static_cast<size_t>(value));
    EXPECT_EQ(Histogram::BucketLowest(Histogram::BucketIndex(value)), value);
    EXPECT_EQ(Histogram::BucketHighest(Histogram::BucketIndex(value)), value);
  }
}

TEST(HistogramTest, EachPowerOfTwoAbove256Has128Buckets) {
  EXPECT_EQ(Histogram::BucketIndex(256), 256u);
  EXPECT_EQ(Histogram::BucketIndex(257), 256u);  // width 2 from 256 on
  EXPECT_EQ(Histogram::BucketIndex(258), 257u);
  EXPECT_EQ(Histogram::BucketIndex(511), 383u);
  EXPECT_EQ(Histogram::BucketIndex(512), 384u);  // width 4 from 512 on
  EXPECT_EQ(Histogram::BucketIndex(515), 384u);
  EXPECT_EQ(Histogram::BucketLowest(384), 512);
  EXPECT_EQ(Histogram::BucketHighest(384), 515);
  EXPECT_EQ(Histogram::BucketLowest(383), 510);
  EXPECT_EQ(Histogram::BucketHighest(383), 511);
}

TEST(HistogramTest, BucketsTileTheRangeWithoutGapsOrOverlaps) {
  for (size_t i = 1; i < Histogram::BucketCount(); ++i) {
    ASSERT_EQ(Histogram::BucketLowest(i), Histogram::BucketHighest(i - 1) + 1) << "bucket " << i;
  }
  EXPECT_EQ(Histogram::BucketIndex(Histogram::kMaxValue), Histogram::BucketCount() - 1);
  EXPECT_GE(Histogram::BucketHighest(Histogram::BucketCount() - 1), Histogram::kMaxValue);
}

TEST(HistogramTest, RelativeErrorStaysBelowOnePercentFromOneMicrosecondToOneHour) {
  for (int64_t value = 1; value <= Histogram::kMaxValue; value = value * 3 / 2 + 1) {
    const int64_t reported = Histogram::BucketHighest(Histogram::BucketIndex(value));
    ASSERT_GE(reported, value);
    ASSERT_LE(static_cast<double>(reported - value) / static_cast<double>(value), 1.0 / 128) << value;
  }
}

TEST(HistogramTest, PercentilesOfExactValuesAreExact) {
  Histogram histogram;
  for (int64_t value = 1; value <= 100; ++value) histogram.Record(value);
  EXPECT_EQ(histogram.count(), 100u);
  EXPECT_EQ(histogram.Percentile(50), 50);
  EXPECT_EQ(histogram.Percentile(90), 90);
  EXPECT_EQ(histogram.Percentile(99), 99);
  EXPECT_EQ(histogram.Percentile(99.9), 100);
  EXPECT_EQ(histogram.Percentile(100), 100);
  EXPECT_EQ(histogram.Percentile(0.5), 1);
  EXPECT_EQ(histogram.min(), 1);
  EXPECT_EQ(histogram.max(), 100);
  EXPECT_DOUBLE_EQ(histogram.mean(), 50.5);
}

TEST(HistogramTest, PercentileRankIsTheCeilingOfItsShare) {
  Histogram histogram;
  for (int64_t value = 1; value <= 1000; ++value) histogram.Record(value < 256 ? value : 1000);
  // 255 values below 256, then 745 values of 1000: rank 999 of p99.9 falls among the 1000s.
  EXPECT_EQ(histogram.Percentile(25.5), 255);   // rank exactly 255
  EXPECT_EQ(histogram.Percentile(25.6), 1000);  // rank 256: bucket [1000, 1003] capped at max
  EXPECT_EQ(histogram.Percentile(99.9), 1000);
}

TEST(HistogramTest, PercentileReportsTheBucketTopCappedAtMax) {
  Histogram histogram;
  histogram.Record(1000);  // bucket [1000, 1003]
  histogram.Record(5000);
  EXPECT_EQ(histogram.Percentile(50), 1003);
  EXPECT_EQ(histogram.Percentile(100), 5000);
  Histogram single;
  single.Record(1000);
  EXPECT_EQ(single.Percentile(50), 1000);
}

TEST(HistogramTest, EmptyReportsZero) {
  const Histogram histogram;
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.Percentile(99), 0);
  EXPECT_EQ(histogram.min(), 0);
  EXPECT_EQ(histogram.max(), 0);
  EXPECT_EQ(histogram.mean(), 0);
}

TEST(HistogramTest, OutOfRangeValuesAreClampedAndCounted) {
  Histogram histogram;
  histogram.Record(-5);
  histogram.Record(Histogram::kMaxValue * 2);
  EXPECT_EQ(histogram.min(), 0);
  EXPECT_EQ(histogram.max(), Histogram::kMaxValue);
  EXPECT_EQ(histogram.clamped(), 1u);
  EXPECT_EQ(histogram.Percentile(100), Histogram::kMaxValue);
}

TEST(HistogramTest, MergeAddsCountsAndExtremes) {
  Histogram a;
  Histogram b;
  a.Record(10);
  a.Record(20);
  b.Record(5);
  b.Record(300);
  a.Merge(b);
  EXPECT_EQ(a.count(), 4u);
  EXPECT_EQ(a.min(), 5);
  EXPECT_EQ(a.max(), 300);
  EXPECT_EQ(a.Percentile(50), 10);
  EXPECT_EQ(a.Percentile(75), 20);
  EXPECT_EQ(a.Percentile(100), 300);
  a.Merge(Histogram());
  EXPECT_EQ(a.count(), 4u);
}

}  // namespace
}  // namespace orderly::loadgen
