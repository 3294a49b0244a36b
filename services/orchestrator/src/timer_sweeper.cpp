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
    cluster_.Transact(shard, [&](pg::Transaction& tx) {
      const size_t fired = FireTimers(tx, ToUnixMillis(*horizon));
      tx.AfterCommit([this, fired] { fired_ += fired; });
      Resend(tx, ToUnixMillis(*horizon));
    });
  } catch (const std::exception& e) {
    spdlog::warn("timer sweeper shard {}: {}", cluster_.shard(shard).name, e.what());
  }
}

size_t TimerSweeper::FireTimers(pg::Transaction& tx, int64_t horizon_ms) {
  // The step's timeout is due_at - started_at; an outbox row already deleted was sent long ago.
  const pg::Result due = tx.Exec(
      "SELECT st.saga_id, st.sequence FROM saga_steps st "
      "LEFT JOIN outbox o ON o.message_id = st.command_message_id::uuid "
      "WHERE st.due_at <= to_timestamp($1::double precision / 1000) "
      "AND (o.id IS NULL OR o.sent_at + (st.due_at - st.started_at) <= to_timestamp($1::double precision / 1000)) "
      "ORDER BY st.due_at LIMIT 100 FOR UPDATE OF st SKIP LOCKED",
      {horizon_ms});
  for (size_t i = 0; i < due.size(); ++i) {
    engine_.OnTimeout(tx, due[i].String(0), static_cast<int>(due[i].Int(1)));
  }
  return due.size();
}

void TimerSweeper::Resend(pg::Transaction& tx, int64_t horizon_ms) {
  // A first send still in the outbox is not overdue: the relay is behind, not the participant.
  const pg::Result due = tx.Exec(
      "SELECT st.saga_id, st.sequence FROM saga_steps st "
      "LEFT JOIN outbox o ON o.message_id = st.command_message_id::uuid "
      "WHERE st.resend_at <= to_timestamp($1::double precision / 1000) AND (o.id IS NULL OR o.sent_at IS NOT NULL) "
      "ORDER BY st.resend_at LIMIT 100 FOR UPDATE OF st SKIP LOCKED",
      {horizon_ms});
  for (size_t i = 0; i < due.size(); ++i) {
    engine_.Resend(tx, due[i].String(0), static_cast<int>(due[i].Int(1)));
  }
}

}  // namespace orderly::orchestrator
