#include "orderly/messaging/outbox_relay.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "orderly/common/clock.h"
#include "orderly/common/ids.h"
#include "orderly/messaging/outbox.h"
#include "outbox_hand_over.h"
#include "orderly/metrics/registry.h"
#include "orderly/pg/hash_ring.h"

namespace orderly::messaging {
namespace {

// How often each shard's backlog (unsent rows, age of the oldest) is measured for the metrics: one
// index-only count, rare enough to cost the pipeline nothing.
constexpr auto kBacklogInterval = std::chrono::seconds(5);

// One shard's backlog gauges.
struct BacklogGauges {
  metrics::Gauge* rows;
  metrics::Gauge* oldest_age;
};

// When each periodic chore of a shard is due next.
struct Schedule {
  std::chrono::steady_clock::time_point sweep{};
  std::chrono::steady_clock::time_point cleanup{};
  std::chrono::steady_clock::time_point backlog{};
};

// How long Stop waits for records in flight; the producer settles each within its delivery timeout.
constexpr auto kStopWait = std::chrono::seconds(30);

}  // namespace

struct OutboxRelay::Impl {
  pg::Cluster& cluster;
  Producer& producer;
  OutboxSettings settings;
  int64_t lock_key;
  std::atomic<bool> running{true};
  std::atomic<uint64_t> published{0};
  std::atomic<uint64_t> failed_batches{0};
  std::mutex mutex;
  std::condition_variable wake;
  std::vector<BacklogGauges> backlog;  // by shard
  std::shared_ptr<detail::OutboxHandOver> hand_over;
  std::vector<std::thread> threads;

  Impl(pg::Cluster& c, Producer& p, const OutboxSettings& s)
      : cluster(c),
        producer(p),
        settings(s),
        lock_key(static_cast<int64_t>(pg::StableHash("orderly.outbox.relay." + c.schema()))),
        hand_over(std::make_shared<detail::OutboxHandOver>(p, c.shard_count())) {
    auto& registry = metrics::DefaultRegistry();
    auto& rows = registry.GaugeFamily("orderly_outbox_backlog", "Outbox rows not yet published, by shard.",
                                      {"schema", "shard"});
    auto& age = registry.GaugeFamily("orderly_outbox_oldest_unsent_age_seconds",
                                     "Age of the oldest outbox row not yet published (0 when none), by shard.",
                                     {"schema", "shard"});
    for (size_t shard = 0; shard < c.shard_count(); ++shard) {
      const std::string& name = c.shard(shard).name;
      backlog.push_back({&rows.Labels({c.schema(), name}), &age.Labels({c.schema(), name})});
    }
  }

  void MeasureBacklog(size_t shard) {
    pg::TxOptions read_only;
    read_only.read_only = true;
    const auto [rows, age_ms] = cluster.Transact(
        shard,
        [](pg::Transaction& tx) {
          const pg::Row row =
              tx.Exec(
                    "SELECT count(*), coalesce((extract(epoch FROM now() - min(created_at)) * 1000)::bigint, 0) "
                    "FROM outbox WHERE sent_at IS NULL")
                  .One();
          return std::make_pair(row.Int(0), row.Int(1));
        },
        read_only);
    backlog[shard].rows->Set(static_cast<double>(rows));
    backlog[shard].oldest_age->Set(static_cast<double>(age_ms) / 1000.0);
  }

