#pragma once

#include "orderly/common/ids.h"
#include "orderly/messaging/settings.h"
#include "orderly/pg/transaction.h"
#include "orderly/v1/events.pb.h"
#include "reservations.h"

namespace orderly::inventory {

/// Handles ReserveStock, ReleaseStock, CommitStock and RestockReturned from inventory.commands and writes the
/// reply to saga.replies through the outbox of the caller's (inbox) transaction, which runs on the
/// shard of ShardKey: stock work on that shard joins it.
class CommandHandler final {
 public:
  CommandHandler(Reservations& reservations, const messaging::KafkaSettings& kafka, const Clock& clock)
      : reservations_(reservations), kafka_(kafka), clock_(clock) {}

  /// Where a command's transaction runs: Reservations::ShardKey of its order and lines.
  /// @throws messaging::PoisonMessage for an unknown type.
  [[nodiscard]] std::string ShardKey(const v1::Envelope& envelope) const;
  /// `tx` runs on the shard of ShardKey(envelope).
  /// @throws messaging::PoisonMessage for an unknown type or a malformed command.
  void Handle(pg::Transaction& tx, const v1::Envelope& envelope);

 private:
  template <typename Command>
  [[nodiscard]] std::string KeyOf(const Command& command) const;
  void Reply(pg::Transaction& tx, const v1::Envelope& cause, const google::protobuf::Message& reply);

  Reservations& reservations_;
  const messaging::KafkaSettings& kafka_;
  const Clock& clock_;
  UuidV7Generator ids_{clock_};
};

}  // namespace orderly::inventory
