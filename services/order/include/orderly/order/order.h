#pragma once

#include "orderly/app/service_main.h"

namespace orderly::order {

/// The order service: event-sourced orders on shard(order_id) with a projection for reads;
/// gRPC OrderService; prices lines through inventory; consumes order.commands, publishes order.events.
[[nodiscard]] app::ServiceDefinition Definition();

/// Order's SQL migrations (compiled in from services/order/migrations).
[[nodiscard]] pg::MigrationSet Migrations();

}  // namespace orderly::order
