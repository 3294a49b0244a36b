#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "orderly/messaging/producer.h"
#include "orderly/pg/cluster.h"

namespace orderly::messaging::detail {

/// Takes outbox rows from committing transactions straight to the producer, one lane per shard, so
/// a message leaves at its commit instead of when a relay next reads the table. The table stays the
/// record: a row is marked sent only after its delivery (by the relay, from TakeDelivered). A
/// process hands its rows over in commit order, and the producer keeps that order per partition.
///
/// After a failed delivery a lane stops taking rows: they wait in the table, which the relay
/// publishes in id order, and Resume starts taking them again once the relay has caught up.
class OutboxHandOver final : public std::enable_shared_from_this<OutboxHandOver> {
 public:
  OutboxHandOver(Producer& producer, size_t shards);
  ~OutboxHandOver();
  OutboxHandOver(const OutboxHandOver&) = delete;
  OutboxHandOver& operator=(const OutboxHandOver&) = delete;

  /// Rows that `cluster`'s transactions append to the outbox from now on come here at commit.
  void Attach(const pg::Cluster& cluster);
  /// Takes no more rows (they wait in the table), then waits up to `timeout` for the records still
  /// in flight.
  void Detach(const pg::Cluster& cluster, std::chrono::milliseconds timeout);

  /// Ids of the rows delivered since the last call.
  [[nodiscard]] std::vector<int64_t> TakeDelivered(size_t shard);
  /// False after a failed delivery, until Resume succeeds.
  [[nodiscard]] bool taking(size_t shard) const;
  /// Records handed to the producer and not yet acknowledged or failed.
  [[nodiscard]] size_t in_flight(size_t shard) const;
  /// Deliveries that failed since start.
  [[nodiscard]] uint64_t failures() const;
  /// Returns after `timeout`, or sooner once a lane stopped taking rows and has none in flight (the
  /// relay's cue to catch up), or after Interrupt.
  void Wait(size_t shard, std::chrono::milliseconds timeout);
  /// Ends every Wait, now and later.
  void Interrupt();
  /// Makes a lane that stopped take rows again. Rows committed meanwhile are held back while
  /// `catch_up` publishes every unsent row of the table (true on success), then sent after them. If
  /// catch_up fails, they are left to the table again and the lane keeps not taking rows.
  bool Resume(size_t shard, const std::function<bool()>& catch_up);

  /// For AppendToOutbox: hands the outbox row over when `tx` commits, if a relay attached to its
  /// cluster; otherwise the row waits for a relay to read the table. `inserted` is the row's INSERT
  /// (RETURNING id), read after the commit; empty if the INSERT's condition queued no row.
  static void AtCommit(pg::Transaction& tx, const pg::Result& inserted, OutgoingMessage message);

  /// A committed outbox row on its way to the producer.
  struct TicketedRow {
    int64_t id;
    OutgoingMessage message;
  };
  /// The next place in `shard`'s commit order, taken right before a COMMIT.
  [[nodiscard]] uint64_t TakeTicket(size_t shard);
  /// Ticket `ticket` committed `row`, or (nullopt) handed nothing over: sends every row whose turn
  /// has come, in ticket order.
  void Finish(size_t shard, uint64_t ticket, std::optional<TicketedRow> row) noexcept;

 private:
  struct Lane;

  void Send(size_t shard, int64_t id, OutgoingMessage message);
  void Publish(size_t shard, int64_t id, OutgoingMessage message);  // counted in flight by the caller
  void Delivered(size_t shard, int64_t id, const DeliveryResult& result);

  Producer& producer_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::atomic<uint64_t> failures_{0};
  std::atomic<bool> interrupted_{false};
};

}  // namespace orderly::messaging::detail
