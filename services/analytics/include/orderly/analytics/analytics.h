#pragma once

#include "orderly/app/service_main.h"

namespace orderly::analytics {

/// The analytics service: consumes order.events (its own consumer group) into one-minute sales
/// windows by event time, stored on one shard and changed exactly once per event (inbox in the same
/// transaction); gRPC AnalyticsService reads them.
[[nodiscard]] app::ServiceDefinition Definition();

/// Analytics' SQL migrations (compiled in from services/analytics/migrations).
[[nodiscard]] pg::MigrationSet Migrations();

}  // namespace orderly::analytics
