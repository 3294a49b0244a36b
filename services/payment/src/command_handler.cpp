#include "command_handler.h"

#include "orderly/common/validate.h"
#include "orderly/messaging/envelope.h"
#include "orderly/messaging/outbox.h"
#include "orderly/messaging/topics.h"

namespace orderly::payment {
namespace {

using messaging::Is;
using messaging::Payload;

// Every payment command names its order and customer.
template <typename Command>
Command Parse(const v1::Envelope& envelope) {
  auto command = Payload<Command>(envelope);
  messaging::ValidateCommand([&] {
    validate::Identifier("order_id", command.order_id(), 128);
    validate::Identifier("customer_id", command.customer_id(), 128);
  });
  return command;
}

}  // namespace

std::string CommandHandler::ShardKey(const v1::Envelope& envelope) {
  if (Is<v1::AuthorizePayment>(envelope)) return Parse<v1::AuthorizePayment>(envelope).customer_id();
  if (Is<v1::CapturePayment>(envelope)) return Parse<v1::CapturePayment>(envelope).customer_id();
  if (Is<v1::VoidPayment>(envelope)) return Parse<v1::VoidPayment>(envelope).customer_id();
  if (Is<v1::RefundPayment>(envelope)) return Parse<v1::RefundPayment>(envelope).customer_id();
  throw messaging::PoisonMessage("envelope.type", "payment does not handle " + envelope.type());
}

void CommandHandler::Reply(pg::Transaction& tx, const v1::Envelope& cause, const google::protobuf::Message& reply) {
  messaging::AppendCausedBy(tx, kafka_.Topic(messaging::kSagaReplies), cause, reply, ids_, clock_);
}

void CommandHandler::HandleRefund(pg::Transaction& tx, const v1::Envelope& envelope,
                                  const v1::RefundPayment& command) {
  if (command.refund_id().empty()) {  // a refund by hand: everything still captured
    payments_.Refund(tx, command.order_id(), command.customer_id());
    v1::PaymentRefunded reply;
    reply.set_order_id(command.order_id());
    return Reply(tx, envelope, reply);
  }
  messaging::ValidateCommand([&] {
    validate::Identifier("refund_id", command.refund_id(), 128);
    validate::Range("amount.minor_units", command.amount().minor_units(), 1, INT64_MAX);
    validate::Currency("amount.currency", command.amount().currency());
  });
  const RefundOutcome outcome = payments_.RefundPart(tx, command);
  if (outcome.refunded) {
    v1::PaymentRefunded reply;
    reply.set_order_id(command.order_id());
    reply.set_refund_id(command.refund_id());
    *reply.mutable_amount() = outcome.amount;
    return Reply(tx, envelope, reply);
  }
  v1::PaymentRefundRefused reply;
  reply.set_order_id(command.order_id());
  reply.set_refund_id(command.refund_id());
  reply.set_reason(outcome.reason);
  Reply(tx, envelope, reply);
}

void CommandHandler::Handle(pg::Transaction& tx, const v1::Envelope& envelope) {
  if (Is<v1::AuthorizePayment>(envelope)) {
    const auto command = Parse<v1::AuthorizePayment>(envelope);
    messaging::ValidateCommand([&] {
      validate::Range("amount.minor_units", command.amount().minor_units(), 1, INT64_MAX);
      validate::Currency("amount.currency", command.amount().currency());
    });
    const AuthorizeOutcome outcome = payments_.Authorize(tx, command);
    if (outcome.authorized) {
      v1::PaymentAuthorized reply;
      reply.set_order_id(command.order_id());
      *reply.mutable_amount() = command.amount();
      Reply(tx, envelope, reply);
    } else {
      v1::PaymentDeclined reply;
      reply.set_order_id(command.order_id());
      reply.set_reason(outcome.reason);
      reply.set_detail(outcome.detail);
      Reply(tx, envelope, reply);
    }
  } else if (Is<v1::CapturePayment>(envelope)) {
    const auto command = Parse<v1::CapturePayment>(envelope);
    payments_.Capture(tx, command.order_id(), command.customer_id());
    v1::PaymentCaptured reply;
    reply.set_order_id(command.order_id());
    Reply(tx, envelope, reply);
  } else if (Is<v1::VoidPayment>(envelope)) {
    const auto command = Parse<v1::VoidPayment>(envelope);
    payments_.Void(tx, command.order_id(), command.customer_id());
    v1::PaymentVoided reply;
    reply.set_order_id(command.order_id());
    Reply(tx, envelope, reply);
  } else if (Is<v1::RefundPayment>(envelope)) {
    HandleRefund(tx, envelope, Parse<v1::RefundPayment>(envelope));
  } else {
    throw messaging::PoisonMessage("envelope.type", "payment does not handle " + envelope.type());
  }
}

}  // namespace orderly::payment
