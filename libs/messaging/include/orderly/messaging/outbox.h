#pragma once

#include <string>
#include <string_view>

#include "orderly/pg/migrations.h"
#include "orderly/pg/transaction.h"
#include "orderly/v1/events.pb.h"

namespace orderly::messaging {

/// NOTIFY channel that wakes the outbox relay.
inline constexpr std::string_view kOutboxChannel = "orderly_outbox";

/// Outbox and inbox tables; every service applies these to its schema with its own migrations.
[[nodiscard]] pg::MigrationSet SchemaMigrations();

/// Queues `envelope` for `topic` inside the caller's transaction: it is published (by the relay)
/// if and only if that transaction commits. The record key is the envelope's order_id.
void AppendToOutbox(pg::Transaction& tx, std::string_view topic, const v1::Envelope& envelope);

/// Records `message_id` as handled by `consumer` in the caller's transaction. False if it was
/// already recorded: the message is a redelivery and must have no further effect.
[[nodiscard]] bool ClaimInbox(pg::Transaction& tx, std::string_view consumer, std::string_view message_id);

}  // namespace orderly::messaging
