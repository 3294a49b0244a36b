#include "orderly/rpc/circuit_breaker.h"

namespace orderly::rpc {

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

}  // namespace orderly::rpc
