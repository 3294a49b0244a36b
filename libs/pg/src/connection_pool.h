#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "orderly/common/bounded_pool.h"
#include "orderly/metrics/metric.h"
#include "connection.h"
#include "orderly/pg/cluster.h"

namespace orderly::pg::detail {

/// The bounded connection pool of one shard. Thread-safe.
class ConnectionPool final {
 public:
  using Lease = BoundedPool<Connection>::Lease;

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
  BoundedPool<Connection> pool_;
};

}  // namespace orderly::pg::detail
