#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "orderly/common/ids.h"
#include "orderly/pg/migrations.h"
#include "orderly/pg/transaction.h"
#include "orderly/v1/events.pb.h"

namespace orderly::messaging {

/// Outbox and inbox tables; every service applies these to its schema with its own migrations.
[[nodiscard]] pg::MigrationSet SchemaMigrations();

/// Queues `envelope` for `topic` inside the caller's transaction: it is published if and only if
/// that transaction commits, handed to the producer at the commit when this process runs the
/// cluster's relay (OutboxRelay), else when a relay reads the table. The record key is the
/// envelope's order_id.
void AppendToOutbox(pg::Transaction& tx, std::string_view topic, const v1::Envelope& envelope);

/// AppendToOutbox in one statement with the caller's own writes: `with` is a list of
/// data-modifying CTEs ("name AS (INSERT ...), ...") whose parameters are $5 on (`with_params`);
/// they may use $3, the envelope's message id, and $4, its encoded bytes (the outbox payload).
/// With `only_if` (an SQL condition, e.g. on those CTEs) the row is queued only where it holds.
/// Returns the inserted row's id, read by nobody before the commit: empty if `only_if` failed.
pg::Result AppendToOutboxWith(pg::Transaction& tx, std::string_view topic, const v1::Envelope& envelope,
                              std::string_view with, std::vector<pg::Param> with_params,
                              std::string_view only_if = {});

/// Queues `payload` for `topic` as a message caused by `cause`: same order, saga, correlation and
/// trace, with `cause` as its causation. For replies and follow-up commands.
void AppendCausedBy(pg::Transaction& tx, std::string_view topic, const v1::Envelope& cause,
                    const google::protobuf::Message& payload, UuidV7Generator& ids, const Clock& clock);

/// Records `message_id` as handled by `consumer` in the caller's transaction. False if it was
/// already recorded: the message is a redelivery and must have no further effect.
[[nodiscard]] bool ClaimInbox(pg::Transaction& tx, std::string_view consumer, std::string_view message_id);

/// ClaimInbox for many messages in one statement: returns those of `message_ids` (UUIDs) that were
/// new, in lowercase, each once however often it is listed.
[[nodiscard]] std::set<std::string> ClaimInboxAll(pg::Transaction& tx, std::string_view consumer,
                                                  const std::vector<std::string>& message_ids);

/// Records `message_ids` (UUIDs, each listed once) as handled by `consumer` in one statement whose
/// outcome nobody waits for: if one was recorded before, the transaction fails (a unique violation)
/// at its next read or at COMMIT. For a batch that expects no redelivery; costs no round trip.
void SendInboxClaims(pg::Transaction& tx, std::string_view consumer, const std::vector<std::string>& message_ids);

}  // namespace orderly::messaging
