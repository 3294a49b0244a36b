#include "ledger.h"

namespace orderly::payment {

std::string AvailableAccount(const std::string& customer_id) { return "customer:" + customer_id + ":available"; }
std::string HeldAccount(const std::string& customer_id) { return "customer:" + customer_id + ":held"; }

void RecordMovement(pg::Transaction& tx, UuidV7Generator& ids, const std::string& customer_id, const Movement& movement,
                    int64_t amount, const std::string& currency, const std::string& order_id,
                    const std::string& operation) {
  tx.Exec(R"(INSERT INTO ledger_entries (transaction_id, customer_id, account, amount, currency, order_id, operation)
             VALUES ($1, $2, $3, $4, $6, $7, $8), ($1, $2, $5, -$4::bigint, $6, $7, $8))",
          {ids.Next(), customer_id, movement.to, amount, movement.from, currency, order_id, operation});
}

}  // namespace orderly::payment
