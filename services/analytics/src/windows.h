#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace orderly::analytics {

/// Every window is one minute of event time; coarser granularities merge whole windows.
inline constexpr int64_t kWindowMs = 60'000;

/// The ring key whose shard holds every window: each event's inbox row and its window's change must
/// commit in one transaction, and a window sums orders of every shard.
inline constexpr std::string_view kShardKey = "analytics";

/// Start (Unix ms) of the one-minute window holding `event_ms`.
[[nodiscard]] int64_t WindowStart(int64_t event_ms);

/// Whether an event at `event_ms` comes too late to count: its window ended `allowance` or more
/// before the newest event time seen so far (`watermark_ms`), so that window is closed.
[[nodiscard]] bool IsTooLate(int64_t event_ms, int64_t watermark_ms, std::chrono::milliseconds allowance);

/// Counts of latencies in logarithmic buckets, four per doubling: bucket 0 holds up to 1 ms, bucket
/// b > 0 holds (2^((b-1)/4), 2^(b/4)] ms, and the last one everything longer (about 7.8 h and up).
/// A percentile is its bucket's upper bound, so it overstates by less than 19 %, and the same counts
/// always give the same percentiles. Not thread-safe.
class LatencyHistogram final {
 public:
  static constexpr int kBuckets = 100;

  /// The bucket of a latency; negative latencies (producers' clocks apart) count as 0.
  [[nodiscard]] static int BucketOf(int64_t latency_ms);
  /// The largest latency bucket `bucket` holds, rounded up to a whole millisecond.
  [[nodiscard]] static int64_t UpperBoundMs(int bucket);

  /// @throws orderly::InvalidArgument for a bucket outside [0, kBuckets) or a negative count.
  void Add(int bucket, int64_t count);
  void Merge(const LatencyHistogram& other);

  [[nodiscard]] int64_t count() const { return count_; }
  /// The upper bound of the bucket holding the ceil(q * count)-th latency; 0 when empty.
  [[nodiscard]] int64_t Percentile(double q) const;
  /// The upper bound of the highest non-empty bucket; 0 when empty.
  [[nodiscard]] int64_t MaxMs() const;
  /// Non-empty buckets and their counts.
  [[nodiscard]] std::map<int, int64_t> Buckets() const;

 private:
  std::array<int64_t, kBuckets> counts_{};
  int64_t count_ = 0;
};

/// A window's event counts; also what one event adds to them.
struct WindowCounts {
  int64_t placed = 0;
  int64_t confirmed = 0;
  int64_t rejected = 0;
  int64_t cancelled = 0;
  int64_t refunded = 0;
  int64_t late_dropped = 0;

  void Add(const WindowCounts& other);
};

/// The figures of one window (one minute, or several merged), as stored: counts, rejections by
/// reason name, money by currency in minor units, and the latency histogram.
struct WindowFigures {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  WindowCounts counts;
  int64_t revision = 0;
  std::map<std::string, int64_t> rejections;
  std::map<std::string, int64_t> revenue;
  std::map<std::string, int64_t> refunds;
  LatencyHistogram latency;

  /// Adds `other`'s figures to these (the span stays this window's).
  void Add(const WindowFigures& other);
};

/// The one-minute windows whose start lies in [from_ms, to_ms), as requested: from rounded down and
/// to rounded up to whole minutes.
struct WindowRange {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
};
[[nodiscard]] WindowRange MinutesCovering(int64_t from_ms, int64_t to_ms);

/// How many windows of `granularity_ms` cover `range` (the last one may be shorter).
[[nodiscard]] int64_t WindowCount(const WindowRange& range, int64_t granularity_ms);

/// Merges one-minute windows into consecutive windows of `granularity_ms` (a multiple of a minute)
/// from range.from_ms to range.to_ms, the last one cut at to_ms; windows with no data are included,
/// all zero. `minutes` outside the range are ignored.
[[nodiscard]] std::vector<WindowFigures> Merge(const std::vector<WindowFigures>& minutes, const WindowRange& range,
                                               int64_t granularity_ms);

/// One product's sales: units and revenue by currency.
struct ProductFigures {
  std::string sku;
  int64_t units = 0;
  std::map<std::string, int64_t> revenue;
};

/// The `n` products with the most units, ties by SKU.
[[nodiscard]] std::vector<ProductFigures> TopByUnits(std::vector<ProductFigures> products, size_t n);

}  // namespace orderly::analytics
