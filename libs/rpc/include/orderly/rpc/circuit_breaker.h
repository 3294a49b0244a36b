#pragma once

#include <chrono>
#include <functional>
#include <mutex>

#include <string>

#include "absl/base/thread_annotations.h"
#include "orderly/metrics/registry.h"

namespace orderly::rpc {

/// Fails calls to a dead peer fast instead of letting each wait out its deadline. After
/// `failure_threshold` consecutive failures it opens: Allow() is false for `open_for`; then one
/// trial call is let through (half-open), and its outcome closes or re-opens it. Thread-safe.
class CircuitBreaker final {
 public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;

  CircuitBreaker(int failure_threshold, std::chrono::milliseconds open_for,
                 Now now = [] { return std::chrono::steady_clock::now(); })
      : failure_threshold_(failure_threshold), open_for_(open_for), now_(std::move(now)) {}
  /// A breaker whose state is exposed as orderly_circuit_breaker_state{breaker="<name>"} in the
  /// default registry (0 closed, 1 open, 2 half-open) while it lives.
  CircuitBreaker(const std::string& name, int failure_threshold, std::chrono::milliseconds open_for,
                 Now now = [] { return std::chrono::steady_clock::now(); });
  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  /// Whether a call may go out now; while half-open, only the first caller gets true.
  [[nodiscard]] bool Allow();
  void RecordSuccess();
  void RecordFailure();
  [[nodiscard]] bool open() const;

  enum class State { kClosed = 0, kOpen = 1, kHalfOpen = 2 };
  /// Half-open: the open period is over (or its trial call is out) and a trial decides.
  [[nodiscard]] State state() const;

 private:
  const int failure_threshold_;
  const std::chrono::milliseconds open_for_;
  const Now now_;
  mutable std::mutex mutex_;
  int failures_ ABSL_GUARDED_BY(mutex_) = 0;
  bool open_ ABSL_GUARDED_BY(mutex_) = false;
  bool trial_in_flight_ ABSL_GUARDED_BY(mutex_) = false;
  std::chrono::steady_clock::time_point opened_at_ ABSL_GUARDED_BY(mutex_);
  metrics::CallbackHandle state_metric_;  // last: unregistered before the rest goes
};

}  // namespace orderly::rpc
