#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "orderly/app/platform_settings.h"
#include "orderly/common/ids.h"
#include "orderly/messaging/settings.h"
#include "orderly/pg/transaction.h"
#include "orderly/v1/events.pb.h"
#include "orderly/v1/saga.pb.h"
#include "saga_stats.h"

namespace orderly::orchestrator {

/// The two holds a saga asks for side by side; their answers decide its course.
inline constexpr const char* kReserve = "reserve_stock";
inline constexpr const char* kAuthorize = "authorize_payment";

/// A saga as stored.
struct SagaRow {
  std::string saga_id;
  std::string order_id;
  std::string customer_id;
  v1::SagaState state = v1::SAGA_STATE_UNSPECIFIED;
  v1::OrderPlaced placed;
};

/// The order saga as a persisted state machine: reserve stock and authorize payment side by side,
/// then, once both hold, confirm order, capture payment, commit stock. Asking both at once saves
/// the saga two messaging hops; an authorization for an order without stock is only a hold, voided
/// at once. A failure reply, a step timeout or a cancellation aborts:
/// compensations in reverse (void payment, release stock) and RejectOrder. A reply that arrives
/// after its saga ended is compensated, never applied. Every step, compensations included, is seen
/// through: a command unanswered for resend_after is sent again (Resend) until a reply settles it.
/// Every method runs inside the caller's
/// transaction on shard(order_id): state changes, steps, timers and the commands they send (outbox)
/// commit together, with the saga row locked.
class SagaEngine final {
 public:
  /// Ended sagas and settled steps are counted in `stats` once their transaction commits.
  SagaEngine(const messaging::KafkaSettings& kafka, const app::OrchestratorSettings& settings, const Clock& clock,
             SagaStats& stats)
      : kafka_(kafka), settings_(settings), clock_(clock), stats_(stats) {}

  /// OrderPlaced starts a saga; OrderCancellationRequested aborts a running one; OrderConfirmed,
  /// OrderRejected and OrderCancelled settle the order step.
  void OnOrderEvent(pg::Transaction& tx, const v1::Envelope& event);
  /// A reply on saga.replies from inventory or payment. @throws messaging::PoisonMessage for a type
  /// no step expects (it is dead-lettered).
  void OnReply(pg::Transaction& tx, const v1::Envelope& reply);
  /// The timer of step `sequence` fired; aborts the saga if that step is still pending.
  void OnTimeout(pg::Transaction& tx, const std::string& saga_id, int sequence);
  /// Step `sequence` is due to be sent again: its command goes out once more as a new message (the
  /// participants answer a repeated command for an order again, with the same effect; a repeat of
  /// the same message would be dropped by their inboxes, and a lost reply never come back), and
  /// its next try is scheduled with twice the wait. Nothing if the step was settled meanwhile.
  void Resend(pg::Transaction& tx, const std::string& saga_id, int sequence);

  [[nodiscard]] static std::string SagaIdFor(const std::string& order_id);

  /// Sends `command` as step `name` of saga `saga_id` (of `order_id`), caused by `cause`: untimed,
  /// and sent again by Resend until an answer settles it. For sagas other than the order's.
  void SendStep(pg::Transaction& tx, const std::string& saga_id, const std::string& order_id,
                const v1::Envelope& cause, const google::protobuf::Message& command, const std::string& name);
  /// Settles the pending step `name` of saga `saga_id` with `answer`; false if none was pending (a
  /// repeated answer), so each answer moves a saga on once.
  bool SettleStep(pg::Transaction& tx, const std::string& saga_id, const std::string& name, const v1::Envelope& answer,
                  v1::StepOutcome outcome, const std::string& detail);

  /// How a reply settles the step it answers; `detail` (if set) says why it failed.
  struct ReplyRule {
    std::string type;  // the reply's full protobuf name
    std::string step;
    v1::StepOutcome outcome;
    bool hold;  // answers reserve stock or authorize payment: decides the saga's course
    std::string (*detail)(const v1::Envelope& reply);
  };
  /// The rule for a reply type; nullptr if no step expects it.
  [[nodiscard]] static const ReplyRule* RuleFor(const std::string& type);

