#pragma once

#include <atomic>
#include <memory>

#include "orderly/messaging/producer.h"
#include "orderly/messaging/settings.h"
#include "orderly/pg/cluster.h"

namespace orderly::messaging {

/// Publishes the outbox of every shard of `cluster`. A transaction of this process that appends to
/// the outbox hands its rows to the producer at its commit, in commit order; a thread per shard
/// marks the delivered ones sent (every mark_interval, one statement). The table is the record and
/// the fallback:
/// - when a delivery fails (broker down), the shard's rows wait in the table; the relay publishes
///   them in id order, retrying after failure_backoff, then hands rows over again;
/// - every poll_interval it publishes rows older than orphan_after that nobody handed over (a
///   process that crashed between commit and delivery); an advisory lock keeps replicas from all
///   sweeping the same shard at once.
/// Nothing is lost; a message may go out twice (a crash before its mark, a sweep racing a slow
/// delivery), which the consumers' inboxes drop. Sent rows are deleted after retention, and the
/// inbox rows of the same schema after inbox_retention.
///
/// Construction starts the threads; destruction (or Stop) ends them. Declare it after the cluster
/// and producer it uses.
class OutboxRelay final {
 public:
  OutboxRelay(pg::Cluster& cluster, Producer& producer, const OutboxSettings& settings);
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  /// Ends the relay threads after their current batch, waits for the records in flight and marks
  /// the delivered ones; idempotent. Rows committed afterwards wait for the next relay.
  void Stop();
  /// Rows published and marked sent since start, for metrics and tests.
  [[nodiscard]] uint64_t published() const;
  /// Batches and handed-over records that could not be published (broker or database trouble).
  [[nodiscard]] uint64_t failed_batches() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::messaging
