#include "accounts.h"

#include "ledger.h"

namespace orderly::payment {
namespace {

void SetMoney(v1::Money* money, int64_t minor_units, const std::string& currency) {
  money->set_minor_units(minor_units);
  money->set_currency(currency);
}

}  // namespace

pg::Result SendReadAccount(pg::Transaction& tx, const std::string& customer_id, const std::string& currency) {
  return tx.Exec(
      "SELECT available, held, (extract(epoch FROM created_at) * 1000)::bigint FROM accounts "
      "WHERE customer_id = $1 AND currency = $2",
      {customer_id, currency});
}

std::optional<v1::Account> AccountFrom(const pg::Result& result, const std::string& customer_id,
                                       const std::string& currency) {
  if (result.empty()) return std::nullopt;
  v1::Account account;
  account.set_customer_id(customer_id);
  account.set_currency(currency);
  SetMoney(account.mutable_available(), result[0].Int(0), currency);
  SetMoney(account.mutable_held(), result[0].Int(1), currency);
  const int64_t millis = result[0].Int(2);
  account.mutable_created_at()->set_seconds(millis / 1000);
  account.mutable_created_at()->set_nanos(static_cast<int32_t>(millis % 1000) * 1'000'000);
  return account;
}

std::optional<v1::Account> ReadAccount(pg::Transaction& tx, const std::string& customer_id, const std::string& currency) {
  return AccountFrom(SendReadAccount(tx, customer_id, currency), customer_id, currency);
}

v1::Account Accounts::Open(const std::string& customer_id, const std::string& currency) {
  return cluster_.Transact(cluster_.ShardFor(customer_id), [&](pg::Transaction& tx) {
    const pg::Result created = tx.Exec(
        "INSERT INTO accounts (customer_id, currency) VALUES ($1, $2) ON CONFLICT DO NOTHING", {customer_id, currency});
    if (created.affected_rows() == 0) {
      throw AlreadyExists("customer '" + customer_id + "' already has a " + currency + " account");
    }
    return *ReadAccount(tx, customer_id, currency);
  });
}

v1::Account Accounts::Deposit(const std::string& customer_id, const v1::Money& amount,
                              const std::string& idempotency_key) {
  return cluster_.Transact(cluster_.ShardFor(customer_id), [&](pg::Transaction& tx) {
    const std::string& currency = amount.currency();
    if (!ReadAccount(tx, customer_id, currency)) {
      throw NotFound("customer '" + customer_id + "' has no " + currency + " account");
    }
    if (!idempotency_key.empty()) {
      const pg::Result claimed = tx.Exec(
          "INSERT INTO deposits (idempotency_key, customer_id, amount, currency) VALUES ($1, $2, $3, $4) "
          "ON CONFLICT DO NOTHING",
          {idempotency_key, customer_id, amount.minor_units(), currency});
      if (claimed.affected_rows() == 0) {
        const pg::Row first =
            tx.Exec("SELECT customer_id, amount, currency FROM deposits WHERE idempotency_key = $1", {idempotency_key})
                .One();
        if (first.String(0) != customer_id || first.Int(1) != amount.minor_units() || first.String(2) != currency) {
          throw InvalidArgument("idempotency_key", "was already used for a different deposit");
        }
        return *ReadAccount(tx, customer_id, currency);
      }
    }
    tx.Exec("UPDATE accounts SET available = available + $3 WHERE customer_id = $1 AND currency = $2",
            {customer_id, currency, amount.minor_units()});
    RecordMovement(tx, ids_, customer_id, {kExternalDeposits, AvailableAccount(customer_id)}, amount.minor_units(),
                   currency, "", "deposit");
    return *ReadAccount(tx, customer_id, currency);
  });
}

v1::Account Accounts::Get(const std::string& customer_id, const std::string& currency) {
  auto account = cluster_.Transact(
      cluster_.ShardFor(customer_id), [&](pg::Transaction& tx) { return ReadAccount(tx, customer_id, currency); },
      {pg::Isolation::kReadCommitted, true});
  if (!account) throw NotFound("customer '" + customer_id + "' has no " + currency + " account");
  return *account;
}

std::vector<v1::LedgerEntry> Accounts::Ledger(const std::string& customer_id, int64_t after, int limit) {
  const pg::Result result = cluster_.Transact(
      cluster_.ShardFor(customer_id),
      [&](pg::Transaction& tx) {
        return tx.Exec(
            "SELECT entry_id, transaction_id, account, amount, currency, order_id, operation, "
            "(extract(epoch FROM created_at) * 1000)::bigint FROM ledger_entries "
            "WHERE customer_id = $1 AND entry_id > $2 ORDER BY entry_id LIMIT $3",
            {customer_id, after, limit});
      },
      {pg::Isolation::kReadCommitted, true});
  std::vector<v1::LedgerEntry> entries;
  for (size_t i = 0; i < result.size(); ++i) {
    v1::LedgerEntry entry;
    entry.set_entry_id(result[i].Int(0));
    entry.set_transaction_id(result[i].String(1));
    entry.set_account(result[i].String(2));
    SetMoney(entry.mutable_amount(), result[i].Int(3), result[i].String(4));
    entry.set_order_id(result[i].String(5));
    entry.set_operation(result[i].String(6));
    entry.mutable_created_at()->set_seconds(result[i].Int(7) / 1000);
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace orderly::payment
