#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace orderly::metrics {

/// A monotonically increasing count. Inc is one relaxed atomic add: no lock, no allocation, safe
/// from any thread.
class Counter final {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void Inc(uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] uint64_t Value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

/// A value that goes up and down. Set and Add are lock-free atomics, safe from any thread.
class Gauge final {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta) noexcept { value_.fetch_add(delta, std::memory_order_relaxed); }
  [[nodiscard]] double Value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

/// Observations counted into fixed buckets (upper bounds, increasing; +Inf is implicit). Observe
/// is a short search over the bounds plus two relaxed atomic adds: no lock, no allocation, safe from
/// any thread. A concurrent Read may see an observation in its bucket before it is in the sum.
class Histogram final {
 public:
  /// `bounds` must outlive the histogram (its family owns them).
  explicit Histogram(std::span<const double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Observe(double value) noexcept;

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
    [[nodiscard]] uint64_t count() const { return cumulative.empty() ? 0 : cumulative.back(); }
  };
  [[nodiscard]] Snapshot Read() const;
  [[nodiscard]] std::span<const double> bounds() const { return bounds_; }

 private:
  std::span<const double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1 (the +Inf bucket)
  std::atomic<double> sum_{0};
};

/// Bucket bounds in seconds for latencies from 1 ms to 10 s.
[[nodiscard]] std::vector<double> LatencyBuckets();

}  // namespace orderly::metrics
