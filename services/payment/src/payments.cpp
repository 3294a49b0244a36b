#include "payments.h"

#include "accounts.h"
#include "ledger.h"
#include "orderly/messaging/envelope.h"

namespace orderly::payment {
namespace {

struct PaymentRow {
  int64_t amount;
  std::string currency;
  std::string status;
  v1::DeclineReason reason;
};

pg::Result SendLockPayment(pg::Transaction& tx, const std::string& order_id) {
  return tx.Exec("SELECT amount, currency, status, decline_reason FROM payments WHERE order_id = $1 FOR UPDATE",
                 {order_id});
}

std::optional<PaymentRow> PaymentFrom(const pg::Result& result) {
  if (result.empty()) return std::nullopt;
  return PaymentRow{result[0].Int(0), result[0].String(1), result[0].String(2),
                    static_cast<v1::DeclineReason>(result[0].Int(3))};
}

std::optional<PaymentRow> LockPayment(pg::Transaction& tx, const std::string& order_id) {
  return PaymentFrom(SendLockPayment(tx, order_id));
}

// Serializes every money movement of one customer; a no-op for a customer without accounts.
void LockCustomer(pg::Transaction& tx, const std::string& customer_id) {
  tx.Exec("SELECT 1 FROM accounts WHERE customer_id = $1 FOR UPDATE", {customer_id});
}

void SetStatus(pg::Transaction& tx, const std::string& order_id, const std::string& status) {
  tx.Exec("UPDATE payments SET status = $2, updated_at = now() WHERE order_id = $1", {order_id, status});
}

void MoveBalance(pg::Transaction& tx, const std::string& customer_id, const std::string& currency,
                 const std::string& assignments, int64_t amount) {
  tx.Exec("UPDATE accounts SET " + assignments + " WHERE customer_id = $1 AND currency = $2",
          {customer_id, currency, amount});
}

// A payment as a refund sees it, its row locked, with the answer refund `refund_id` got before, if any.
struct RefundableRow {
  int64_t amount;
  int64_t refunded;
  std::string currency;
  std::string status;
  std::optional<RefundOutcome> earlier;
};

std::optional<RefundableRow> LockForRefund(pg::Transaction& tx, const std::string& order_id,
                                           const std::string& refund_id) {
  const pg::Result row = tx.Exec(
      "SELECT p.amount, p.refunded, p.currency, p.status, r.amount, r.refused FROM payments p "
      "LEFT JOIN refunds r ON r.order_id = p.order_id AND r.refund_id = $2 WHERE p.order_id = $1 FOR UPDATE OF p",
      {order_id, refund_id});
  if (row.empty()) return std::nullopt;
  RefundableRow payment{row[0].Int(0), row[0].Int(1), row[0].String(2), row[0].String(3), std::nullopt};
  if (!row[0].IsNull(4)) {
    const std::string refused = row[0].String(5);
    v1::Money returned;
    returned.set_minor_units(row[0].Int(4));
    returned.set_currency(payment.currency);
    payment.earlier = RefundOutcome{refused.empty(), refused.empty() ? returned : v1::Money(), refused};
  }
  return payment;
}

// Moves `amount` of the order's captured money back to the customer; the payment becomes refunded
// once nothing of it remains captured.
void ReturnToCustomer(pg::Transaction& tx, UuidV7Generator& ids, const std::string& customer_id,
                      const std::string& order_id, const std::string& currency, int64_t amount) {
  MoveBalance(tx, customer_id, currency, "available = available + $3", amount);
  RecordMovement(tx, ids, customer_id, {kMerchantRevenue, AvailableAccount(customer_id)}, amount, currency, order_id,
                 "refund");
  tx.Exec("UPDATE payments SET refunded = refunded + $2, updated_at = now(), "
          "status = CASE WHEN refunded + $2 = amount THEN 'refunded' ELSE status END WHERE order_id = $1",
          {order_id, amount});
}

[[noreturn]] void CannotApply(const std::string& operation, const std::string& order_id, const std::string& status) {
  throw messaging::PoisonMessage("order_id", "cannot " + operation + " the " + status + " payment of order " + order_id);
}

}  // namespace

AuthorizeOutcome Payments::Authorize(pg::Transaction& tx, const v1::AuthorizePayment& command) {
  const std::string& customer = command.customer_id();
  const std::string& currency = command.amount().currency();
  const int64_t amount = command.amount().minor_units();
  LockCustomer(tx, customer);
  // The payment and the account are asked together: one round trip.
  const pg::Result payment = SendLockPayment(tx, command.order_id());
  const pg::Result account_row = SendReadAccount(tx, customer, currency);
  if (const auto existing = PaymentFrom(payment)) {
    if (existing->status == "declined") return {false, existing->reason, "declined before"};
    if (existing->status == "voided") return {false, v1::DECLINE_REASON_UNSPECIFIED, "voided before authorization"};
    return {true, v1::DECLINE_REASON_UNSPECIFIED, ""};
  }
  AuthorizeOutcome outcome{true, v1::DECLINE_REASON_UNSPECIFIED, ""};
  const auto account = AccountFrom(account_row, customer, currency);
  if (!account) {
    const bool other_currency =
        !tx.Exec("SELECT 1 FROM accounts WHERE customer_id = $1 LIMIT 1", {customer}).empty();
    outcome = other_currency ? AuthorizeOutcome{false, v1::DECLINE_REASON_CURRENCY_MISMATCH, "no " + currency + " account"}
                             : AuthorizeOutcome{false, v1::DECLINE_REASON_NO_ACCOUNT, "no account"};
  } else if (amount > max_order_) {
    outcome = {false, v1::DECLINE_REASON_OVER_ORDER_LIMIT, "over the limit of " + std::to_string(max_order_)};
  } else if (account->available().minor_units() < amount) {
    outcome = {false, v1::DECLINE_REASON_INSUFFICIENT_FUNDS,
               "available " + std::to_string(account->available().minor_units())};
  }
  tx.Exec("INSERT INTO payments (order_id, customer_id, amount, currency, status, decline_reason) "
          "VALUES ($1, $2, $3, $4, $5, $6)",
          {command.order_id(), customer, amount, currency, outcome.authorized ? "authorized" : "declined",
           static_cast<int>(outcome.reason)});
  if (outcome.authorized) {
    MoveBalance(tx, customer, currency, "available = available - $3, held = held + $3", amount);
    RecordMovement(tx, ids_, customer, {AvailableAccount(customer), HeldAccount(customer)}, amount, currency,
                   command.order_id(), "authorize");
  }
  return outcome;
}

void Payments::Capture(pg::Transaction& tx, const std::string& order_id, const std::string& customer_id) {
  LockCustomer(tx, customer_id);
  const auto payment = LockPayment(tx, order_id);
  if (payment && payment->status == "captured") return;
  if (!payment || payment->status != "authorized") CannotApply("capture", order_id, payment ? payment->status : "missing");
  MoveBalance(tx, customer_id, payment->currency, "held = held - $3", payment->amount);
  RecordMovement(tx, ids_, customer_id, {HeldAccount(customer_id), kMerchantRevenue}, payment->amount,
                 payment->currency, order_id, "capture");
  SetStatus(tx, order_id, "captured");
}

void Payments::Void(pg::Transaction& tx, const std::string& order_id, const std::string& customer_id) {
  LockCustomer(tx, customer_id);
  const auto payment = LockPayment(tx, order_id);
  if (!payment) {
    tx.Exec("INSERT INTO payments (order_id, customer_id, amount, currency, status) VALUES ($1, $2, 0, '', 'voided')",
            {order_id, customer_id});
    return;
  }
  if (payment->status == "voided" || payment->status == "declined") return;
  if (payment->status != "authorized") CannotApply("void", order_id, payment->status);
  MoveBalance(tx, customer_id, payment->currency, "held = held - $3, available = available + $3", payment->amount);
  RecordMovement(tx, ids_, customer_id, {HeldAccount(customer_id), AvailableAccount(customer_id)}, payment->amount,
                 payment->currency, order_id, "void");
  SetStatus(tx, order_id, "voided");
}

void Payments::Refund(pg::Transaction& tx, const std::string& order_id, const std::string& customer_id) {
  LockCustomer(tx, customer_id);
  const auto payment = LockForRefund(tx, order_id, "");
  if (payment && payment->status == "refunded") return;
  if (!payment || payment->status != "captured") CannotApply("refund", order_id, payment ? payment->status : "missing");
  ReturnToCustomer(tx, ids_, customer_id, order_id, payment->currency, payment->amount - payment->refunded);
}

RefundOutcome Payments::RefundPart(pg::Transaction& tx, const v1::RefundPayment& command) {
  const std::string& order_id = command.order_id();
  const int64_t amount = command.amount().minor_units();
  LockCustomer(tx, command.customer_id());
  const auto payment = LockForRefund(tx, order_id, command.refund_id());
  // A refusal is recorded too, so a repeat never turns it into a refund after the saga failed it.
  const auto refused = [&](const std::string& reason) {
    tx.Exec("INSERT INTO refunds (order_id, refund_id, amount, refused) VALUES ($1, $2, 0, $3) ON CONFLICT DO NOTHING",
            {order_id, command.refund_id(), reason});
    return RefundOutcome{false, {}, reason};
  };
  if (!payment) return refused("order " + order_id + " has no payment");
  if (payment->earlier) return *payment->earlier;  // a repeat: the first answer
  if (payment->status != "captured") return refused("the payment of order " + order_id + " is " + payment->status);
  if (payment->currency != command.amount().currency()) {
    return refused("the payment is in " + payment->currency + ", the refund in " + command.amount().currency());
  }
  const int64_t remaining = payment->amount - payment->refunded;
  if (amount > remaining) {
    return refused("a refund of " + std::to_string(amount) + " exceeds the " + std::to_string(remaining) +
                   " still captured");
  }
  ReturnToCustomer(tx, ids_, command.customer_id(), order_id, payment->currency, amount);
  tx.Exec("INSERT INTO refunds (order_id, refund_id, amount) VALUES ($1, $2, $3)",
          {order_id, command.refund_id(), amount});
  return {true, command.amount(), ""};
}

std::optional<v1::Payment> Payments::Find(pg::Cluster& cluster, const std::string& order_id) {
  static const std::map<std::string, v1::PaymentStatus> kStatuses = {
      {"authorized", v1::PAYMENT_STATUS_AUTHORIZED}, {"captured", v1::PAYMENT_STATUS_CAPTURED},
      {"voided", v1::PAYMENT_STATUS_VOIDED},         {"refunded", v1::PAYMENT_STATUS_REFUNDED},
      {"declined", v1::PAYMENT_STATUS_DECLINED}};
  for (size_t shard = 0; shard < cluster.shard_count(); ++shard) {
    const pg::Result result = cluster.Transact(
        shard,
        [&](pg::Transaction& tx) {
          return tx.Exec(
              "SELECT customer_id, amount, currency, status, decline_reason, "
              "(extract(epoch FROM created_at) * 1000)::bigint, (extract(epoch FROM updated_at) * 1000)::bigint, "
              "refunded FROM payments WHERE order_id = $1",
              {order_id});
        },
        {pg::Isolation::kReadCommitted, true});
    if (result.empty()) continue;
    v1::Payment payment;
    payment.set_order_id(order_id);
    payment.set_customer_id(result[0].String(0));
    payment.mutable_amount()->set_minor_units(result[0].Int(1));
    payment.mutable_amount()->set_currency(result[0].String(2));
    payment.set_status(kStatuses.at(result[0].String(3)));
    payment.set_decline_reason(static_cast<v1::DeclineReason>(result[0].Int(4)));
    payment.mutable_created_at()->set_seconds(result[0].Int(5) / 1000);
    payment.mutable_updated_at()->set_seconds(result[0].Int(6) / 1000);
    payment.mutable_refunded()->set_minor_units(result[0].Int(7));
    payment.mutable_refunded()->set_currency(result[0].String(2));
    return payment;
  }
  return std::nullopt;
}

}  // namespace orderly::payment
