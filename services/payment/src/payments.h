#pragma once

#include <optional>
#include <string>

#include "orderly/common/ids.h"
#include "orderly/pg/cluster.h"
#include "orderly/v1/events.pb.h"
#include "orderly/v1/payment.pb.h"

namespace orderly::payment {

/// How an authorization ended.
struct AuthorizeOutcome {
  bool authorized = false;
  v1::DeclineReason reason = v1::DECLINE_REASON_UNSPECIFIED;
  std::string detail;
};

/// How a refund of the refund saga ended: refused (with the reason) or `amount` returned.
struct RefundOutcome {
  bool refunded = false;
  v1::Money amount;
  std::string reason;
};

/// Payment operations, each run inside the caller's transaction on shard(customer_id) and each
/// idempotent per (order, operation): the payment row's status says what already happened, and
/// the customer's account row is locked first, so concurrent commands for one order serialize.
/// A payment is held once, captured at most once and never both captured and voided.
class Payments final {
 public:
  Payments(int64_t max_order_minor_units, const Clock& clock) : max_order_(max_order_minor_units), ids_(clock) {}

  /// Holds the amount (available -> held), or records why not.
  AuthorizeOutcome Authorize(pg::Transaction& tx, const v1::AuthorizePayment& command);
  /// Moves the hold to merchant revenue. @throws messaging::PoisonMessage unless authorized or captured.
  void Capture(pg::Transaction& tx, const std::string& order_id, const std::string& customer_id);
  /// Returns the hold. A void before any authorization is remembered, so a late authorization is declined.
  /// @throws messaging::PoisonMessage for a captured payment (refund it instead).
  void Void(pg::Transaction& tx, const std::string& order_id, const std::string& customer_id);
  /// Returns all money still captured to the customer (a refund by hand).
  /// @throws messaging::PoisonMessage unless captured or refunded.
  void Refund(pg::Transaction& tx, const std::string& order_id, const std::string& customer_id);
  /// Returns `command.amount()` of the captured money for `command.refund_id()`, once. Refused,
  /// with nothing moved, unless the payment is captured in that currency with at least that much
  /// not yet refunded. Either answer is recorded: a repeat gets the first one.
  RefundOutcome RefundPart(pg::Transaction& tx, const v1::RefundPayment& command);

  /// The payment of `order_id`, looked up on every shard.
  [[nodiscard]] static std::optional<v1::Payment> Find(pg::Cluster& cluster, const std::string& order_id);

 private:
  int64_t max_order_;
  UuidV7Generator ids_;
};

}  // namespace orderly::payment
