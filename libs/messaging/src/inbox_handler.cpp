#include "orderly/messaging/inbox_handler.h"

#include "orderly/log/log.h"
#include "orderly/messaging/envelope.h"
#include "orderly/messaging/outbox.h"

namespace orderly::messaging {

Handler MakeInboxHandler(pg::Cluster& cluster, std::string consumer, EnvelopeHandler handle) {
  return [&cluster, consumer = std::move(consumer), handle = std::move(handle)](const ConsumedMessage& message) {
    const v1::Envelope envelope = Decode(message.value);
    if (envelope.order_id().empty()) throw PoisonMessage("envelope.order_id", "is empty; it picks the shard");
    log::ScopedFields fields({{"order_id", envelope.order_id()}, {"message_id", envelope.message_id()},
                              {"type", envelope.type()}});
    cluster.Transact(cluster.ShardFor(envelope.order_id()), [&](pg::Transaction& tx) {
      if (ClaimInbox(tx, consumer, envelope.message_id())) handle(tx, envelope);
    });
  };
}

}  // namespace orderly::messaging
