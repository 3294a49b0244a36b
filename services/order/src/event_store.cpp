#include "event_store.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "orderly/common/errors.h"
#include "orderly/common/hash.h"
#include "orderly/messaging/envelope.h"
#include "orderly/messaging/outbox.h"
#include "orderly/messaging/topics.h"

namespace orderly::order {

std::optional<Snapshot> ReadSnapshot(pg::Transaction& tx, const std::string& order_id) {
  const pg::Result result = tx.Exec("SELECT snapshot, request_hash FROM orders WHERE order_id = $1", {order_id});
  if (result.empty()) return std::nullopt;
  Snapshot snapshot;
  if (!snapshot.order.ParseFromString(result[0].Bytes(0))) throw Internal("corrupt snapshot of order " + order_id);
  snapshot.request_hash = result[0].String(1);
  return snapshot;
}

std::optional<OrderAggregate> EventStore::Load(pg::Transaction& tx, const std::string& order_id) {
  if (tx.Exec("SELECT 1 FROM orders WHERE order_id = $1 FOR UPDATE", {order_id}).empty()) return std::nullopt;
  const pg::Result events = tx.Exec(
      "SELECT version, type, payload, (extract(epoch FROM created_at) * 1000)::bigint FROM order_events "
      "WHERE order_id = $1 ORDER BY version",
      {order_id});
  OrderAggregate aggregate;
  for (size_t i = 0; i < events.size(); ++i) {
    aggregate.Apply({static_cast<int>(events[i].Int(0)), events[i].String(1), events[i].Bytes(2), events[i].Int(3)});
  }
  return aggregate;
}

void EventStore::Append(pg::Transaction& tx, const std::string& order_id, OrderAggregate& aggregate,
                        const google::protobuf::Message& event, const v1::Envelope* cause,
                        const std::string& request_hash) {
  const int version = aggregate.version() + 1;
  const std::string type = event.GetDescriptor()->full_name();
  const std::string payload = event.SerializeAsString();
  const pg::Row stored = tx.Exec(
                             "INSERT INTO order_events (order_id, version, type, payload) VALUES ($1, $2, $3, $4) "
                             "RETURNING (extract(epoch FROM created_at) * 1000000)::bigint",
                             {order_id, version, type, pg::Param::Bytes(payload)})
                             .One();
  const int64_t created_us = stored.Int(0);
  aggregate.Apply({version, type, payload, created_us / 1000});
  const v1::Order& order = aggregate.order();
  const std::string status = v1::OrderStatus_Name(order.status());
  if (version == 1) {
    tx.Exec("INSERT INTO orders (order_id, customer_id, status, version, created_us, request_hash, snapshot) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            {order_id, order.customer_id(), status, version, created_us, request_hash,
             pg::Param::Bytes(order.SerializeAsString())});
  } else {
    tx.Exec("UPDATE orders SET status = $2, version = $3, snapshot = $4 WHERE order_id = $1",
            {order_id, status, version, pg::Param::Bytes(order.SerializeAsString())});
  }
  Publish(tx, order_id, version, event, cause);
}

void EventStore::Reannounce(pg::Transaction& tx, const std::string& order_id, const OrderAggregate& aggregate,
                            const v1::Envelope& cause) {
  const pg::Row stored = tx.Exec("SELECT type, payload FROM order_events WHERE order_id = $1 AND version = $2",
                                 {order_id, aggregate.version()})
                             .One();
  const auto* descriptor = google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(stored.String(0));
  if (descriptor == nullptr) throw Internal("order " + order_id + " has an event of unknown type " + stored.String(0));
  const std::unique_ptr<google::protobuf::Message> event(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
  if (!event->ParseFromString(stored.Bytes(1))) throw Internal("corrupt event of order " + order_id);
  Publish(tx, order_id, aggregate.version(), *event, &cause);
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
