#pragma once

#include <string>

#include "orderly/pg/transaction.h"
#include "orderly/v1/events.pb.h"
#include "saga_engine.h"
#include "saga_stats.h"

namespace orderly::orchestrator {

/// The refund saga, one per refund of a confirmed order, persisted in refund_sagas on
/// shard(order_id) with its steps in saga_steps: refund the payment, then restock the returned
/// units, then CompleteRefund (the order records OrderRefunded or OrderPartiallyRefunded). If
/// payment refuses the refund, FailRefund (the order records OrderRefundFailed with the reason)
/// and the saga ends REFUND_FAILED. Its steps have no deadline: a refund cannot be taken back, so
/// a slow participant is waited for (each step is sent again until answered), never given up on.
/// Every method runs inside the caller's (inbox) transaction; each answer settles its step once, so
/// a repeated one moves nothing. Thread-safe as the engine is.
class RefundSagas final {
 public:
  RefundSagas(SagaEngine& engine, SagaStats& stats) : engine_(engine), stats_(stats) {}

  /// Whether `type` (an envelope type) belongs to a refund saga: OrderRefundRequested starts one;
  /// the replies and order events of its steps move it on.
  [[nodiscard]] static bool Handles(const std::string& type);
  /// @throws messaging::PoisonMessage for a payload that does not parse.
  void Handle(pg::Transaction& tx, const v1::Envelope& envelope);

  [[nodiscard]] static std::string SagaIdFor(const std::string& refund_id);

 private:
  void Start(pg::Transaction& tx, const v1::Envelope& event);
  // Step `step` of refund `refund_id` got `answer`; true if it was pending until now.
  bool Settle(pg::Transaction& tx, const std::string& refund_id, const std::string& step, const v1::Envelope& answer,
              v1::StepOutcome outcome, const std::string& detail = "");
  // The refund's OrderRefundRequested, as its saga stored it.
  v1::OrderRefundRequested Requested(pg::Transaction& tx, const std::string& refund_id);
  void End(pg::Transaction& tx, const std::string& refund_id, v1::SagaState state);

  SagaEngine& engine_;
  SagaStats& stats_;
};

}  // namespace orderly::orchestrator