  // Publishes one batch of unsent rows at least `min_age` old, in id order; the number of rows
  // marked sent, or nullopt if some could not be published. `exclusive`: only while no other relay
  // of this schema is sweeping the shard, which spares them all publishing the same orphans.
  std::optional<size_t> DrainOnce(size_t shard, std::chrono::milliseconds min_age, bool exclusive) {
    return cluster.Transact(shard, [&](pg::Transaction& tx) -> std::optional<size_t> {
      // The lock and the batch in one round trip. The snapshot predates the lock, so rows another
      // relay sent just before may go out again: a duplicate, which the inboxes drop, never a reordering.
      const pg::Result result = tx.Exec(
          "WITH relay AS MATERIALIZED (SELECT CASE WHEN $3 THEN pg_try_advisory_xact_lock($1) ELSE true END AS holds) "
          "SELECT id, topic, message_key, payload FROM relay, outbox WHERE relay.holds AND sent_at IS NULL "
          "AND created_at <= now() - $4 * interval '1 millisecond' ORDER BY id LIMIT $2",
          {lock_key, settings.batch_size, exclusive, static_cast<int64_t>(min_age.count())});
      if (result.empty()) return 0;
      std::vector<OutgoingMessage> messages;
      for (size_t i = 0; i < result.size(); ++i) {
        messages.push_back({result[i].String(1), result[i].String(2), result[i].Bytes(3), {}});
      }
      const auto deliveries = producer.PublishBatch(messages);
      // Only the acknowledged prefix is marked, so a key's messages are never reordered by a retry.
      std::vector<int64_t> ids;
      while (ids.size() < deliveries.size() && deliveries[ids.size()].delivered) ids.push_back(result[ids.size()].Int(0));
      MarkSent(tx, ids);
      if (ids.size() < deliveries.size()) {
        spdlog::warn("outbox relay shard {}: {} of {} messages not published: {}", cluster.shard(shard).name,
                     deliveries.size() - ids.size(), deliveries.size(), deliveries[ids.size()].error);
        return std::nullopt;
      }
      return ids.size();
    });
  }

  // DrainOnce until a batch comes back short: the rows published, or nullopt on a failure.
  std::optional<size_t> Drain(size_t shard, std::chrono::milliseconds min_age, bool exclusive) {
    size_t total = 0;
    for (;;) {
      const auto sent = DrainOnce(shard, min_age, exclusive);
      if (!sent) return std::nullopt;
      published += *sent;
      total += *sent;
      if (*sent < static_cast<size_t>(settings.batch_size) || !running) return total;
    }
  }

  static void MarkSent(pg::Transaction& tx, const std::vector<int64_t>& ids) {
    if (ids.empty()) return;
    tx.Exec("UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])", {pg::Param::Array(ids)});
  }

  // Marks what the hand-over delivered; what cannot be marked now is kept for the next call.
  void MarkDelivered(size_t shard, std::vector<int64_t>& unmarked) {
    std::vector<int64_t> delivered = hand_over->TakeDelivered(shard);
    unmarked.insert(unmarked.end(), delivered.begin(), delivered.end());
    if (unmarked.empty()) return;
    cluster.Transact(shard, [&](pg::Transaction& tx) { MarkSent(tx, unmarked); });
    published += unmarked.size();
    unmarked.clear();
  }

  // After a failed hand-over: publishes what the table holds, then lets the shard's rows go straight
  // to the producer again. False on a failure.
  bool CatchUp(size_t shard) {
    if (!Drain(shard, std::chrono::milliseconds(0), false)) return false;
    return hand_over->Resume(shard, [&] { return Drain(shard, std::chrono::milliseconds(0), false).has_value(); });
  }

  // Sent outbox rows and inbox rows past their retention; the relay's schema holds both.
  void DeleteExpired(size_t shard) {
    cluster.Transact(shard, [&](pg::Transaction& tx) {
      tx.Exec("DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => $1)",
              {static_cast<int64_t>(settings.retention.count())});
      DeleteExpiredInbox(tx);
    });
  }

