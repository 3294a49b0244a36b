#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "orderly/common/clock.h"
#include "orderly/messaging/topic_admin.h"

namespace orderly::orchestrator {

/// The time up to which every reply is known to have been handled: the latest moment T such that
/// the orchestrator's consumer group has committed every saga.replies record produced before T. A
/// step timer fires only when its deadline is before this horizon, so a reply waiting to be
/// consumed (the orchestrator behind, restarting or cut off from the broker) is never taken for a
/// late one; while it does not move, no timer fires.
///
/// Refresh() snapshots the partitions' end offsets with the time and advances the horizon to the
/// newest snapshot the committed offsets have reached. Pure logic over an injected progress source
/// and clock. Thread-safe.
class ReplyHorizon final {
 public:
  using ProgressSource = std::function<std::vector<messaging::PartitionProgress>()>;
  static constexpr size_t kMaxSnapshots = 256;  // beyond, the newest is replaced: later, never early

  ReplyHorizon(ProgressSource progress, const Clock& clock) : progress_(std::move(progress)), clock_(clock) {}
  ReplyHorizon(const ReplyHorizon&) = delete;
  ReplyHorizon& operator=(const ReplyHorizon&) = delete;

  /// Takes one snapshot and advances the horizon. @throws what the progress source throws.
  void Refresh();
  /// Every reply produced before this time has been handled; nullopt until the first is known.
  [[nodiscard]] std::optional<Clock::TimePoint> Get() const;

 private:
  struct Snapshot {
    Clock::TimePoint at;
    std::vector<int64_t> ends;  // by partition
  };

  const ProgressSource progress_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::deque<Snapshot> pending_ ABSL_GUARDED_BY(mutex_);  // oldest first, not yet reached
  std::optional<Clock::TimePoint> horizon_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace orderly::orchestrator
