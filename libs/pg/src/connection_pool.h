#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <pqxx/connection>

#include "orderly/common/bounded_pool.h"
#include "orderly/metrics/metric.h"
#include "orderly/pg/cluster.h"

namespace orderly::pg::detail {

/// Opens a connection that does not silently reconnect (the pool replaces broken ones).
/// @throws ConnectionError naming the shard.
[[nodiscard]] std::unique_ptr<pqxx::connection> Connect(const std::string& dsn, const std::string& description);

/// The bounded connection pool of one shard. Thread-safe.
class ConnectionPool final {
 public:
  using Lease = BoundedPool<pqxx::connection>::Lease;

  /// Each Acquire's wait (connecting included) is observed in `wait_seconds`.
  ConnectionPool(std::string description, const std::string& dsn, size_t max_size,
                 std::chrono::milliseconds acquire_timeout, metrics::Histogram& wait_seconds);

  /// @throws PoolExhausted after acquire_timeout; ConnectionError if a new connection fails.
  Lease Acquire();
  [[nodiscard]] PoolStats Stats() const;

 private:
  const std::string description_;
  const size_t max_size_;
  const std::chrono::milliseconds acquire_timeout_;
  metrics::Histogram& wait_seconds_;
  BoundedPool<pqxx::connection> pool_;
};

}  // namespace orderly::pg::detail
