#pragma once

#include "orderly/common/ids.h"
#include "orderly/messaging/settings.h"
#include "orderly/pg/transaction.h"
#include "orderly/v1/events.pb.h"
#include "payments.h"

namespace orderly::payment {

/// Handles AuthorizePayment, CapturePayment, VoidPayment and RefundPayment from payment.commands
/// in the inbox transaction on shard(customer_id) and writes the reply to saga.replies.
class CommandHandler final {
 public:
  CommandHandler(Payments& payments, const messaging::KafkaSettings& kafka, const Clock& clock)
      : payments_(payments), kafka_(kafka), clock_(clock) {}

  /// @throws messaging::PoisonMessage for an unknown type, a malformed command or one that
  /// cannot apply to the payment's state.
  void Handle(pg::Transaction& tx, const v1::Envelope& envelope);

  /// The customer whose shard runs `envelope`'s transaction.
  [[nodiscard]] static std::string ShardKey(const v1::Envelope& envelope);

 private:
  void Reply(pg::Transaction& tx, const v1::Envelope& cause, const google::protobuf::Message& reply);
  // With a refund_id, the refund saga's partial refund (answered PaymentRefunded or
  // PaymentRefundRefused); without, a refund by hand of everything still captured.
  void HandleRefund(pg::Transaction& tx, const v1::Envelope& envelope, const v1::RefundPayment& command);

  Payments& payments_;
  const messaging::KafkaSettings& kafka_;
  const Clock& clock_;
  UuidV7Generator ids_{clock_};
};

}  // namespace orderly::payment
