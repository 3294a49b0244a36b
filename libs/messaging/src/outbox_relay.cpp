#include "orderly/messaging/outbox_relay.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "orderly/messaging/outbox.h"
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

struct Row {
  int64_t id;
  OutgoingMessage message;
};

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
  std::vector<std::thread> threads;

  Impl(pg::Cluster& c, Producer& p, const OutboxSettings& s)
      : cluster(c),
        producer(p),
        settings(s),
        lock_key(static_cast<int64_t>(pg::StableHash("orderly.outbox.relay." + c.schema()))) {
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

  // Publishes one batch; the number of rows marked sent, or nullopt if some could not be published.
  std::optional<size_t> DrainOnce(size_t shard) {
    return cluster.Transact(shard, [&](pg::Transaction& tx) -> std::optional<size_t> {
      // The lock and the batch in one round trip; no rows while another relay holds the lock. The
      // snapshot predates the lock, so rows another relay sent just before may go out again: a
      // duplicate, which the inboxes drop, never a reordering.
      const pg::Result result = tx.Exec(
          "WITH relay AS MATERIALIZED (SELECT pg_try_advisory_xact_lock($1) AS holds) "
          "SELECT id, topic, message_key, payload FROM relay, outbox WHERE relay.holds AND sent_at IS NULL "
          "ORDER BY id LIMIT $2",
          {lock_key, settings.batch_size});
      if (result.empty()) return 0;
      std::vector<OutgoingMessage> messages;
      for (size_t i = 0; i < result.size(); ++i) {
        messages.push_back({result[i].String(1), result[i].String(2), result[i].Bytes(3), {}});
      }
      const auto deliveries = producer.PublishBatch(messages);
      // Only the acknowledged prefix is marked, so a key's messages are never reordered by a retry.
      size_t delivered = 0;
      std::string ids = "{";
      while (delivered < deliveries.size() && deliveries[delivered].delivered) {
        ids += (delivered == 0 ? "" : ",") + result[delivered].String(0);
        ++delivered;
      }
      if (delivered > 0) tx.Exec("UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])", {ids + "}"});
      if (delivered < deliveries.size()) {
        spdlog::warn("outbox relay shard {}: {} of {} messages not published: {}", cluster.shard(shard).name,
                     deliveries.size() - delivered, deliveries.size(), deliveries[delivered].error);
        return std::nullopt;
      }
      return delivered;
    });
  }

  // Sent outbox rows and inbox rows past their retention; the relay's schema holds both.
  void DeleteExpired(size_t shard) {
    cluster.Transact(shard, [&](pg::Transaction& tx) {
      tx.Exec("DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => $1)",
              {static_cast<int64_t>(settings.retention.count())});
      tx.Exec("DELETE FROM inbox WHERE received_at < now() - make_interval(secs => $1)",
              {static_cast<int64_t>(settings.inbox_retention.count())});
    });
  }

  void Pause(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex);
    wake.wait_for(lock, delay, [&] { return !running.load(); });
  }

  void Run(size_t shard) {
    auto listener = cluster.Listen(shard, OutboxChannel(cluster.schema()));
    listener->Wait(std::chrono::milliseconds(0));  // LISTEN before the first drain, so no wake-up is missed
    auto last_cleanup = std::chrono::steady_clock::now();
    auto last_backlog = std::chrono::steady_clock::time_point{};
    while (running) {
      std::optional<size_t> sent;
      try {
        sent = DrainOnce(shard);
        if (sent) published += *sent;
        if (std::chrono::steady_clock::now() - last_cleanup > settings.cleanup_interval) {
          last_cleanup = std::chrono::steady_clock::now();
          DeleteExpired(shard);
        }
        if (std::chrono::steady_clock::now() - last_backlog > kBacklogInterval) {
          last_backlog = std::chrono::steady_clock::now();
          MeasureBacklog(shard);
        }
      } catch (const std::exception& e) {
        spdlog::warn("outbox relay shard {}: {}", cluster.shard(shard).name, e.what());
      }
      if (!sent) {
        ++failed_batches;
        Pause(settings.failure_backoff);
      } else if (*sent < static_cast<size_t>(settings.batch_size)) {
        listener->Wait(settings.poll_interval);
      }
    }
  }
};

OutboxRelay::OutboxRelay(pg::Cluster& cluster, Producer& producer, const OutboxSettings& settings)
    : impl_(std::make_unique<Impl>(cluster, producer, settings)) {
  for (size_t shard = 0; shard < cluster.shard_count(); ++shard) {
    impl_->threads.emplace_back([impl = impl_.get(), shard] { impl->Run(shard); });
  }
}

OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::Stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->running = false;
  }
  impl_->wake.notify_all();
  for (auto& thread : impl_->threads) {
    if (thread.joinable()) thread.join();
  }
}

uint64_t OutboxRelay::published() const { return impl_->published.load(); }
uint64_t OutboxRelay::failed_batches() const { return impl_->failed_batches.load(); }

}  // namespace orderly::messaging
