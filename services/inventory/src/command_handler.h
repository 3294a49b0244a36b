#pragma once

#include "orderly/common/ids.h"
#include "orderly/messaging/settings.h"
#include "orderly/pg/transaction.h"
#include "orderly/v1/events.pb.h"
#include "reservations.h"

namespace orderly::inventory {

/// Handles ReserveStock, ReleaseStock and CommitStock from inventory.commands and writes the
/// reply to saga.replies through the outbox of the caller's (inbox) transaction.
class CommandHandler final {
 public:
  CommandHandler(Reservations& reservations, const messaging::KafkaSettings& kafka, const Clock& clock)
      : reservations_(reservations), kafka_(kafka), clock_(clock) {}

  /// @throws messaging::PoisonMessage for an unknown type or a malformed command.
  void Handle(pg::Transaction& tx, const v1::Envelope& envelope);

 private:
  void Reply(pg::Transaction& tx, const v1::Envelope& cause, const google::protobuf::Message& reply);

  Reservations& reservations_;
  const messaging::KafkaSettings& kafka_;
  const Clock& clock_;
  UuidV7Generator ids_{clock_};
};

}  // namespace orderly::inventory
