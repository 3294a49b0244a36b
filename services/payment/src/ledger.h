#pragma once

#include <string>
#include <vector>

#include "orderly/common/ids.h"
#include "orderly/pg/transaction.h"

namespace orderly::payment {

/// Ledger account names.
[[nodiscard]] std::string AvailableAccount(const std::string& customer_id);
[[nodiscard]] std::string HeldAccount(const std::string& customer_id);
inline constexpr const char* kMerchantRevenue = "merchant:revenue";
inline constexpr const char* kExternalDeposits = "external:deposits";

/// One movement of `amount` from one ledger account to another.
struct Movement {
  std::string from;
  std::string to;
};

/// Writes one balanced ledger transaction (a debit and a credit of `amount`) in `tx`.
void RecordMovement(pg::Transaction& tx, UuidV7Generator& ids, const std::string& customer_id, const Movement& movement,
                    int64_t amount, const std::string& currency, const std::string& order_id,
                    const std::string& operation);

}  // namespace orderly::payment
