#include "orderly/rpc/circuit_breaker.h"

namespace orderly::rpc {

CircuitBreaker::CircuitBreaker(const std::string& name, int failure_threshold, std::chrono::milliseconds open_for,
                               Now now)
    : CircuitBreaker(failure_threshold, open_for, std::move(now)) {
  state_metric_ = metrics::DefaultRegistry().AddCallback(
      {"orderly_circuit_breaker_state", "A client circuit breaker's state: 0 closed, 1 open, 2 half-open.",
       metrics::Type::kGauge, {"breaker"}},
      [this, name] { return std::vector<metrics::Sample>{{{name}, static_cast<double>(state())}}; });
}

bool CircuitBreaker::Allow() {
  std::lock_guard lock(mutex_);
  if (!open_) return true;
  if (trial_in_flight_ || now_() - opened_at_ < open_for_) return false;
  trial_in_flight_ = true;
  return true;
}

void CircuitBreaker::RecordSuccess() {
  std::lock_guard lock(mutex_);
  failures_ = 0;
  open_ = false;
  trial_in_flight_ = false;
}

void CircuitBreaker::RecordFailure() {
  std::lock_guard lock(mutex_);
  trial_in_flight_ = false;
  if (open_ || ++failures_ >= failure_threshold_) {
    open_ = true;
    opened_at_ = now_();
  }
}

bool CircuitBreaker::open() const {
  std::lock_guard lock(mutex_);
  return open_;
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mutex_);
  if (!open_) return State::kClosed;
  if (trial_in_flight_ || now_() - opened_at_ >= open_for_) return State::kHalfOpen;
  return State::kOpen;
}

}  // namespace orderly::rpc
