#pragma once

#include <optional>
#include <string>

#include "aggregate.h"
#include "orderly/common/ids.h"
#include "orderly/messaging/settings.h"
#include "orderly/pg/transaction.h"

namespace orderly::order {

/// Orders' events and projection in the caller's transaction on shard(order_id).
class EventStore final {
 public:
  EventStore(const messaging::KafkaSettings& kafka, const Clock& clock) : kafka_(kafka), clock_(clock) {}

  /// The order rebuilt from its events, its projection row locked so writers of one order queue
  /// up; std::nullopt if there is no such order.
  [[nodiscard]] std::optional<OrderAggregate> Load(pg::Transaction& tx, const std::string& order_id);

  /// Appends `event` as the next version, folds it in, updates the projection and queues it on
  /// order.events (caused by `cause`, if any). `request_hash` is stored with the first event.
  /// @throws pg::UniqueViolation if another writer appended that version first.
  void Append(pg::Transaction& tx, const std::string& order_id, OrderAggregate& aggregate,
              const google::protobuf::Message& event, const v1::Envelope* cause, const std::string& request_hash = "");

  /// Queues the order's latest event on order.events once more, caused by `cause`: for a command
  /// sent again whose answer may have been lost. An event keeps its message id (one per order and
  /// version), so a consumer that had it drops the repeat in its inbox.
  void Reannounce(pg::Transaction& tx, const std::string& order_id, const OrderAggregate& aggregate,
                  const v1::Envelope& cause);

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
[[nodiscard]] std::optional<Snapshot> ReadSnapshot(pg::Transaction& tx, const std::string& order_id);

}  // namespace orderly::order
