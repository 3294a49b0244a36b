#include "windows.h"

#include <algorithm>
#include <cmath>

#include "orderly/common/errors.h"

namespace orderly::analytics {

int64_t WindowStart(int64_t event_ms) {
  // Floor, not truncation: an event before 1970 still belongs to the window it lies in.
  const int64_t remainder = event_ms % kWindowMs;
  return event_ms - (remainder < 0 ? remainder + kWindowMs : remainder);
}

bool IsTooLate(int64_t event_ms, int64_t watermark_ms, std::chrono::milliseconds allowance) {
  return WindowStart(event_ms) + kWindowMs + allowance.count() <= watermark_ms;
}

int LatencyHistogram::BucketOf(int64_t latency_ms) {
  if (latency_ms <= 1) return 0;
  const int bucket = static_cast<int>(std::ceil(4.0 * std::log2(static_cast<double>(latency_ms))));
  return std::min(bucket, kBuckets - 1);
}

int64_t LatencyHistogram::UpperBoundMs(int bucket) {
  return static_cast<int64_t>(std::ceil(std::exp2(static_cast<double>(bucket) / 4.0)));
}

void LatencyHistogram::Add(int bucket, int64_t count) {
  if (bucket < 0 || bucket >= kBuckets) {
    throw InvalidArgument("bucket", "must be in [0, " + std::to_string(kBuckets) + "), got " + std::to_string(bucket));
  }
  if (count < 0) throw InvalidArgument("count", "must not be negative");
  counts_[static_cast<size_t>(bucket)] += count;
  count_ += count;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int bucket = 0; bucket < kBuckets; ++bucket) Add(bucket, other.counts_[static_cast<size_t>(bucket)]);
}

int64_t LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  const auto rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * static_cast<double>(count_))));
  int64_t seen = 0;
  for (int bucket = 0; bucket < kBuckets; ++bucket) {
    seen += counts_[static_cast<size_t>(bucket)];
    if (seen >= rank) return UpperBoundMs(bucket);
  }
  return MaxMs();
}

int64_t LatencyHistogram::MaxMs() const {
  for (int bucket = kBuckets - 1; bucket >= 0; --bucket) {
    if (counts_[static_cast<size_t>(bucket)] > 0) return UpperBoundMs(bucket);
  }
  return 0;
}

std::map<int, int64_t> LatencyHistogram::Buckets() const {
  std::map<int, int64_t> buckets;
  for (int bucket = 0; bucket < kBuckets; ++bucket) {
    if (counts_[static_cast<size_t>(bucket)] > 0) buckets[bucket] = counts_[static_cast<size_t>(bucket)];
  }
  return buckets;
}

namespace {

void AddAll(std::map<std::string, int64_t>& into, const std::map<std::string, int64_t>& from) {
  for (const auto& [key, value] : from) into[key] += value;
}

}  // namespace

void WindowCounts::Add(const WindowCounts& other) {
  placed += other.placed;
  confirmed += other.confirmed;
  rejected += other.rejected;
  cancelled += other.cancelled;
  refunded += other.refunded;
  late_dropped += other.late_dropped;
}

void WindowFigures::Add(const WindowFigures& other) {
  counts.Add(other.counts);
  revision += other.revision;
  AddAll(rejections, other.rejections);
  AddAll(revenue, other.revenue);
  AddAll(refunds, other.refunds);
  latency.Merge(other.latency);
}

WindowRange MinutesCovering(int64_t from_ms, int64_t to_ms) {
  const int64_t to_start = WindowStart(to_ms);
  return {WindowStart(from_ms), to_start == to_ms ? to_ms : to_start + kWindowMs};
}

int64_t WindowCount(const WindowRange& range, int64_t granularity_ms) {
  return (range.to_ms - range.from_ms + granularity_ms - 1) / granularity_ms;
}

std::vector<WindowFigures> Merge(const std::vector<WindowFigures>& minutes, const WindowRange& range,
                                 int64_t granularity_ms) {
  std::vector<WindowFigures> merged;
  for (int64_t start = range.from_ms; start < range.to_ms; start += granularity_ms) {
    WindowFigures window;
    window.start_ms = start;
    window.end_ms = std::min(start + granularity_ms, range.to_ms);
    merged.push_back(std::move(window));
  }
  for (const WindowFigures& minute : minutes) {
    if (minute.start_ms < range.from_ms || minute.start_ms >= range.to_ms) continue;
    merged[static_cast<size_t>((minute.start_ms - range.from_ms) / granularity_ms)].Add(minute);
  }
  return merged;
}

std::vector<ProductFigures> TopByUnits(std::vector<ProductFigures> products, size_t n) {
  std::sort(products.begin(), products.end(), [](const ProductFigures& a, const ProductFigures& b) {
    return a.units != b.units ? a.units > b.units : a.sku < b.sku;
  });
  if (products.size() > n) products.resize(n);
  return products;
}

}  // namespace orderly::analytics