  // Walks only the expired rows, never the whole inbox: per consumer, the primary key's range of
  // UUIDv7 ids minted before the cutoff, and the partial index of ids that are not UUIDv7. A row
  // whose id's clock ran ahead of the database's waits for a later pass.
  void DeleteExpiredInbox(pg::Transaction& tx) const {
    const auto retention = static_cast<int64_t>(settings.inbox_retention.count());
    const std::string minted_before = UuidV7Floor(ToUnixMillis(SystemClock::Instance().Now()) - retention * 1000);
    // Each next consumer name is one index probe (a loose index scan).
    const pg::Result consumers = tx.Exec(
        "WITH RECURSIVE consumers(name) AS ("
        "  (SELECT consumer FROM inbox ORDER BY consumer LIMIT 1) "
        "  UNION ALL "
        "  SELECT (SELECT i.consumer FROM inbox i WHERE i.consumer > c.name ORDER BY i.consumer LIMIT 1) "
        "  FROM consumers c WHERE c.name IS NOT NULL) "
        "SELECT name FROM consumers WHERE name IS NOT NULL");
    for (size_t i = 0; i < consumers.size(); ++i) {
      tx.Exec("DELETE FROM inbox WHERE consumer = $1 AND message_id < $2::uuid "
              "AND received_at < now() - make_interval(secs => $3)",
              {consumers[i].String(0), minted_before, retention});
    }
    tx.Exec("DELETE FROM inbox WHERE substr(message_id::text, 15, 1) <> '7' "
            "AND received_at < now() - make_interval(secs => $1)",
            {retention});
  }

  void Pause(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex);
    wake.wait_for(lock, delay, [&] { return !running.load(); });
  }

  // One pass of the shard's chores; false if something failed.
  bool Tend(size_t shard, std::vector<int64_t>& unmarked, Schedule& schedule) {
    const auto now = std::chrono::steady_clock::now();
    MarkDelivered(shard, unmarked);
    if (!hand_over->taking(shard)) {
      if (hand_over->in_flight(shard) == 0 && !CatchUp(shard)) return false;
    } else if (now >= schedule.sweep) {
      // Rows a process committed and never handed over: it crashed first, or it runs no relay.
      if (!Drain(shard, settings.orphan_after, true)) return false;
      schedule.sweep = now + settings.poll_interval;
    }
    if (now >= schedule.cleanup) {
      schedule.cleanup = now + settings.cleanup_interval;
      DeleteExpired(shard);
    }
    if (now >= schedule.backlog) {
      schedule.backlog = now + kBacklogInterval;
      MeasureBacklog(shard);
    }
    return true;
  }

  void Run(size_t shard) {
    std::vector<int64_t> unmarked;
    Schedule schedule{.cleanup = std::chrono::steady_clock::now() + settings.cleanup_interval};
    while (running) {
      bool ok = false;
      try {
        ok = Tend(shard, unmarked, schedule);
      } catch (const std::exception& e) {
        spdlog::warn("outbox relay shard {}: {}", cluster.shard(shard).name, e.what());
      }
      if (!ok) {
        ++failed_batches;
        Pause(settings.failure_backoff);
      } else {
        hand_over->Wait(shard, settings.mark_interval);
      }
    }
  }

  // What the hand-over delivered after the threads ended.
  void MarkLast() {
    for (size_t shard = 0; shard < cluster.shard_count(); ++shard) {
      std::vector<int64_t> unmarked;
      try {
        MarkDelivered(shard, unmarked);
      } catch (const std::exception& e) {
        spdlog::warn("outbox relay shard {}: {} delivered rows left unmarked, sent again by the next relay: {}",
                     cluster.shard(shard).name, unmarked.size(), e.what());
      }
    }
  }
};

OutboxRelay::OutboxRelay(pg::Cluster& cluster, Producer& producer, const OutboxSettings& settings)
    : impl_(std::make_unique<Impl>(cluster, producer, settings)) {
  impl_->hand_over->Attach(cluster);
  for (size_t shard = 0; shard < cluster.shard_count(); ++shard) {
    impl_->threads.emplace_back([impl = impl_.get(), shard] { impl->Run(shard); });
  }
}

OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::Stop() {
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->running) return;
    impl_->running = false;
  }
  impl_->wake.notify_all();
  impl_->hand_over->Interrupt();
  for (auto& thread : impl_->threads) thread.join();
  impl_->hand_over->Detach(impl_->cluster, kStopWait);
  impl_->MarkLast();
}

uint64_t OutboxRelay::published() const { return impl_->published.load(); }
uint64_t OutboxRelay::failed_batches() const {
  return impl_->failed_batches.load() + impl_->hand_over->failures();
}

}  // namespace orderly::messaging
