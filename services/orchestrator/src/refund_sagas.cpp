#include "refund_sagas.h"

#include <spdlog/spdlog.h>

#include "orderly/common/hash.h"
#include "orderly/messaging/envelope.h"

namespace orderly::orchestrator {
namespace {

using messaging::Payload;

// Money first: refunding the payment is the only step a participant may refuse, so a refusal
// leaves nothing to undo; restocking the units of a refund that happened is never refused.
constexpr const char* kRefundPayment = "refund_payment";
constexpr const char* kRestockReturned = "restock_returned";
constexpr const char* kCompleteRefund = "complete_refund";
constexpr const char* kFailRefund = "fail_refund";

}  // namespace

bool RefundSagas::Handles(const std::string& type) {
  return messaging::Names<v1::OrderRefundRequested>(type) || messaging::Names<v1::PaymentRefunded>(type) || messaging::Names<v1::PaymentRefundRefused>(type) ||
         messaging::Names<v1::StockReturned>(type) || messaging::Names<v1::OrderRefunded>(type) || messaging::Names<v1::OrderPartiallyRefunded>(type) ||
         messaging::Names<v1::OrderRefundFailed>(type);
}

std::string RefundSagas::SagaIdFor(const std::string& refund_id) { return NameBasedUuid("refund saga\n" + refund_id); }

void RefundSagas::Handle(pg::Transaction& tx, const v1::Envelope& envelope) {
  const std::string& type = envelope.type();
  const auto succeeded = v1::STEP_OUTCOME_SUCCEEDED;
  if (messaging::Names<v1::OrderRefundRequested>(type)) return Start(tx, envelope);
  if (messaging::Names<v1::PaymentRefunded>(type)) {
    const auto refunded = Payload<v1::PaymentRefunded>(envelope);
    if (refunded.refund_id().empty()) {
      spdlog::info("payment of order {} refunded by hand; no saga asked for it", refunded.order_id());
      return;
    }
    if (!Settle(tx, refunded.refund_id(), kRefundPayment, envelope, succeeded)) return;
    v1::RestockReturned restock;
    restock.set_order_id(refunded.order_id());
    restock.set_refund_id(refunded.refund_id());
    *restock.mutable_lines() = Requested(tx, refunded.refund_id()).lines();
    engine_.SendStep(tx, SagaIdFor(refunded.refund_id()), refunded.order_id(), envelope, restock, kRestockReturned);
  } else if (messaging::Names<v1::PaymentRefundRefused>(type)) {
    const auto refused = Payload<v1::PaymentRefundRefused>(envelope);
    if (!Settle(tx, refused.refund_id(), kRefundPayment, envelope, v1::STEP_OUTCOME_FAILED, refused.reason())) return;
    v1::FailRefund fail;
    fail.set_order_id(refused.order_id());
    fail.set_refund_id(refused.refund_id());
    fail.set_reason("payment refused the refund: " + refused.reason());
    engine_.SendStep(tx, SagaIdFor(refused.refund_id()), refused.order_id(), envelope, fail, kFailRefund);
    End(tx, refused.refund_id(), v1::SAGA_STATE_REFUND_FAILED);
  } else if (messaging::Names<v1::StockReturned>(type)) {
    const auto returned = Payload<v1::StockReturned>(envelope);
    if (!Settle(tx, returned.refund_id(), kRestockReturned, envelope, succeeded)) return;
    v1::CompleteRefund complete;
    complete.set_order_id(returned.order_id());
    complete.set_refund_id(returned.refund_id());
    engine_.SendStep(tx, SagaIdFor(returned.refund_id()), returned.order_id(), envelope, complete, kCompleteRefund);
    End(tx, returned.refund_id(), v1::SAGA_STATE_REFUNDED);
  } else if (messaging::Names<v1::OrderRefunded>(type)) {
    Settle(tx, Payload<v1::OrderRefunded>(envelope).refund_id(), kCompleteRefund, envelope, succeeded);
  } else if (messaging::Names<v1::OrderPartiallyRefunded>(type)) {
    Settle(tx, Payload<v1::OrderPartiallyRefunded>(envelope).refund_id(), kCompleteRefund, envelope, succeeded);
  } else if (messaging::Names<v1::OrderRefundFailed>(type)) {
    Settle(tx, Payload<v1::OrderRefundFailed>(envelope).refund_id(), kFailRefund, envelope, succeeded);
  }
}

void RefundSagas::Start(pg::Transaction& tx, const v1::Envelope& event) {
  const auto requested = Payload<v1::OrderRefundRequested>(event);
  const std::string saga_id = SagaIdFor(requested.refund_id());
  const pg::Result created = tx.Exec(
      "INSERT INTO refund_sagas (saga_id, order_id, refund_id, customer_id, state, requested) "
      "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (saga_id) DO NOTHING",
      {saga_id, requested.order_id(), requested.refund_id(), requested.customer_id(),
       v1::SagaState_Name(v1::SAGA_STATE_REFUNDING), pg::Param::Bytes(requested.SerializeAsString())});
  if (created.affected_rows() == 0) return;  // this refund's saga already runs
  tx.AfterCommit([this] { stats_.SagaStarted(); });
  v1::RefundPayment refund;
  refund.set_order_id(requested.order_id());
  refund.set_customer_id(requested.customer_id());
  refund.set_refund_id(requested.refund_id());
  *refund.mutable_amount() = requested.amount();
  engine_.SendStep(tx, saga_id, requested.order_id(), event, refund, kRefundPayment);
}

bool RefundSagas::Settle(pg::Transaction& tx, const std::string& refund_id, const std::string& step,
                         const v1::Envelope& answer, v1::StepOutcome outcome, const std::string& detail) {
  if (engine_.SettleStep(tx, SagaIdFor(refund_id), step, answer, outcome, detail)) return true;
  spdlog::debug("{} for refund {} settles no pending step; ignored", answer.type(), refund_id);
  return false;
}

v1::OrderRefundRequested RefundSagas::Requested(pg::Transaction& tx, const std::string& refund_id) {
  v1::OrderRefundRequested requested;
  const pg::Row row = tx.Exec("SELECT requested FROM refund_sagas WHERE saga_id = $1", {SagaIdFor(refund_id)}).One();
  if (!requested.ParseFromString(row.Bytes(0))) throw Internal("refund saga of refund " + refund_id + " is corrupt");
  return requested;
}

void RefundSagas::End(pg::Transaction& tx, const std::string& refund_id, v1::SagaState state) {
  const pg::Result updated = tx.Exec(
      "UPDATE refund_sagas SET state = $2, updated_at = now() WHERE saga_id = $1 "
      "RETURNING (extract(epoch FROM updated_at - created_at) * 1000)::bigint",
      {SagaIdFor(refund_id), v1::SagaState_Name(state)});
  // The duration is read after the commit, so the update costs no round trip of its own.
  tx.AfterCommit([this, state, updated] { stats_.SagaEnded(state, updated.One().Int(0)); });
}

}  // namespace orderly::orchestrator
