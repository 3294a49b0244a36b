#pragma once

#include "orderly/app/service_main.h"

namespace orderly::inventory {

/// The inventory service: products, stock and reservations on shard(sku); gRPC InventoryService;
/// consumes inventory.commands and replies on saga.replies.
[[nodiscard]] app::ServiceDefinition Definition();

/// Inventory's SQL migrations (compiled in from services/inventory/migrations).
[[nodiscard]] pg::MigrationSet Migrations();

}  // namespace orderly::inventory
