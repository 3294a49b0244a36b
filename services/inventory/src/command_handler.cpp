#include "command_handler.h"

#include "orderly/common/validate.h"
#include "orderly/messaging/envelope.h"
#include "orderly/messaging/outbox.h"
#include "orderly/messaging/topics.h"

namespace orderly::inventory {
namespace {

using messaging::Payload;
using messaging::PoisonMessage;

// A command's lines: at least one, each a sku and a positive quantity.
void ValidateLines(const Lines& lines) {
  messaging::ValidateCommand([&] {
    if (lines.empty()) throw InvalidArgument("lines", "must not be empty");
    for (int i = 0; i < lines.size(); ++i) {
      const std::string field = "lines[" + std::to_string(i) + "]";
      validate::Identifier(field + ".sku", lines[i].sku());
      validate::Range(field + ".quantity", lines[i].quantity(), 1, 1'000'000);
    }
  });
}

void ValidateReserve(const v1::ReserveStock& command) {
  messaging::ValidateCommand([&] { validate::Identifier("order_id", command.order_id(), 128); });
  ValidateLines(command.lines());
}

}  // namespace

template <typename Command>
std::string CommandHandler::KeyOf(const Command& command) const {
  return reservations_.ShardKey(command.order_id(), command.lines());
}

void CommandHandler::Reply(pg::Transaction& tx, const v1::Envelope& cause, const google::protobuf::Message& reply) {
  messaging::AppendCausedBy(tx, kafka_.Topic(messaging::kSagaReplies), cause, reply, ids_, clock_);
}

std::string CommandHandler::ShardKey(const v1::Envelope& envelope) const {
  const std::string& type = envelope.type();
  if (type == v1::ReserveStock::descriptor()->full_name()) return KeyOf(Payload<v1::ReserveStock>(envelope));
  if (type == v1::ReleaseStock::descriptor()->full_name()) return KeyOf(Payload<v1::ReleaseStock>(envelope));
  if (type == v1::CommitStock::descriptor()->full_name()) return KeyOf(Payload<v1::CommitStock>(envelope));
  if (type == v1::RestockReturned::descriptor()->full_name()) return KeyOf(Payload<v1::RestockReturned>(envelope));
  throw PoisonMessage("envelope.type", "inventory does not handle " + type);
}

void CommandHandler::Handle(pg::Transaction& tx, const v1::Envelope& envelope) {
  const std::string& type = envelope.type();
  if (type == v1::ReserveStock::descriptor()->full_name()) {
    const auto command = Payload<v1::ReserveStock>(envelope);
    ValidateReserve(command);
    const ReserveOutcome outcome = reservations_.Reserve(tx, command.order_id(), command.lines());
    if (outcome.reserved) {
      v1::StockReserved reply;
      reply.set_order_id(command.order_id());
      Reply(tx, envelope, reply);
    } else {
      v1::StockRejected reply;
      reply.set_order_id(command.order_id());
      reply.set_sku(outcome.sku);
      reply.set_requested(outcome.requested);
      reply.set_available(outcome.available);
      Reply(tx, envelope, reply);
    }
  } else if (type == v1::ReleaseStock::descriptor()->full_name()) {
    const auto command = Payload<v1::ReleaseStock>(envelope);
    reservations_.Release(tx, command.order_id(), command.lines());
    v1::StockReleased reply;
    reply.set_order_id(command.order_id());
    Reply(tx, envelope, reply);
  } else if (type == v1::CommitStock::descriptor()->full_name()) {
    const auto command = Payload<v1::CommitStock>(envelope);
    reservations_.Commit(tx, command.order_id(), command.lines());
    v1::StockCommitted reply;
    reply.set_order_id(command.order_id());
    Reply(tx, envelope, reply);
  } else if (type == v1::RestockReturned::descriptor()->full_name()) {
    const auto command = Payload<v1::RestockReturned>(envelope);
    ValidateLines(command.lines());
    messaging::ValidateCommand([&] { validate::Identifier("refund_id", command.refund_id(), 128); });
    reservations_.Return(tx, command.order_id(), command.refund_id(), command.lines());
    v1::StockReturned reply;
    reply.set_order_id(command.order_id());
    reply.set_refund_id(command.refund_id());
    Reply(tx, envelope, reply);
  }
}

}  // namespace orderly::inventory
