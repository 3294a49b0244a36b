#include "grpc_service.h"

#include <algorithm>

#include "orderly/common/validate.h"
#include "orderly/rpc/status.h"

namespace orderly::orchestrator {
namespace {

void SetTime(google::protobuf::Timestamp* timestamp, int64_t millis) {
  timestamp->set_seconds(millis / 1000);
  timestamp->set_nanos(static_cast<int32_t>(millis % 1000) * 1'000'000);
}

// Order and refund sagas alike (the view sagas, migration 0004).
constexpr const char* kSagaColumns =
    "SELECT saga_id, order_id, state, (extract(epoch FROM created_at) * 1000)::bigint, "
    "(extract(epoch FROM updated_at) * 1000)::bigint, refund_id FROM sagas";

// The sagas of `rows` (saga columns as above), each with its steps.
std::vector<v1::Saga> WithSteps(pg::Transaction& tx, const pg::Result& rows) {
  std::vector<v1::Saga> sagas;
  for (size_t i = 0; i < rows.size(); ++i) {
    v1::Saga saga;
    saga.set_saga_id(rows[i].String(0));
    saga.set_order_id(rows[i].String(1));
    v1::SagaState state = v1::SAGA_STATE_UNSPECIFIED;
    v1::SagaState_Parse(rows[i].String(2), &state);
    saga.set_state(state);
    SetTime(saga.mutable_created_at(), rows[i].Int(3));
    SetTime(saga.mutable_updated_at(), rows[i].Int(4));
    saga.set_refund_id(rows[i].String(5));
    const pg::Result steps = tx.Exec(
        "SELECT sequence, name, command_type, command_message_id, reply_type, outcome, detail, compensation, "
        "(extract(epoch FROM started_at) * 1000)::bigint, (extract(epoch FROM finished_at) * 1000)::bigint, attempts "
        "FROM saga_steps WHERE saga_id = $1 ORDER BY sequence",
        {saga.saga_id()});
    for (size_t j = 0; j < steps.size(); ++j) {
      v1::SagaStep* step = saga.add_steps();
      step->set_sequence(static_cast<int32_t>(steps[j].Int(0)));
      step->set_name(steps[j].String(1));
      step->set_command_type(steps[j].String(2));
      step->set_command_message_id(steps[j].String(3));
      step->set_reply_type(steps[j].String(4));
      v1::StepOutcome outcome = v1::STEP_OUTCOME_UNSPECIFIED;
      v1::StepOutcome_Parse(steps[j].String(5), &outcome);
      step->set_outcome(outcome);
      step->set_detail(steps[j].String(6));
      step->set_compensation(steps[j].Bool(7));
      SetTime(step->mutable_started_at(), steps[j].Int(8));
      if (!steps[j].IsNull(9)) SetTime(step->mutable_finished_at(), steps[j].Int(9));
      step->set_attempts(static_cast<int32_t>(steps[j].Int(10)));
    }
    sagas.push_back(std::move(saga));
  }
  return sagas;
}

}  // namespace

rpc::AccessTable GrpcService::Access() {
  using rpc::Access;
  using rpc::RateGroup;
  return rpc::ServiceAccess(v1::SagaService::service_full_name(),
                            {{"GetSaga", {Access::kAdmin, RateGroup::kWrite}},
                             {"ListSagas", {Access::kAdmin, RateGroup::kWrite}}});
}

grpc::ServerUnaryReactor* GrpcService::GetSaga(grpc::CallbackServerContext* context, const v1::GetSagaRequest* request,
                                               v1::GetSagaResponse* response) {
  return rpc::FinishUnary(context, [&] {
    const bool by_order = !request->order_id().empty();
    if (!by_order && request->saga_id().empty()) throw InvalidArgument("saga_id or order_id", "one must be set");
    if (by_order) {
      validate::Identifier("order_id", request->order_id(), 128);
    } else {
      validate::Identifier("saga_id", request->saga_id(), 128);
    }
    const std::string key = by_order ? request->order_id() : request->saga_id();
    // By order: the order's own saga, not its refunds'.
    const std::string where = by_order ? " WHERE order_id = $1 AND refund_id = ''" : " WHERE saga_id = $1";
    for (size_t shard = 0; shard < cluster_.shard_count(); ++shard) {
      if (by_order && shard != cluster_.ShardFor(key)) continue;
      auto sagas = cluster_.Transact(
          shard, [&](pg::Transaction& tx) { return WithSteps(tx, tx.Exec(kSagaColumns + where, {key})); },
          {pg::Isolation::kRepeatableRead, true});
      if (!sagas.empty()) {
        *response->mutable_saga() = std::move(sagas.front());
        return;
      }
    }
    throw NotFound("no saga for " + std::string(by_order ? "order '" : "saga '") + key + "'");
  });
}

grpc::ServerUnaryReactor* GrpcService::ListSagas(grpc::CallbackServerContext* context,
                                                 const v1::ListSagasRequest* request,
                                                 v1::ListSagasResponse* response) {
  return rpc::FinishUnary(context, [&] {
    const int size = validate::PageSize("page_size", request->page_size());
    if (!request->page_token().empty()) validate::Identifier("page_token", request->page_token(), 128);
    if (!v1::SagaState_IsValid(request->state())) {
      throw InvalidArgument("state", "is not a SagaState: " + std::to_string(request->state()));
    }
    const bool all = request->state() == v1::SAGA_STATE_UNSPECIFIED;
    std::vector<v1::Saga> sagas;
    for (size_t shard = 0; shard < cluster_.shard_count(); ++shard) {
      auto page = cluster_.Transact(
          shard,
          [&](pg::Transaction& tx) {
            return WithSteps(
                tx, tx.Exec(std::string(kSagaColumns) +
                                " s WHERE saga_id > $1 AND ($2 OR state = $3) AND (NOT $5 OR EXISTS ("
                                "  SELECT 1 FROM saga_steps st WHERE st.saga_id = s.saga_id AND st.outcome = $6 "
                                "  AND st.attempts >= $7)) ORDER BY saga_id LIMIT $4",
                            {request->page_token(), all, v1::SagaState_Name(request->state()), size + 1,
                             request->stuck(), v1::StepOutcome_Name(v1::STEP_OUTCOME_PENDING), stuck_after_attempts_}));
          },
          {pg::Isolation::kRepeatableRead, true});
      std::move(page.begin(), page.end(), std::back_inserter(sagas));
    }
    std::sort(sagas.begin(), sagas.end(), [](const auto& a, const auto& b) { return a.saga_id() < b.saga_id(); });
    if (sagas.size() > static_cast<size_t>(size)) {
      sagas.resize(static_cast<size_t>(size));
      response->set_next_page_token(sagas.back().saga_id());
    }
    for (auto& saga : sagas) *response->add_sagas() = std::move(saga);
  });
}

}  // namespace orderly::orchestrator
