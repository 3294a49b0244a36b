#pragma once

#include <atomic>
#include <memory>

#include "orderly/messaging/producer.h"
#include "orderly/messaging/settings.h"
#include "orderly/pg/cluster.h"

namespace orderly::messaging {

/// Publishes outbox rows of every shard, one thread per shard: woken by NOTIFY (polling as the
/// fallback), it takes up to batch_size unsent rows in id order, publishes them, and marks the
/// acknowledged prefix sent. While the broker is down the rows stay and are retried after
/// failure_backoff; nothing is lost, and a resend after a partial failure is deduplicated by the
/// consumers' inboxes. An advisory lock keeps one relay per shard and schema active, so replicas
/// may run side by side without reordering a key's messages. Sent rows are deleted after retention,
/// and the inbox rows of the same schema after inbox_retention.
///
/// Construction starts the threads; destruction (or Stop) ends them. Declare it after the cluster
/// and producer it uses.
class OutboxRelay final {
 public:
  OutboxRelay(pg::Cluster& cluster, Producer& producer, const OutboxSettings& settings);
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  /// Ends the relay threads after their current batch; idempotent.
  void Stop();
  /// Rows published and marked sent since start, for metrics and tests.
  [[nodiscard]] uint64_t published() const;
  /// Batches that could not be published in full (broker or database trouble).
  [[nodiscard]] uint64_t failed_batches() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::messaging
