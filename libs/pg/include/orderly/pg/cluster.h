#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "orderly/pg/errors.h"
#include "orderly/pg/settings.h"
#include "orderly/pg/transaction.h"

namespace orderly::pg {

/// Connection counts of one shard's pool.
struct PoolStats {
  size_t open = 0;
  size_t idle = 0;
};

/// All shards of one service: a bounded connection pool per shard, the hash ring, and transactions
/// with retries. Connections use `schema` as their search_path, so each service sees its own tables.
/// Thread-safe.
class Cluster final {
 public:
  /// Connects once to every shard to fail fast.
  /// @throws ConnectionError naming the unreachable shard.
  Cluster(const Settings& settings, std::string schema);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  [[nodiscard]] size_t shard_count() const;
  [[nodiscard]] size_t ShardFor(std::string_view key) const;
  [[nodiscard]] const ShardSettings& shard(size_t index) const;
  [[nodiscard]] const std::string& schema() const;
  [[nodiscard]] PoolStats Stats(size_t shard) const;

  /// Runs `fn(Transaction&)` in a transaction on `shard` and commits it. Serialization failures,
  /// deadlocks and broken connections rerun `fn` from the start (up to max_attempts, jittered
  /// backoff), so `fn` must have no effects outside the transaction. Returns what `fn` returns.
  /// Blocks for the statements and for a free connection (acquire_timeout).
  /// @throws whatever `fn` throws; PoolExhausted, ConnectionError, CommitInDoubt, ServerError.
  template <typename Fn>
  auto Transact(size_t shard, Fn&& fn, TxOptions options = {}) {
    using R = std::invoke_result_t<Fn&, Transaction&>;
    if constexpr (std::is_void_v<R>) {
      RunTransaction(shard, fn, options);
    } else {
      std::optional<R> out;
      RunTransaction(shard, [&](Transaction& tx) { out.emplace(fn(tx)); }, options);
      return std::move(*out);
    }
  }

 private:
  void RunTransaction(size_t shard, const std::function<void(Transaction&)>& fn, const TxOptions& options);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::pg
