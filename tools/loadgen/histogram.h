#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace orderly::loadgen {

/// Counts of non-negative integer values (microseconds by convention) in log-linear buckets, as
/// HdrHistogram does: values below 256 have a bucket each; above, every power of two is split into
/// 128 equal buckets. A bucket's width is at most 1/128 of its lowest value, so a percentile is
/// over-reported by less than 0.79%, never under-reported. Range 0 .. kMaxValue (1 h in µs): a
/// larger value is recorded as kMaxValue and counted in clamped(); a negative one as 0.
///
/// Memory is fixed (about 26 KiB). Not thread-safe: guard it, or give each thread its own and Merge.
class Histogram final {
 public:
  static constexpr int kSubBucketBits = 7;             // 128 buckets per power of two
  static constexpr int64_t kMaxValue = 3'600'000'000;  // 1 h in µs

  Histogram();

  void Record(int64_t value);
  /// Adds every recording of `other`.
  void Merge(const Histogram& other);

  [[nodiscard]] uint64_t count() const { return count_; }
  [[nodiscard]] uint64_t clamped() const { return clamped_; }
  /// Exact smallest and largest recorded values; 0 when empty.
  [[nodiscard]] int64_t min() const { return count_ == 0 ? 0 : min_; }
  [[nodiscard]] int64_t max() const { return max_; }
  /// Exact mean of the recorded (clamped) values; 0 when empty.
  [[nodiscard]] double mean() const;

  /// The value at `percentile` (0 < p <= 100): the highest value of the bucket that holds the
  /// ceil(p/100 * count)-th smallest recording, but no more than max(). 0 when empty.
  [[nodiscard]] int64_t Percentile(double percentile) const;

  /// The bucket of `value` (clamped to 0..kMaxValue) and each bucket's value range, inclusive.
  [[nodiscard]] static size_t BucketIndex(int64_t value);
  [[nodiscard]] static int64_t BucketLowest(size_t index);
  [[nodiscard]] static int64_t BucketHighest(size_t index);
  [[nodiscard]] static size_t BucketCount();

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t clamped_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace orderly::loadgen
