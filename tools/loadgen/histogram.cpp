#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace orderly::loadgen {
namespace {

constexpr int64_t kSubBuckets = int64_t{1} << Histogram::kSubBucketBits;  // 128
constexpr int64_t kLinearLimit = 2 * kSubBuckets;                         // values below this have a bucket each

// How many low bits a value's bucket ignores: 0 below kLinearLimit, then one more per power of two.
int Shift(int64_t value) {
  if (value < kLinearLimit) return 0;
  return std::bit_width(static_cast<uint64_t>(value)) - 1 - Histogram::kSubBucketBits;
}

}  // namespace

Histogram::Histogram() : counts_(BucketCount(), 0) {}

size_t Histogram::BucketIndex(int64_t value) {
  value = std::clamp<int64_t>(value, 0, kMaxValue);
  const int shift = Shift(value);
  // value >> shift lies in [128, 256) once shift > 0, so each power of two adds 128 buckets.
  return static_cast<size_t>(shift * kSubBuckets + (value >> shift));
}

int64_t Histogram::BucketLowest(size_t index) {
  const auto i = static_cast<int64_t>(index);
  if (i < kLinearLimit) return i;
  const int64_t shift = i / kSubBuckets - 1;
  return (i - shift * kSubBuckets) << shift;
}

int64_t Histogram::BucketHighest(size_t index) {
  const auto i = static_cast<int64_t>(index);
  if (i < kLinearLimit) return i;
  const int64_t shift = i / kSubBuckets - 1;
  return BucketLowest(index) + (int64_t{1} << shift) - 1;
}

size_t Histogram::BucketCount() { return BucketIndex(kMaxValue) + 1; }

void Histogram::Record(int64_t value) {
  if (value > kMaxValue) ++clamped_;
  value = std::clamp<int64_t>(value, 0, kMaxValue);
  ++counts_[BucketIndex(value)];
  min_ = count_ == 0 ? value : std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += static_cast<double>(value);
  ++count_;
}

void Histogram::Merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  count_ += other.count_;
  clamped_ += other.clamped_;
}

double Histogram::mean() const { return count_ == 0 ? 0 : sum_ / static_cast<double>(count_); }

int64_t Histogram::Percentile(double percentile) const {
  if (count_ == 0) return 0;
  // The rank in integer arithmetic (percentile in millionths), so 99.9% of 1000 is exactly 999.
  const auto millionths = static_cast<uint64_t>(std::llround(std::clamp(percentile, 0.0, 100.0) * 10'000));
  const uint64_t rank = std::max<uint64_t>(1, (millionths * count_ + 999'999) / 1'000'000);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(BucketHighest(i), max_);
  }
  return max_;
}

}  // namespace orderly::loadgen
