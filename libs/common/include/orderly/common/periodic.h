#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace orderly {

/// Runs `task` on its own thread at once and then every `interval` (counted from the end of each
/// run) until stopped. Stop, or destruction, wakes the wait at once and joins; a run in progress is
/// finished first. `task` must not throw.
class PeriodicThread final {
 public:
  PeriodicThread(std::chrono::milliseconds interval, std::function<void()> task);
  ~PeriodicThread();
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;

  /// Idempotent.
  void Stop();

 private:
  void Run();

  const std::chrono::milliseconds interval_;
  const std::function<void()> task_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool running_ = true;
  std::thread thread_;  // last: starts after everything it uses
};

}  // namespace orderly
