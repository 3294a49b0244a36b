#include "admission.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "orderly/common/errors.h"

namespace orderly::order {
namespace {

constexpr double kSmoothing = 0.3;  // weight of the newest drain rate

}  // namespace

void AdmissionGate::Observe(int64_t pending) {
  std::lock_guard lock(mutex_);
  const Clock::TimePoint now = clock_.Now();
  const double seconds = std::chrono::duration<double>(now - counted_at_).count();
  if (observed_ && seconds > 0) {
    // Orders that left PENDING between the counts: those counted or admitted since, less those left.
    const double rate = static_cast<double>(std::max<int64_t>(counted_ + admitted_since_ - pending, 0)) / seconds;
    drained_per_second_ = drained_per_second_ == 0 ? rate : kSmoothing * rate + (1 - kSmoothing) * drained_per_second_;
  }
  observed_ = true;
  counted_ = pending;
  admitted_since_ = 0;
  counted_at_ = now;
}

void AdmissionGate::Check() const {
  std::lock_guard lock(mutex_);
  const int64_t backlog = counted_ + admitted_since_;
  if (backlog >= max_pending_) {
    const std::chrono::milliseconds retry = RetryDelay();
    throw ResourceExhausted("the order pipeline is at capacity (" + std::to_string(backlog) +
                                " orders in flight, at most " + std::to_string(max_pending_) + "); retry in " +
                                std::to_string(retry.count()) + " ms",
                            retry);
  }
}

void AdmissionGate::Admitted() {
  std::lock_guard lock(mutex_);
  ++admitted_since_;
}

int64_t AdmissionGate::backlog() const {
  std::lock_guard lock(mutex_);
  return counted_ + admitted_since_;
}

std::chrono::milliseconds AdmissionGate::RetryDelay() const {
  if (drained_per_second_ <= 0) return kUnknownRetry;
  const double tenth = std::max<double>(static_cast<double>(max_pending_) / 10, 1);
  const auto delay = std::chrono::milliseconds(static_cast<int64_t>(std::ceil(1000 * tenth / drained_per_second_)));
  return std::clamp(delay, kMinRetry, kMaxRetry);
}

}  // namespace orderly::order
