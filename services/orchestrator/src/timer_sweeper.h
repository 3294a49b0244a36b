#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "orderly/common/periodic.h"
#include "orderly/pg/cluster.h"
#include "reply_horizon.h"
#include "saga_engine.h"

namespace orderly::orchestrator {

/// Fires due step timers and due resends on every shard, one thread per shard, every `interval`. A
/// step's deadline runs from when the relay published its command (not while it sat in the outbox),
/// and it is due only once it lies before the reply horizon (not while a reply may wait to be
/// consumed). A step is sent again once its resend_at lies before the horizon and its command has
/// left the outbox. Due rows are claimed with FOR UPDATE SKIP LOCKED and changed in the transaction
/// that acts on them, so replicas sweeping side by side never act on one twice. Construction starts
/// it; destruction (or Stop) ends it.
class TimerSweeper final {
 public:
  TimerSweeper(pg::Cluster& cluster, SagaEngine& engine, const ReplyHorizon& horizon,
               std::chrono::milliseconds interval);
  ~TimerSweeper();
  TimerSweeper(const TimerSweeper&) = delete;
  TimerSweeper& operator=(const TimerSweeper&) = delete;

  void Stop();
  /// Timers fired since start, for metrics and tests.
  [[nodiscard]] uint64_t fired() const { return fired_.load(); }

 private:
  void Sweep(size_t shard);
  size_t FireTimers(pg::Transaction& tx, int64_t horizon_ms);
  void Resend(pg::Transaction& tx, int64_t horizon_ms);

  pg::Cluster& cluster_;
  SagaEngine& engine_;
  const ReplyHorizon& horizon_;
  std::atomic<uint64_t> fired_{0};
  std::vector<std::unique_ptr<PeriodicThread>> threads_;  // one per shard
};

}  // namespace orderly::orchestrator
