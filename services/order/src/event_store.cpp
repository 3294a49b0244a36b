#include "event_store.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "orderly/common/errors.h"
#include "orderly/common/hash.h"
#include "orderly/messaging/envelope.h"
#include "orderly/messaging/outbox.h"
#include "orderly/messaging/topics.h"

namespace orderly::order {

namespace {

// now() in microseconds since the epoch: the time a transaction stamps its events with.
constexpr const char* kNowUs = "(extract(epoch FROM now()) * 1000000)::bigint";

v1::Order ParseSnapshot(const pg::Row& row, int column, const std::string& order_id) {
  v1::Order order;
  if (!order.ParseFromString(row.Bytes(column))) throw Internal("corrupt snapshot of order " + order_id);
  return order;
}

}  // namespace

pg::Result SendReadProjection(pg::Transaction& tx, const std::string& order_id) {
  // One row whether or not the order exists, so a new order learns the transaction's time too.
  return tx.Exec(std::string("SELECT ") + kNowUs +
                     ", o.snapshot, o.request_hash FROM (SELECT 1) AS one LEFT JOIN orders o ON o.order_id = $1",
                 {order_id});
}

ProjectionRow ReadProjection(const pg::Result& result, const std::string& order_id) {
  const pg::Row row = result.One();
  ProjectionRow projection{std::nullopt, row.Int(0)};
  if (row.IsNull(1)) return projection;
  projection.snapshot = Snapshot{ParseSnapshot(row, 1, order_id), row.String(2)};
  return projection;
}

std::optional<LoadedOrder> EventStore::Load(pg::Transaction& tx, const std::string& order_id) {
  // The projection's snapshot is the state after every event: written with each one, in its transaction.
  const pg::Result locked = tx.Exec(
      std::string("SELECT ") + kNowUs + ", snapshot FROM orders WHERE order_id = $1 FOR UPDATE", {order_id});
  if (locked.empty()) return std::nullopt;
  return LoadedOrder{OrderAggregate::FromSnapshot(ParseSnapshot(locked[0], 1, order_id)), locked[0].Int(0)};
}

void EventStore::Append(pg::Transaction& tx, const std::string& order_id, OrderAggregate& aggregate, int64_t now_us,
                        const google::protobuf::Message& event, const v1::Envelope* cause,
                        const std::string& request_hash) {
  const int version = aggregate.version() + 1;
  const std::string type = event.GetDescriptor()->full_name();
  const std::string payload = event.SerializeAsString();
  tx.Exec("INSERT INTO order_events (order_id, version, type, payload, created_at) "
          "VALUES ($1, $2, $3, $4, to_timestamp(0) + $5::bigint * interval '1 microsecond')",
          {order_id, version, type, pg::Param::Bytes(payload), now_us});
  aggregate.Apply({version, type, payload, now_us});
  const v1::Order& order = aggregate.order();
  const std::string status = v1::OrderStatus_Name(order.status());
  if (version == 1) {
    tx.Exec("INSERT INTO orders (order_id, customer_id, status, version, created_us, request_hash, snapshot) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            {order_id, order.customer_id(), status, version, now_us, request_hash,
             pg::Param::Bytes(order.SerializeAsString())});
  } else {
    tx.Exec("UPDATE orders SET status = $2, version = $3, snapshot = $4 WHERE order_id = $1",
            {order_id, status, version, pg::Param::Bytes(order.SerializeAsString())});
  }
  Publish(tx, order_id, version, event, cause);
}

void EventStore::Reannounce(pg::Transaction& tx, const std::string& order_id, const OrderAggregate& aggregate,
                            const v1::Envelope& cause) {
  ReannounceVersion(tx, order_id, aggregate.version(), cause);
}

void EventStore::ReannounceVersion(pg::Transaction& tx, const std::string& order_id, int version,
                                   const v1::Envelope& cause) {
  const pg::Row stored =
      tx.Exec("SELECT type, payload FROM order_events WHERE order_id = $1 AND version = $2", {order_id, version}).One();
  const auto* descriptor = google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(stored.String(0));
  if (descriptor == nullptr) throw Internal("order " + order_id + " has an event of unknown type " + stored.String(0));
  const std::unique_ptr<google::protobuf::Message> event(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
  if (!event->ParseFromString(stored.Bytes(1))) throw Internal("corrupt event of order " + order_id);
  Publish(tx, order_id, version, *event, &cause);
}

void EventStore::Publish(pg::Transaction& tx, const std::string& order_id, int version,
                         const google::protobuf::Message& event, const v1::Envelope* cause) {
  const messaging::EnvelopeContext context =
      cause != nullptr ? messaging::CausedBy(*cause) : messaging::EnvelopeContext{order_id, "", "", "", ""};
  v1::Envelope envelope = messaging::MakeEnvelope(event, context, ids_, clock_);
  envelope.set_message_id(NameBasedUuid("order event\n" + order_id + "\n" + std::to_string(version)));
  if (cause == nullptr) envelope.set_correlation_id(envelope.message_id());
  messaging::AppendToOutbox(tx, kafka_.Topic(messaging::kOrderEvents), envelope);
}

}  // namespace orderly::order
