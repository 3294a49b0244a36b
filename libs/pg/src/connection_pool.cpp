#include "connection_pool.h"

namespace orderly::pg::detail {

ConnectionPool::ConnectionPool(std::string description, const std::string& dsn, size_t max_size,
                               std::chrono::milliseconds acquire_timeout, metrics::Histogram& wait_seconds)
    : description_(std::move(description)),
      max_size_(max_size),
      acquire_timeout_(acquire_timeout),
      wait_seconds_(wait_seconds),
      pool_(max_size, [this, dsn] { return std::make_unique<Connection>(dsn, description_); }) {}

ConnectionPool::Lease ConnectionPool::Acquire() {
  const auto start = std::chrono::steady_clock::now();
  auto lease = pool_.TryAcquire(acquire_timeout_);
  wait_seconds_.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (!lease) {
    throw PoolExhausted("postgres shard " + description_ + ": no free connection within " +
                        std::to_string(acquire_timeout_.count()) + " ms (pool_size " + std::to_string(max_size_) +
                        "); raise postgres.pool_size or lower the load");
  }
  return std::move(*lease);
}

PoolStats ConnectionPool::Stats() const {
  const auto stats = pool_.GetStats();
  return PoolStats{stats.open, stats.idle};
}

}  // namespace orderly::pg::detail
