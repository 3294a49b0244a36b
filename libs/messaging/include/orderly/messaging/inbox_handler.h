#pragma once

#include <functional>
#include <string>

#include "orderly/messaging/consumer.h"
#include "orderly/pg/cluster.h"
#include "orderly/v1/events.pb.h"

namespace orderly::messaging {

/// Handles one decoded envelope inside the transaction that also records it in the inbox.
using EnvelopeHandler = std::function<void(pg::Transaction& tx, const v1::Envelope& envelope)>;

/// Picks the key whose shard runs a message's transaction; by default the envelope's order_id. Records
/// of one Kafka key must map to one shard (Orderly keys both by order_id).
using ShardKey = std::function<std::string(const v1::Envelope& envelope)>;

/// Consumer handlers that decode each envelope (PoisonMessage if they cannot), claim it in
/// `consumer`'s inbox on the shard of `shard_key(envelope)` and, only if it is new, run `handle` in
/// that transaction. Handler effects, outbox replies and the inbox row commit together, so a
/// redelivery changes nothing and re-sends nothing.
///
/// The batch handler runs one transaction per shard, one shard after the other, and claims the
/// shard's records in the inbox with one statement. It first expects no redelivery: the claims go
/// out without waiting for their outcome (no round trip of their own), and a message claimed before
/// fails the transaction, which then reruns with the claims read first. There, a record that throws
/// rolls it back, and it reruns without that record and every later record of its key, which are
/// left to the one-at-a-time handler and its retry policy (failures are rare; a rerun is cheaper
/// than a savepoint around every record). A statement's error can surface after its record ran, at a later
/// record's read or at COMMIT (pg::Transaction::Exec): then a later record is left out, or the
/// whole shard goes one at a time, slower but with the same outcome. A serialization failure or
/// deadlock reruns the whole transaction; a lost connection leaves the shard's records to the
/// one-at-a-time handler.
[[nodiscard]] Handlers MakeInboxHandlers(pg::Cluster& cluster, std::string consumer, EnvelopeHandler handle,
                                         ShardKey shard_key = nullptr);

}  // namespace orderly::messaging
