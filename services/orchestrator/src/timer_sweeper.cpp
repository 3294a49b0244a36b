#include "timer_sweeper.h"

#include <spdlog/spdlog.h>

namespace orderly::orchestrator {

TimerSweeper::TimerSweeper(pg::Cluster& cluster, SagaEngine& engine, std::chrono::milliseconds interval)
    : cluster_(cluster), engine_(engine) {
  for (size_t shard = 0; shard < cluster.shard_count(); ++shard) {
    threads_.push_back(std::make_unique<PeriodicThread>(interval, [this, shard] { Sweep(shard); }));
  }
}

TimerSweeper::~TimerSweeper() { Stop(); }

void TimerSweeper::Stop() {
  for (auto& thread : threads_) thread->Stop();
}

void TimerSweeper::Sweep(size_t shard) {
  try {
    fired_ += cluster_.Transact(shard, [&](pg::Transaction& tx) {
      const pg::Result due = tx.Exec(
          "SELECT saga_id, sequence FROM saga_timers WHERE due_at <= now() ORDER BY due_at LIMIT 100 "
          "FOR UPDATE SKIP LOCKED");
      for (size_t i = 0; i < due.size(); ++i) {
        engine_.OnTimeout(tx, due[i].String(0), static_cast<int>(due[i].Int(1)));
      }
      return due.size();
    });
  } catch (const std::exception& e) {
    spdlog::warn("timer sweeper shard {}: {}", cluster_.shard(shard).name, e.what());
  }
}

}  // namespace orderly::orchestrator
