#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "orderly/pg/value.h"

namespace orderly::pg {

enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };

/// How Cluster::Transact runs a transaction.
struct TxOptions {
  Isolation isolation = Isolation::kReadCommitted;
  bool read_only = false;
  // A statement waiting longer than this for a lock fails (SQLSTATE 55P03); zero waits for ever.
  std::chrono::milliseconds lock_timeout{0};
};

class Cluster;
struct TransactionImpl;

/// An open transaction on one shard, handed to Cluster::Transact's callback. It commits when the
/// callback returns and rolls back when it throws. Not thread-safe; do not keep it beyond the callback.
class Transaction final {
 public:
  explicit Transaction(TransactionImpl& impl) : impl_(impl) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  /// Sends one statement with $n parameters (prepared on its connection the first time). It runs in
  /// order with the transaction's other statements, but its outcome is read only when the Result
  /// is first looked at, or at COMMIT: statements whose results nobody reads share one round trip.
  /// So its error may surface at a later read or at COMMIT, as the error of the first statement
  /// that failed; either way the transaction rolls back.
  /// @throws UniqueViolation, ServerError, ConnectionError (when sent, or from the Result).
  Result Exec(std::string_view sql, const std::vector<Param>& params = {});
  /// Runs a script of one or more statements without parameters (a migration) and waits for it.
  /// @throws ServerError, ConnectionError.
  void ExecScript(std::string_view sql);
  /// The shard it runs on, so work for other shards can tell it needs a transaction of its own.
  [[nodiscard]] size_t shard() const;
  /// The cluster it belongs to, so work attached to a cluster (its outbox relay) can find it.
  [[nodiscard]] const Cluster& cluster() const;
  /// Runs `action` right before COMMIT; if it throws, the transaction rolls back and the error
  /// propagates. Actions (and what they capture) are destroyed when the transaction ends, committed
  /// or not, after every AfterCommit action ran.
  void BeforeCommit(std::function<void()> action);
  /// A slot for state `owner` keeps for the rest of this transaction, e.g. changes it sums up and
  /// writes once in a BeforeCommit action: empty on the owner's first call, then what it stored.
  std::shared_ptr<void>& Local(const void* owner);
  /// Runs `action` once this transaction has committed (not if it rolls back or is retried), e.g.
  /// to invalidate a cache entry. An action that throws is logged, never propagated.
  void AfterCommit(std::function<void()> action);

 private:
  TransactionImpl& impl_;
};

}  // namespace orderly::pg
