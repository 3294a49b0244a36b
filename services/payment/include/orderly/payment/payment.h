#pragma once

#include "orderly/app/service_main.h"

namespace orderly::payment {

/// The payment service: accounts, payments and a double-entry ledger on shard(customer_id);
/// gRPC PaymentService; consumes payment.commands and replies on saga.replies.
[[nodiscard]] app::ServiceDefinition Definition();

/// Payment's SQL migrations (compiled in from services/payment/migrations).
[[nodiscard]] pg::MigrationSet Migrations();

}  // namespace orderly::payment
