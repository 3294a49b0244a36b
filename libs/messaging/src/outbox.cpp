#include "orderly/messaging/outbox.h"

#include <iterator>

#include "orderly/messaging/envelope.h"
#include "outbox_hand_over.h"

namespace orderly::messaging {

namespace {

constexpr std::string_view kInsertRow = "INSERT INTO outbox (topic, message_key, message_id, payload) ";

}  // namespace

pg::Result AppendToOutboxWith(pg::Transaction& tx, std::string_view topic, const v1::Envelope& envelope,
                              std::string_view with, std::vector<pg::Param> with_params, std::string_view only_if) {
  std::string payload = Encode(envelope);
  std::vector<pg::Param> params{topic, envelope.order_id(), envelope.message_id(), pg::Param::Bytes(payload)};
  params.insert(params.end(), std::make_move_iterator(with_params.begin()), std::make_move_iterator(with_params.end()));
  std::string sql = with.empty() ? "" : "WITH " + std::string(with) + " ";
  sql += kInsertRow;
  sql += only_if.empty() ? "VALUES ($1, $2, $3, $4)" : "SELECT $1, $2, $3, $4 WHERE " + std::string(only_if);
  sql += " RETURNING id";
  // The row's id is read only if it is handed over, after the commit: no round trip of its own.
  pg::Result inserted = tx.Exec(sql, params);
  detail::OutboxHandOver::AtCommit(tx, inserted, {std::string(topic), envelope.order_id(), std::move(payload), {}});
  return inserted;
}

void AppendToOutbox(pg::Transaction& tx, std::string_view topic, const v1::Envelope& envelope) {
  AppendToOutboxWith(tx, topic, envelope, "", {});
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

std::set<std::string> ClaimInboxAll(pg::Transaction& tx, std::string_view consumer,
                                    const std::vector<std::string>& message_ids) {
  std::set<std::string> fresh;
  if (message_ids.empty()) return fresh;
  const pg::Result claimed = tx.Exec(
      "INSERT INTO inbox (consumer, message_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING "
      "RETURNING message_id",
      {consumer, pg::Param::Array(message_ids)});
  for (size_t i = 0; i < claimed.size(); ++i) fresh.insert(claimed[i].String(0));
  return fresh;
}

void SendInboxClaims(pg::Transaction& tx, std::string_view consumer, const std::vector<std::string>& message_ids) {
  if (message_ids.empty()) return;
  (void)tx.Exec("INSERT INTO inbox (consumer, message_id) SELECT $1, unnest($2::uuid[])",
                {consumer, pg::Param::Array(message_ids)});
}

}  // namespace orderly::messaging
