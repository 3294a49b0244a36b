#include "orderly/messaging/outbox.h"

#include "orderly/messaging/envelope.h"
#include "outbox_hand_over.h"

namespace orderly::messaging {

void AppendToOutbox(pg::Transaction& tx, std::string_view topic, const v1::Envelope& envelope) {
  std::string payload = Encode(envelope);
  const int64_t id = tx.Exec("INSERT INTO outbox (topic, message_key, message_id, payload) VALUES ($1, $2, $3, $4) "
                             "RETURNING id",
                             {topic, envelope.order_id(), envelope.message_id(), pg::Param::Bytes(payload)})
                         .One()
                         .Int(0);
  detail::OutboxHandOver::AtCommit(tx, id, {std::string(topic), envelope.order_id(), std::move(payload), {}});
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
