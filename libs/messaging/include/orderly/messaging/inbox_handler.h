#pragma once

#include <functional>
#include <string>

#include "orderly/messaging/consumer.h"
#include "orderly/pg/cluster.h"
#include "orderly/v1/events.pb.h"

namespace orderly::messaging {

/// Handles one decoded envelope inside the transaction that also records it in the inbox.
using EnvelopeHandler = std::function<void(pg::Transaction& tx, const v1::Envelope& envelope)>;

/// Picks the key whose shard runs a message's transaction; by default the envelope's order_id.
using ShardKey = std::function<std::string(const v1::Envelope& envelope)>;

/// A consumer Handler that decodes the envelope (PoisonMessage if it cannot), opens a transaction
/// on the shard of `shard_key(envelope)`, claims it in `consumer`'s inbox and, only if it is new,
/// runs `handle`. Handler effects, outbox replies and the inbox row commit together, so a
/// redelivery changes nothing and re-sends nothing.
[[nodiscard]] Handler MakeInboxHandler(pg::Cluster& cluster, std::string consumer, EnvelopeHandler handle,
                                       ShardKey shard_key = nullptr);

}  // namespace orderly::messaging
