#include "orderly/messaging/outbox.h"

#include "orderly/messaging/envelope.h"

namespace orderly::messaging {

std::string OutboxChannel(std::string_view schema) {
  return "orderly_outbox_" + std::string(schema.empty() ? "public" : schema);
}

void AppendToOutbox(pg::Transaction& tx, std::string_view topic, const v1::Envelope& envelope) {
  // The NOTIFY (OutboxChannel of the connection's schema) is delivered at commit, folded into one
  // per transaction by PostgreSQL.
  tx.Exec("INSERT INTO outbox (topic, message_key, message_id, payload) VALUES ($1, $2, $3, $4) "
          "RETURNING pg_notify('orderly_outbox_' || current_schema(), '')",
          {topic, envelope.order_id(), envelope.message_id(), pg::Param::Bytes(Encode(envelope))});
}

void AppendCausedBy(pg::Transaction& tx, std::string_view topic, const v1::Envelope& cause,
                    const google::protobuf::Message& payload, UuidV7Generator& ids, const Clock& clock) {
  AppendToOutbox(tx, topic, MakeEnvelope(payload, CausedBy(cause), ids, clock));
}

bool ClaimInbox(pg::Transaction& tx, std::string_view consumer, std::string_view message_id) {
  return tx.Exec("INSERT INTO inbox (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                 {consumer, message_id})
             .affected_rows() == 1;
}

}  // namespace orderly::messaging
