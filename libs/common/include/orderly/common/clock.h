#pragma once

#include <chrono>
#include <mutex>

namespace orderly {

/// Wall-clock time source, injected wherever time matters so tests can control it.
/// Implementations are thread-safe.
class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  [[nodiscard]] virtual TimePoint Now() const = 0;
};

/// The real clock.
class SystemClock final : public Clock {
 public:
  [[nodiscard]] TimePoint Now() const override { return std::chrono::system_clock::now(); }
  /// A process-wide instance for code that has no clock injected.
  static SystemClock& Instance();
};

/// A clock that moves only when told to; for tests of timeouts, TTLs and id ordering.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{std::chrono::milliseconds{1'700'000'000'000}}) : now_(start) {}
  [[nodiscard]] TimePoint Now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void Advance(std::chrono::milliseconds by) {
    std::lock_guard lock(mutex_);
    now_ += by;
  }
  /// Moves the clock anywhere, backwards included (wall clocks do).
  void Set(TimePoint to) {
    std::lock_guard lock(mutex_);
    now_ = to;
  }

 private:
  mutable std::mutex mutex_;
  TimePoint now_;
};

/// Milliseconds since the Unix epoch.
[[nodiscard]] inline int64_t ToUnixMillis(Clock::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace orderly
