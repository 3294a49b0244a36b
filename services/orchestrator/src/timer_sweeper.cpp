#include "timer_sweeper.h"

#include <spdlog/spdlog.h>

namespace orderly::orchestrator {

TimerSweeper::TimerSweeper(pg::Cluster& cluster, SagaEngine& engine, const ReplyHorizon& horizon,
                           std::chrono::milliseconds interval)
    : cluster_(cluster), engine_(engine), horizon_(horizon) {
  for (size_t shard = 0; shard < cluster.shard_count(); ++shard) {
    threads_.push_back(std::make_unique<PeriodicThread>(interval, [this, shard] { Sweep(shard); }));
  }
}

TimerSweeper::~TimerSweeper() { Stop(); }

void TimerSweeper::Stop() {
  for (auto& thread : threads_) thread->Stop();
}

void TimerSweeper::Sweep(size_t shard) {
  const std::optional<Clock::TimePoint> horizon = horizon_.Get();
  if (!horizon) return;
  try {
    fired_ += cluster_.Transact(shard, [&](pg::Transaction& tx) {
      // The step's timeout is due_at - started_at; an outbox row already deleted was sent long ago.
      const pg::Result due = tx.Exec(
          "SELECT t.saga_id, t.sequence FROM saga_timers t "
          "JOIN saga_steps st USING (saga_id, sequence) "
          "LEFT JOIN outbox o ON o.message_id = st.command_message_id::uuid "
          "WHERE t.due_at <= to_timestamp($1::double precision / 1000) "
          "AND (o.id IS NULL OR o.sent_at + (t.due_at - st.started_at) <= to_timestamp($1::double precision / 1000)) "
          "ORDER BY t.due_at LIMIT 100 FOR UPDATE OF t SKIP LOCKED",
          {ToUnixMillis(*horizon)});
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
