#include "saga_engine.h"

#include <iterator>

#include <spdlog/spdlog.h>

#include "orderly/common/hash.h"
#include "orderly/messaging/envelope.h"
#include "orderly/messaging/outbox.h"
#include "orderly/messaging/topics.h"

namespace orderly::orchestrator {
namespace {

using messaging::Is;
using messaging::Payload;

const std::string kPending = v1::StepOutcome_Name(v1::STEP_OUTCOME_PENDING);

bool Terminal(v1::SagaState state) {
  return state == v1::SAGA_STATE_CONFIRMED || state == v1::SAGA_STATE_REJECTED || state == v1::SAGA_STATE_CANCELLED;
}

// The topic of a command by its full type name, e.g. "orderly.v1.ReserveStock".
std::string_view TopicOf(std::string_view type) {
  type.remove_prefix(type.rfind('.') + 1);
  if (type == "ReserveStock" || type == "ReleaseStock" || type == "CommitStock" || type == "RestockReturned") {
    return messaging::kInventoryCommands;
  }
  if (type == "ConfirmOrder" || type == "RejectOrder" || type == "CompleteRefund" || type == "FailRefund") {
    return messaging::kOrderCommands;
  }
  return messaging::kPaymentCommands;
}

int64_t Millis(std::chrono::milliseconds duration) { return static_cast<int64_t>(duration.count()); }

template <typename Command>
Command ForOrder(const SagaRow& saga) {
  Command command;
  command.set_order_id(saga.order_id);
  return command;
}

// A stock command with the order's lines, so inventory visits only the shards that hold them.
template <typename Command>
Command ForStock(const SagaRow& saga) {
  auto command = ForOrder<Command>(saga);
  *command.mutable_lines() = saga.placed.lines();
  return command;
}

template <typename Command>
Command ForPayment(const SagaRow& saga) {
  auto command = ForOrder<Command>(saga);
  command.set_customer_id(saga.customer_id);
  return command;
}

}  // namespace

std::string SagaEngine::SagaIdFor(const std::string& order_id) { return NameBasedUuid("saga\n" + order_id); }

pg::Result SendLockSaga(pg::Transaction& tx, const std::string& order_id) {
  return tx.Exec("SELECT saga_id, customer_id, state, placed FROM saga_instances WHERE order_id = $1 FOR UPDATE",
                 {order_id});
}

std::optional<SagaRow> ReadSaga(const pg::Result& locked, const std::string& order_id) {
  if (locked.empty()) return std::nullopt;
  SagaRow saga{locked[0].String(0), order_id, locked[0].String(1), v1::SAGA_STATE_UNSPECIFIED, {}};
  if (!v1::SagaState_Parse(locked[0].String(2), &saga.state) || !saga.placed.ParseFromString(locked[0].Bytes(3))) {
    throw Internal("saga of order " + order_id + " is corrupt");
  }
  return saga;
}

std::optional<SagaRow> LockSaga(pg::Transaction& tx, const std::string& order_id) {
  return ReadSaga(SendLockSaga(tx, order_id), order_id);
}

void SagaEngine::Send(pg::Transaction& tx, const SagaRow& saga, const v1::Envelope& cause,
                      const google::protobuf::Message& command, const std::string& name, bool compensation,
                      bool timed) {
  SendFor(tx, saga.saga_id, saga.order_id, cause, command, name, compensation, timed);
}

void SagaEngine::SendStep(pg::Transaction& tx, const std::string& saga_id, const std::string& order_id,
                          const v1::Envelope& cause, const google::protobuf::Message& command,
                          const std::string& name) {
  SendFor(tx, saga_id, order_id, cause, command, name, false, false);
}

bool SagaEngine::SettleStep(pg::Transaction& tx, const std::string& saga_id, const std::string& name,
                            const v1::Envelope& answer, v1::StepOutcome outcome, const std::string& detail) {
  return ReadSettled(tx, saga_id, name, outcome, SendSettle(tx, saga_id, name, answer, outcome, detail)).has_value();
}

void SagaEngine::SendFor(pg::Transaction& tx, const std::string& saga_id, const std::string& order_id,
                         const v1::Envelope& cause, const google::protobuf::Message& command, const std::string& name,
                         bool compensation, bool timed) {
  (void)AppendStep(tx, saga_id, CommandEnvelope(saga_id, order_id, cause, command), name, compensation, timed, {});
}

v1::Envelope SagaEngine::CommandEnvelope(const std::string& saga_id, const std::string& order_id,
                                         const v1::Envelope& cause, const google::protobuf::Message& command) {
  messaging::EnvelopeContext context = messaging::CausedBy(cause);
  context.order_id = order_id;
  context.saga_id = saga_id;
  return messaging::MakeEnvelope(command, context, ids_, clock_);
}

pg::Result SagaEngine::AppendStep(pg::Transaction& tx, const std::string& saga_id, const v1::Envelope& envelope,
                                  const std::string& name, bool compensation, bool timed, StepGuard guard) {
  // The outbox row, and the step with what it sent, its first resend and, for a timed one
  // (timeout > 0), its deadline: one statement. $3 and $4 are the message's id and bytes.
  const std::string step =
      guard.with +
      "step AS ("
      "  INSERT INTO saga_steps (saga_id, sequence, name, command_type, command_message_id, outcome, compensation, "
      "                          command, resend_at, due_at) "
      "  SELECT $5, (SELECT coalesce(max(sequence), 0) + 1 FROM saga_steps WHERE saga_id = $5), $6, $7, $3::uuid, $8, "
      "         $9, $4, now() + make_interval(secs => $11::double precision / 1000), "
      "         CASE WHEN $10::double precision > 0 THEN now() + make_interval(secs => $10::double precision / 1000) END" +
      (guard.condition.empty() ? "" : " WHERE " + guard.condition) + " RETURNING 1)";
  std::vector<pg::Param> params{saga_id, name, envelope.type(), kPending, compensation,
                                timed ? Millis(settings_.step_timeout) : int64_t{0}, Millis(settings_.resend_after)};
  params.insert(params.end(), std::make_move_iterator(guard.params.begin()), std::make_move_iterator(guard.params.end()));
  return messaging::AppendToOutboxWith(tx, kafka_.Topic(TopicOf(envelope.type())), envelope, step, std::move(params),
                                       guard.condition.empty() ? "" : "EXISTS (SELECT 1 FROM step)");
}

void SagaEngine::Resend(pg::Transaction& tx, const std::string& saga_id, int sequence) {
  const pg::Result step = tx.Exec(
      "SELECT name, command, attempts FROM saga_steps WHERE saga_id = $1 AND sequence = $2 AND outcome = $3",
      {saga_id, sequence, kPending});
  if (step.empty()) return;
  const std::string name = step[0].String(0);
  const int64_t attempts = step[0].Int(2) + 1;
  // The wait before the next try doubles with each one, up to resend_max_interval.
  const int64_t next_ms = Millis(std::min(settings_.resend_max_interval,
                                          settings_.resend_after * (int64_t{1} << std::min<int64_t>(attempts - 1, 20))));
  tx.Exec(
      "UPDATE saga_steps SET attempts = $3, resend_at = now() + make_interval(secs => $4::double precision / 1000) "
      "WHERE saga_id = $1 AND sequence = $2",
      {saga_id, sequence, attempts, next_ms});
  v1::Envelope envelope = messaging::Decode(step[0].Bytes(1));
  envelope.set_message_id(ids_.Next());
  messaging::AppendToOutbox(tx, kafka_.Topic(TopicOf(envelope.type())), envelope);
  const bool stuck = attempts >= settings_.stuck_after_attempts;
  tx.AfterCommit([this, name, stuck] { stats_.StepResent(name, stuck); });
  if (stuck) {
    spdlog::warn("saga {} step {} stuck: sent {} times without a reply", saga_id, name, attempts);
  } else {
    spdlog::info("saga {} step {}: no reply yet, sent again (try {})", saga_id, name, attempts);
  }
}

// Settles the pending step $2 of saga $1 with outcome $3, reply type $4 and detail $5 ($6: pending),
// dropping its deadline, if any; a statement goes on with "SELECT ... FROM settled".
constexpr const char* kSettle =
    "WITH settled AS ("
    "  UPDATE saga_steps SET outcome = $3, reply_type = $4, detail = $5, finished_at = now(), resend_at = NULL, "
    "                        due_at = NULL "
    "  WHERE saga_id = $1 AND name = $2 AND outcome = $6 "
    "  RETURNING sequence, (extract(epoch FROM finished_at - started_at) * 1000)::bigint AS latency_ms) ";

pg::Result SagaEngine::SendSettle(pg::Transaction& tx, const std::string& saga_id, const std::string& name,
                                  const v1::Envelope& reply, v1::StepOutcome outcome, const std::string& detail) {
  // The step settles and the other hold is read as it was: one statement.
  const std::string other = name == kReserve ? kAuthorize : name == kAuthorize ? kReserve : "";
  return tx.Exec(std::string(kSettle) +
                     "SELECT s.sequence, s.latency_ms, o.outcome, o.detail FROM settled s "
                     "LEFT JOIN saga_steps o ON o.saga_id = $1 AND o.name = $7 AND NOT o.compensation",
                 {saga_id, name, v1::StepOutcome_Name(outcome), reply.type(), detail, kPending, other});
}

std::optional<SagaEngine::Settlement> SagaEngine::ReadSettled(pg::Transaction& tx, const std::string& saga_id,
                                                              const std::string& name, v1::StepOutcome outcome,
                                                              const pg::Result& settled) {
  if (settled.empty()) return std::nullopt;
  tx.AfterCommit([this, name, latency = settled[0].Int(1)] { stats_.StepSettled(name, latency); });
  spdlog::debug("saga {} step {} {} after {} ms", saga_id, name, v1::StepOutcome_Name(outcome), settled[0].Int(1));
  Settlement settlement;
  if (!settled[0].IsNull(2)) {
    v1::StepOutcome_Parse(settled[0].String(2), &settlement.other_hold);
    settlement.other_detail = settled[0].String(3);
  }
  return settlement;
}

void SagaEngine::Answered(pg::Transaction& tx, SagaRow& saga, const std::string& name, const v1::Envelope& reply,
                          v1::StepOutcome outcome, const std::string& detail, const pg::Result& settle) {
  const bool held = outcome == v1::STEP_OUTCOME_SUCCEEDED;
  const std::optional<Settlement> settled = ReadSettled(tx, saga.saga_id, name, outcome, settle);
  if (!settled) {
    if (held) Compensate(tx, saga, reply);
    return;
  }
  const auto compensated = v1::STEP_OUTCOME_COMPENSATED;
  // Stock's verdict comes first: a rejection aborts at once, while a decline waits for the
  // reservation's answer, so an order short of both is always rejected for stock.
  if (name == kReserve && !held) return Abort(tx, saga, reply, v1::REJECT_REASON_OUT_OF_STOCK, detail, compensated);
  if (settled->other_hold == v1::STEP_OUTCOME_PENDING) {
    const auto waiting = name == kReserve ? v1::SAGA_STATE_AUTHORIZING_PAYMENT : v1::SAGA_STATE_RESERVING_STOCK;
    if (held && saga.state != waiting) SetState(tx, saga, waiting);
    return;
  }
  if (!held) return Abort(tx, saga, reply, v1::REJECT_REASON_PAYMENT_DECLINED, detail, compensated);
  if (settled->other_hold == v1::STEP_OUTCOME_FAILED) {
    return Abort(tx, saga, reply, v1::REJECT_REASON_PAYMENT_DECLINED, settled->other_detail, compensated);
  }
  Confirm(tx, saga, reply);
}

void SagaEngine::SetState(pg::Transaction& tx, SagaRow& saga, v1::SagaState state) {
  saga.state = state;
  const pg::Result updated = tx.Exec(
      "UPDATE saga_instances SET state = $2, updated_at = now() WHERE saga_id = $1 "
      "RETURNING (extract(epoch FROM updated_at - created_at) * 1000)::bigint",
      {saga.saga_id, v1::SagaState_Name(state)});
  if (!Terminal(state)) return;
  // The duration is read after the commit, so the update costs no round trip of its own.
  tx.AfterCommit([this, state, updated, saga_id = saga.saga_id, order_id = saga.order_id] {
    const int64_t duration = updated.One().Int(0);
    stats_.SagaEnded(state, duration);
    spdlog::debug("saga {} of order {} ended {} after {} ms", saga_id, order_id, v1::SagaState_Name(state), duration);
  });
}

void SagaEngine::Start(pg::Transaction& tx, const v1::Envelope& event) {
  const auto placed = Payload<v1::OrderPlaced>(event);
  const SagaRow saga{SagaIdFor(event.order_id()), event.order_id(), placed.customer_id(),
                     v1::SAGA_STATE_RESERVING_STOCK, placed};
  // The saga with its first step, then the second step only if a step names the first command: a
  // repeated OrderPlaced (ON CONFLICT) sends nothing, and nothing in between waits for a read.
  const v1::Envelope reserve = CommandEnvelope(saga.saga_id, saga.order_id, event, ForStock<v1::ReserveStock>(saga));
  const pg::Result started = AppendStep(
      tx, saga.saga_id, reserve, kReserve, false, true,
      {"saga AS (INSERT INTO saga_instances (saga_id, order_id, customer_id, state, placed) "
       "VALUES ($5, $12, $13, $14, $15) ON CONFLICT (order_id) DO NOTHING RETURNING 1), ",
       "EXISTS (SELECT 1 FROM saga)",
       {saga.order_id, saga.customer_id, v1::SagaState_Name(saga.state), pg::Param::Bytes(placed.SerializeAsString())}});
  auto authorize = ForPayment<v1::AuthorizePayment>(saga);
  *authorize.mutable_amount() = placed.total();
  (void)AppendStep(tx, saga.saga_id, CommandEnvelope(saga.saga_id, saga.order_id, event, authorize), kAuthorize, false,
                   true,
                   {"", "EXISTS (SELECT 1 FROM saga_steps WHERE saga_id = $5 AND command_message_id = $12::uuid::text)",
                    {reserve.message_id()}});
  tx.AfterCommit([this, started] {
    if (!started.empty()) stats_.SagaStarted();
  });
}

void SagaEngine::Confirm(pg::Transaction& tx, SagaRow& saga, const v1::Envelope& cause) {
  Send(tx, saga, cause, ForOrder<v1::ConfirmOrder>(saga), "confirm_order", false, false);
  Send(tx, saga, cause, ForPayment<v1::CapturePayment>(saga), "capture_payment", false, false);
  Send(tx, saga, cause, ForStock<v1::CommitStock>(saga), "commit_stock", false, false);
  SetState(tx, saga, v1::SAGA_STATE_CONFIRMED);
}

void SagaEngine::Abort(pg::Transaction& tx, SagaRow& saga, const v1::Envelope& cause, v1::RejectReason reason,
                       const std::string& detail, v1::StepOutcome pending_outcome) {
  // Undo what may have happened: a step that succeeded or is still in flight, not one that failed.
  const pg::Result steps = tx.Exec(
      "SELECT name FROM saga_steps WHERE saga_id = $1 AND NOT compensation AND outcome <> $2",
      {saga.saga_id, v1::StepOutcome_Name(v1::STEP_OUTCOME_FAILED)});
  bool payment = false;
  bool stock = false;
  for (size_t i = 0; i < steps.size(); ++i) {
    payment = payment || steps[i].String(0) == kAuthorize;
    stock = stock || steps[i].String(0) == kReserve;
  }
  tx.Exec("UPDATE saga_steps SET outcome = $2, finished_at = now(), resend_at = NULL, due_at = NULL "
          "WHERE saga_id = $1 AND outcome = $3",
          {saga.saga_id, v1::StepOutcome_Name(pending_outcome), kPending});
  if (payment) Send(tx, saga, cause, ForPayment<v1::VoidPayment>(saga), "void_payment", true, false);
  if (stock) Send(tx, saga, cause, ForStock<v1::ReleaseStock>(saga), "release_stock", true, false);
  auto reject = ForOrder<v1::RejectOrder>(saga);
  reject.set_reason(reason);
  reject.set_detail(detail);
  Send(tx, saga, cause, reject, "reject_order", false, false);
  SetState(tx, saga,
           reason == v1::REJECT_REASON_CANCELLED_BY_CUSTOMER ? v1::SAGA_STATE_CANCELLED : v1::SAGA_STATE_REJECTED);
}

void SagaEngine::Compensate(pg::Transaction& tx, const SagaRow& saga, const v1::Envelope& late_reply) {
  // Only an aborted saga undoes late successes; a confirmed one keeps them.
  if (saga.state != v1::SAGA_STATE_REJECTED && saga.state != v1::SAGA_STATE_CANCELLED) return;
  spdlog::warn("saga {}: late {} compensated", saga.saga_id, late_reply.type());
  if (Is<v1::StockReserved>(late_reply)) {
    Send(tx, saga, late_reply, ForStock<v1::ReleaseStock>(saga), "release_stock", true, false);
  }
  if (Is<v1::PaymentAuthorized>(late_reply)) {
    Send(tx, saga, late_reply, ForPayment<v1::VoidPayment>(saga), "void_payment", true, false);
  }
}

void SagaEngine::OnOrderEvent(pg::Transaction& tx, const v1::Envelope& event) {
  if (Is<v1::OrderPlaced>(event)) return Start(tx, event);
  if (Is<v1::OrderCancellationRequested>(event)) {
    auto saga = LockSaga(tx, event.order_id());
    if (saga && !Terminal(saga->state)) {
      Abort(tx, *saga, event, v1::REJECT_REASON_CANCELLED_BY_CUSTOMER, "cancelled by the customer",
            v1::STEP_OUTCOME_COMPENSATED);
    }
    return;
  }
  const bool rejected = Is<v1::OrderRejected>(event) || Is<v1::OrderCancelled>(event);
  if (!rejected && !Is<v1::OrderConfirmed>(event)) return;  // another order event: not a step's answer
  // An order this orchestrator does not drive has no saga: nothing to settle.
  SettleOnly(tx, event, rejected ? "reject_order" : "confirm_order", v1::STEP_OUTCOME_SUCCEEDED, "", false);
}

void SagaEngine::OnReply(pg::Transaction& tx, const v1::Envelope& reply) {
  const ReplyRule* rule = RuleFor(reply.type());
  if (rule == nullptr) throw messaging::PoisonMessage("envelope.type", "the orchestrator does not handle " + reply.type());
  const std::string detail = rule->detail ? rule->detail(reply) : "";
  if (!rule->hold) return SettleOnly(tx, reply, rule->step, rule->outcome, detail, true);
  if (!SettleHold(tx, reply, rule->step, rule->outcome, detail)) {
    spdlog::warn("{} for order {} matches no saga; ignored", reply.type(), reply.order_id());
  }
}

void SagaEngine::SettleOnly(pg::Transaction& tx, const v1::Envelope& answer, const std::string& step,
                            v1::StepOutcome outcome, const std::string& detail, bool warn_without_saga) {
  // Nothing later in the transaction reads the outcome, so it is read after the commit, where it
  // costs no round trip. The step's row lock is enough: the saga's lock would cost a statement.
  const pg::Result settled = tx.Exec(
      std::string(kSettle) +
          "SELECT (SELECT latency_ms FROM settled LIMIT 1), EXISTS (SELECT 1 FROM saga_instances WHERE saga_id = $1)",
      {SagaIdFor(answer.order_id()), step, v1::StepOutcome_Name(outcome), answer.type(), detail, kPending});
  tx.AfterCommit([this, settled, step, warn_without_saga, type = answer.type(), order_id = answer.order_id()] {
    const pg::Row row = settled.One();
    if (!row.IsNull(0)) {
      stats_.StepSettled(step, row.Int(0));
    } else if (warn_without_saga && !row.Bool(1)) {
      spdlog::warn("{} for order {} matches no saga; ignored", type, order_id);
    }
  });
}

bool SagaEngine::SettleHold(pg::Transaction& tx, const v1::Envelope& answer, const std::string& step,
                            v1::StepOutcome outcome, const std::string& detail) {
  const std::string saga_id = SagaIdFor(answer.order_id());
  // The saga's lock and the step's settlement go out together: one round trip. The settlement
  // names the saga by the id its order determines, so without a saga it changes nothing.
  const pg::Result locked = SendLockSaga(tx, answer.order_id());
  const pg::Result settled = SendSettle(tx, saga_id, step, answer, outcome, detail);
  auto saga = ReadSaga(locked, answer.order_id());
  if (!saga) return false;
  Answered(tx, *saga, step, answer, outcome, detail, settled);
  return true;
}

void SagaEngine::OnTimeout(pg::Transaction& tx, const std::string& saga_id, int sequence) {
  const pg::Result step = tx.Exec(
      "SELECT s.order_id, st.name, st.outcome FROM saga_steps st JOIN saga_instances s USING (saga_id) "
      "WHERE st.saga_id = $1 AND st.sequence = $2",
      {saga_id, sequence});
  tx.Exec("UPDATE saga_steps SET due_at = NULL WHERE saga_id = $1 AND sequence = $2", {saga_id, sequence});
  if (step.empty() || step[0].String(2) != kPending) return;
  auto saga = LockSaga(tx, step[0].String(0));
  if (!saga || Terminal(saga->state)) return;
  v1::Envelope timer;  // the cause of what the timeout sends
  timer.set_order_id(saga->order_id);
  timer.set_saga_id(saga->saga_id);
  timer.set_correlation_id(saga->saga_id);
  // A decline that waited for the reservation's answer is still the reason when that answer never comes.
  const pg::Result declined = tx.Exec("SELECT detail FROM saga_steps WHERE saga_id = $1 AND name = $2 AND outcome = $3",
                                      {saga_id, kAuthorize, v1::StepOutcome_Name(v1::STEP_OUTCOME_FAILED)});
  if (!declined.empty()) {
    return Abort(tx, *saga, timer, v1::REJECT_REASON_PAYMENT_DECLINED, declined[0].String(0),
                 v1::STEP_OUTCOME_TIMED_OUT);
  }
  Abort(tx, *saga, timer, v1::REJECT_REASON_TIMEOUT, "step " + step[0].String(1) + " timed out",
        v1::STEP_OUTCOME_TIMED_OUT);
}

}  // namespace orderly::orchestrator