 private:
  void Start(pg::Transaction& tx, const v1::Envelope& event);
  void Send(pg::Transaction& tx, const SagaRow& saga, const v1::Envelope& cause, const google::protobuf::Message& command,
            const std::string& name, bool compensation, bool timed);
  void SendFor(pg::Transaction& tx, const std::string& saga_id, const std::string& order_id, const v1::Envelope& cause,
               const google::protobuf::Message& command, const std::string& name, bool compensation, bool timed);
  v1::Envelope CommandEnvelope(const std::string& saga_id, const std::string& order_id, const v1::Envelope& cause,
                               const google::protobuf::Message& command);
  // When a step is sent: `with` adds CTEs before the step's own, `condition` (SQL, on them or the
  // tables) decides, with parameters from $12 on. Empty: always.
  struct StepGuard {
    std::string with;
    std::string condition;
    std::vector<pg::Param> params;
  };
  // Sends `envelope` as step `name` of saga `saga_id` if `guard` holds; the outbox row's id, empty if not.
  pg::Result AppendStep(pg::Transaction& tx, const std::string& saga_id, const v1::Envelope& envelope,
                        const std::string& name, bool compensation, bool timed, StepGuard guard);
  // For a hold (reserve stock, authorize payment): the other hold as it stood.
  struct Settlement {
    v1::StepOutcome other_hold = v1::STEP_OUTCOME_UNSPECIFIED;
    std::string other_detail;
  };
  // Marks the pending step `name` settled: SendSettle sends it, ReadSettled reads the outcome, nullopt
  // if no such step was pending (a late reply).
  pg::Result SendSettle(pg::Transaction& tx, const std::string& saga_id, const std::string& name,
                        const v1::Envelope& reply, v1::StepOutcome outcome, const std::string& detail);
  std::optional<Settlement> ReadSettled(pg::Transaction& tx, const std::string& saga_id, const std::string& name,
                                        v1::StepOutcome outcome, const pg::Result& settled);
  // An answer to step `step` of the order's saga that is not a hold (a reply or the order's event):
  // settles it; after the commit, warns if asked and the order has no saga.
  void SettleOnly(pg::Transaction& tx, const v1::Envelope& answer, const std::string& step, v1::StepOutcome outcome,
                  const std::string& detail, bool warn_without_saga);
  // A hold's answer: settles its step and decides the saga's course (Answered). False if the order
  // has no saga.
  bool SettleHold(pg::Transaction& tx, const v1::Envelope& answer, const std::string& step, v1::StepOutcome outcome,
                  const std::string& detail);
  // A hold was answered: confirms once both held, aborts on a failure, else waits for the other.
  void Answered(pg::Transaction& tx, SagaRow& saga, const std::string& name, const v1::Envelope& reply,
                v1::StepOutcome outcome, const std::string& detail, const pg::Result& settle);
  void SetState(pg::Transaction& tx, SagaRow& saga, v1::SagaState state);
  void Abort(pg::Transaction& tx, SagaRow& saga, const v1::Envelope& cause, v1::RejectReason reason,
             const std::string& detail, v1::StepOutcome pending_outcome);
  void Confirm(pg::Transaction& tx, SagaRow& saga, const v1::Envelope& cause);
  void Compensate(pg::Transaction& tx, const SagaRow& saga, const v1::Envelope& late_reply);

  const messaging::KafkaSettings& kafka_;
  const app::OrchestratorSettings settings_;
  const Clock& clock_;
  SagaStats& stats_;
  UuidV7Generator ids_{clock_};
};

/// The saga of `order_id` with its row locked; std::nullopt if there is none. SendLockSaga sends the
/// statement and ReadSaga reads it, so other statements can go out in between.
[[nodiscard]] std::optional<SagaRow> LockSaga(pg::Transaction& tx, const std::string& order_id);
[[nodiscard]] pg::Result SendLockSaga(pg::Transaction& tx, const std::string& order_id);
[[nodiscard]] std::optional<SagaRow> ReadSaga(const pg::Result& locked, const std::string& order_id);

}  // namespace orderly::orchestrator
