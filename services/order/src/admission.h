#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

#include "absl/base/thread_annotations.h"

#include "orderly/common/clock.h"

namespace orderly::order {

/// Admission control for PlaceOrder from the in-flight saga backlog: the orders still PENDING.
/// While the backlog is at `max_pending`, new orders are refused with ResourceExhausted and a
/// retry delay, so load beyond what the pipeline can finish is turned away at the door, creating
/// nothing, instead of being accepted and failed later.
///
/// The backlog comes from Observe (a periodic count of PENDING orders on every shard) plus what
/// this process admitted since; several order replicas together may overshoot by what they admit
/// within one count, and concurrent calls by those that passed Check before any was Admitted. The
/// retry delay is the time the pipeline needs, at the drain rate seen between counts, to free a tenth
/// of `max_pending`, within [kMinRetry, kMaxRetry]. Pure logic with an injected clock. Thread-safe.
class AdmissionGate final {
 public:
  static constexpr std::chrono::milliseconds kMinRetry{50};
  static constexpr std::chrono::milliseconds kMaxRetry{10'000};
  static constexpr std::chrono::milliseconds kUnknownRetry{1'000};  // before any drain was seen

  AdmissionGate(int64_t max_pending, const Clock& clock) : max_pending_(max_pending), clock_(clock) {}
  AdmissionGate(const AdmissionGate&) = delete;
  AdmissionGate& operator=(const AdmissionGate&) = delete;

  /// The backlog as just counted.
  void Observe(int64_t pending);
  /// @throws ResourceExhausted while the backlog is full: no new order now.
  void Check() const;
  /// Counts one more order in flight: call it once the new order exists, so a request that failed
  /// (a retry, an unknown sku, a shard down) takes no room while the count cannot be refreshed.
  void Admitted();
  /// The backlog as this process sees it now.
  [[nodiscard]] int64_t backlog() const;

 private:
  [[nodiscard]] std::chrono::milliseconds RetryDelay() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const int64_t max_pending_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  bool observed_ ABSL_GUARDED_BY(mutex_) = false;
  int64_t counted_ ABSL_GUARDED_BY(mutex_) = 0;         // the last count
  int64_t admitted_since_ ABSL_GUARDED_BY(mutex_) = 0;  // admitted here since that count
  Clock::TimePoint counted_at_ ABSL_GUARDED_BY(mutex_);
  double drained_per_second_ ABSL_GUARDED_BY(mutex_) = 0;  // smoothed; 0 while unknown
};

}  // namespace orderly::order
