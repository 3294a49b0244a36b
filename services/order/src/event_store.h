#pragma once

#include <optional>
#include <string>

#include "aggregate.h"
#include "orderly/common/ids.h"
#include "orderly/messaging/settings.h"
#include "orderly/pg/transaction.h"

namespace orderly::order {

/// An order as a writer loaded it: its state and the time of the transaction that locked it.
struct LoadedOrder {
  OrderAggregate aggregate;
  int64_t now_us = 0;
};

/// Orders' events and projection in the caller's transaction on shard(order_id).
class EventStore final {
 public:
  EventStore(const messaging::KafkaSettings& kafka, const Clock& clock) : kafka_(kafka), clock_(clock) {}

  /// The order as of its last event (the projection's snapshot, written with every event), its
  /// projection row locked so writers of one order queue up; std::nullopt if there is no such order.
  [[nodiscard]] std::optional<LoadedOrder> Load(pg::Transaction& tx, const std::string& order_id);

  /// Appends `event` as the next version at `now_us` (the transaction's time, as Load or
  /// ReadProjection read it), folds it in, updates the projection and queues it on order.events
  /// (caused by `cause`, if any). `request_hash` is stored with the first event. Reads nothing, so
  /// its statements share the round trip of what follows.
  /// @throws pg::UniqueViolation (at the latest at COMMIT) if another writer appended that version first.
  void Append(pg::Transaction& tx, const std::string& order_id, OrderAggregate& aggregate, int64_t now_us,
              const google::protobuf::Message& event, const v1::Envelope* cause, const std::string& request_hash = "");

  /// Queues the order's latest event on order.events once more, caused by `cause`: for a command
  /// sent again whose answer may have been lost. An event keeps its message id (one per order and
  /// version), so a consumer that had it drops the repeat in its inbox.
  void Reannounce(pg::Transaction& tx, const std::string& order_id, const OrderAggregate& aggregate,
                  const v1::Envelope& cause);
  /// As Reannounce, for the event of `version` (the one that answered the command, which later
  /// events may follow).
  void ReannounceVersion(pg::Transaction& tx, const std::string& order_id, int version, const v1::Envelope& cause);

 private:
  void Publish(pg::Transaction& tx, const std::string& order_id, int version, const google::protobuf::Message& event,
               const v1::Envelope* cause);

  const messaging::KafkaSettings& kafka_;
  const Clock& clock_;
  UuidV7Generator ids_{clock_};
};

/// The projection's snapshot of `order_id` and the hash of the request that placed it.
struct Snapshot {
  v1::Order order;
  std::string request_hash;
};
/// The projection row of an order as a transaction read it, with that transaction's time.
struct ProjectionRow {
  std::optional<Snapshot> snapshot;  // none: no such order
  int64_t now_us = 0;                // now() of the transaction, for what it appends
};
/// Sends the read; ReadProjection reads its result, so other statements can go out in between.
[[nodiscard]] pg::Result SendReadProjection(pg::Transaction& tx, const std::string& order_id);
[[nodiscard]] ProjectionRow ReadProjection(const pg::Result& result, const std::string& order_id);

}  // namespace orderly::order
