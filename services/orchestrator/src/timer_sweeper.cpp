#include "timer_sweeper.h"

#include <spdlog/spdlog.h>

namespace orderly::orchestrator {

TimerSweeper::TimerSweeper(pg::Cluster& cluster, SagaEngine& engine, std::chrono::milliseconds interval)
    : cluster_(cluster), engine_(engine), interval_(interval) {
  for (size_t shard = 0; shard < cluster.shard_count(); ++shard) threads_.emplace_back([this, shard] { Run(shard); });
}

TimerSweeper::~TimerSweeper() { Stop(); }

void TimerSweeper::Stop() {
  {
    std::lock_guard lock(mutex_);
    running_ = false;
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void TimerSweeper::Run(size_t shard) {
  while (running_) {
    try {
      const auto fired = cluster_.Transact(shard, [&](pg::Transaction& tx) {
        const pg::Result due = tx.Exec(
            "SELECT saga_id, sequence FROM saga_timers WHERE due_at <= now() ORDER BY due_at LIMIT 100 "
            "FOR UPDATE SKIP LOCKED");
        for (size_t i = 0; i < due.size(); ++i) {
          engine_.OnTimeout(tx, due[i].String(0), static_cast<int>(due[i].Int(1)));
        }
        return due.size();
      });
      fired_ += fired;
    } catch (const std::exception& e) {
      spdlog::warn("timer sweeper shard {}: {}", cluster_.shard(shard).name, e.what());
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, interval_, [&] { return !running_.load(); });
  }
}

}  // namespace orderly::orchestrator
