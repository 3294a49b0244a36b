// A consumed record's value as every consumer reads it: the envelope, then its payload as each
// type a service handles. Anything but PoisonMessage (the dead-letter path) is a finding.
#include <cstdint>
#include <string_view>

#include "orderly/messaging/envelope.h"
#include "orderly/v1/events.pb.h"

namespace {

using orderly::messaging::Payload;

template <typename... Types>
void UnpackAs(const orderly::v1::Envelope& envelope) {
  (
      [&] {
        try {
          (void)Payload<Types>(envelope);
        } catch (const orderly::messaging::PoisonMessage&) {
        }
      }(),
      ...);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace v1 = orderly::v1;
  try {
    const v1::Envelope envelope = orderly::messaging::Decode(std::string_view(reinterpret_cast<const char*>(data), size));
    UnpackAs<v1::ReserveStock, v1::ReleaseStock, v1::CommitStock, v1::AuthorizePayment, v1::CapturePayment,
             v1::VoidPayment, v1::RefundPayment, v1::ConfirmOrder, v1::RejectOrder, v1::StockReserved, v1::StockRejected,
             v1::StockReleased, v1::StockCommitted, v1::PaymentAuthorized, v1::PaymentDeclined, v1::PaymentCaptured,
             v1::PaymentVoided, v1::PaymentRefunded, v1::OrderPlaced, v1::OrderConfirmed, v1::OrderRejected, v1::OrderCancelled,
             v1::OrderCancellationRequested, v1::RestockReturned, v1::StockReturned, v1::PaymentRefundRefused,
             v1::CompleteRefund, v1::FailRefund, v1::OrderRefundRequested, v1::OrderRefunded,
             v1::OrderPartiallyRefunded, v1::OrderRefundFailed>(envelope);
  } catch (const orderly::messaging::PoisonMessage&) {
  }
  return 0;
}
