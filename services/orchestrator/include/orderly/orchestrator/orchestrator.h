#pragma once

#include "orderly/app/service_main.h"

namespace orderly::orchestrator {

/// The saga orchestrator: consumes order.events and saga.replies, drives each order's saga and each
/// refund's saga as a persisted state machine on shard(order_id), fires step timeouts, serves
/// SagaService.
[[nodiscard]] app::ServiceDefinition Definition();

/// The orchestrator's SQL migrations (compiled in from services/orchestrator/migrations).
[[nodiscard]] pg::MigrationSet Migrations();

}  // namespace orderly::orchestrator
