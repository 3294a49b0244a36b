#pragma once

#include "orderly/app/service_main.h"

namespace orderly::orchestrator {

/// The saga orchestrator: consumes order.events and saga.replies, drives each order's saga as a
/// persisted state machine on shard(order_id), fires step timeouts, serves SagaService.
[[nodiscard]] app::ServiceDefinition Definition();

/// The orchestrator's SQL migrations (compiled in from services/orchestrator/migrations).
[[nodiscard]] pg::MigrationSet Migrations();

/// The service's gRPC handlers, consumers and timer sweeper on `runtime`.
[[nodiscard]] std::unique_ptr<app::ServiceModule> MakeModule(app::Runtime& runtime);

}  // namespace orderly::orchestrator
