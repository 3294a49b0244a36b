#include "outcome.h"

#include "orderly/messaging/envelope.h"

namespace orderly::loadgen {
namespace {

Outcome RejectedFor(v1::RejectReason reason) {
  switch (reason) {
    case v1::REJECT_REASON_OUT_OF_STOCK:
      return Outcome::kRejectedOutOfStock;
    case v1::REJECT_REASON_PAYMENT_DECLINED:
      return Outcome::kRejectedDeclined;
    case v1::REJECT_REASON_TIMEOUT:
      return Outcome::kRejectedTimeout;
    default:
      return Outcome::kRejectedOther;
  }
}

}  // namespace

std::optional<Terminal> TerminalOf(const v1::Envelope& envelope) {
  if (envelope.payload().Is<v1::OrderConfirmed>()) {
    return Terminal{messaging::Payload<v1::OrderConfirmed>(envelope).order_id(), Outcome::kConfirmed, ""};
  }
  if (envelope.payload().Is<v1::OrderCancelled>()) {
    return Terminal{messaging::Payload<v1::OrderCancelled>(envelope).order_id(), Outcome::kCancelled, ""};
  }
  if (envelope.payload().Is<v1::OrderRejected>()) {
    const auto rejected = messaging::Payload<v1::OrderRejected>(envelope);
    return Terminal{rejected.order_id(), RejectedFor(rejected.reason()), rejected.detail()};
  }
  return std::nullopt;
}

bool IsExpected(Expected expected, Outcome outcome) {
  switch (expected) {
    case Expected::kConfirmed:
      return outcome == Outcome::kConfirmed;
    case Expected::kOutOfStock:
      return outcome == Outcome::kRejectedOutOfStock;
    case Expected::kDeclined:
      return outcome == Outcome::kRejectedDeclined;
    case Expected::kCancelled:
      // The cancellation may arrive after the saga confirmed the order.
      return outcome == Outcome::kCancelled || outcome == Outcome::kConfirmed;
  }
  return false;
}

std::string_view Name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kConfirmed:
      return "CONFIRMED";
    case Outcome::kRejectedOutOfStock:
      return "REJECTED_OUT_OF_STOCK";
    case Outcome::kRejectedDeclined:
      return "REJECTED_PAYMENT_DECLINED";
    case Outcome::kRejectedTimeout:
      return "REJECTED_TIMEOUT";
    case Outcome::kRejectedOther:
      return "REJECTED_OTHER";
    case Outcome::kCancelled:
      return "CANCELLED";
  }
  return "?";
}

std::string_view Name(Expected expected) {
  switch (expected) {
    case Expected::kConfirmed:
      return "confirm";
    case Expected::kOutOfStock:
      return "out_of_stock";
    case Expected::kDeclined:
      return "declined";
    case Expected::kCancelled:
      return "cancel";
  }
  return "?";
}

}  // namespace orderly::loadgen
