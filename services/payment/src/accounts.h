#pragma once

#include <string>
#include <vector>

#include "orderly/common/ids.h"
#include "orderly/pg/cluster.h"
#include "orderly/v1/payment.pb.h"

namespace orderly::payment {

/// Customer accounts and their ledger, on shard(customer_id). Thread-safe.
class Accounts final {
 public:
  Accounts(pg::Cluster& cluster, const Clock& clock) : cluster_(cluster), ids_(clock) {}

  /// @throws AlreadyExists if the customer has an account in that currency.
  v1::Account Open(const std::string& customer_id, const std::string& currency);
  /// Credits `amount` from outside (one ledger transaction). A repeated idempotency key changes
  /// nothing. @throws NotFound without an account in amount's currency; InvalidArgument if the
  /// key was used for a different deposit.
  v1::Account Deposit(const std::string& customer_id, const v1::Money& amount, const std::string& idempotency_key);
  /// @throws NotFound.
  [[nodiscard]] v1::Account Get(const std::string& customer_id, const std::string& currency);
  /// Ledger entries of the customer's transactions with entry_id > `after`, oldest first.
  [[nodiscard]] std::vector<v1::LedgerEntry> Ledger(const std::string& customer_id, int64_t after, int limit);

 private:
  pg::Cluster& cluster_;
  UuidV7Generator ids_;
};

/// The account row as seen in `tx`; std::nullopt if there is none. SendReadAccount sends the read
/// and AccountFrom reads its result, so other statements can go out in between.
[[nodiscard]] std::optional<v1::Account> ReadAccount(pg::Transaction& tx, const std::string& customer_id,
                                                     const std::string& currency);
[[nodiscard]] pg::Result SendReadAccount(pg::Transaction& tx, const std::string& customer_id,
                                         const std::string& currency);
[[nodiscard]] std::optional<v1::Account> AccountFrom(const pg::Result& result, const std::string& customer_id,
                                                     const std::string& currency);

}  // namespace orderly::payment
