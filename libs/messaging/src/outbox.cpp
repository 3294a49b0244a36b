#include "orderly/messaging/outbox.h"

#include "orderly/messaging/envelope.h"

namespace orderly::messaging {


void AppendToOutbox(pg::Transaction& tx, std::string_view topic, const v1::Envelope& envelope) {
  tx.Exec("INSERT INTO outbox (topic, message_key, message_id, payload) VALUES ($1, $2, $3, $4)",
          {topic, envelope.order_id(), envelope.message_id(), pg::Param::Bytes(Encode(envelope))});
  // Delivered at commit and folded into one per transaction by PostgreSQL.
  tx.Exec("SELECT pg_notify($1, '')", {kOutboxChannel});
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
