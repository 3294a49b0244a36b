#include "orderly/messaging/inbox_handler.h"

#include "orderly/log/log.h"
#include "orderly/messaging/envelope.h"
#include "orderly/messaging/outbox.h"

namespace orderly::messaging {

Handler MakeInboxHandler(pg::Cluster& cluster, std::string consumer, EnvelopeHandler handle, ShardKey shard_key) {
  return [&cluster, consumer = std::move(consumer), handle = std::move(handle),
          shard_key = std::move(shard_key)](const ConsumedMessage& message) {
    const v1::Envelope envelope = Decode(message.value);
    if (envelope.order_id().empty()) throw PoisonMessage("envelope.order_id", "is empty");
    log::ScopedFields fields({{"order_id", envelope.order_id()}, {"message_id", envelope.message_id()},
                              {"type", envelope.type()}});
    const std::string key = shard_key ? shard_key(envelope) : envelope.order_id();
    if (key.empty()) throw PoisonMessage("envelope", "has no key to pick its shard");
    cluster.Transact(cluster.ShardFor(key), [&](pg::Transaction& tx) {
      if (ClaimInbox(tx, consumer, envelope.message_id())) handle(tx, envelope);
    });
  };
}

}  // namespace orderly::messaging
