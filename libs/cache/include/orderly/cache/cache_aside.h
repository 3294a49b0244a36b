#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "orderly/cache/redis_client.h"
#include "orderly/cache/script.h"
#include "orderly/metrics/registry.h"

namespace orderly::cache {

/// Cache-aside over Redis for serialized values (e.g. a protobuf). Redis trouble never fails a
/// read: it falls through to the loader, and RedisClient's cool-down keeps that fast. Thread-safe.
/// Its stats are exposed as orderly_cache_{hits,misses,redis_errors}_total{cache="<prefix>"}.
///
/// Writers call Invalidate after their transaction commits. A read that misses takes a lease (a
/// key beside the value) before it loads, and fills the cache only if the lease is still there:
/// an invalidation deletes both, so a load that began before a commit cannot cache what it read
/// after that commit's invalidation (which would stay stale for the whole TTL). While one read
/// holds the lease, other misses load without filling.
class CacheAside final {
 public:
  /// Counters for metrics.
  struct Stats {
    std::atomic<uint64_t> hits{0};
    std::atomic<uint64_t> misses{0};
    std::atomic<uint64_t> redis_errors{0};
  };

  CacheAside(RedisClient& client, std::string prefix, std::chrono::seconds ttl);

  /// The cached value of `key`, or `load()`'s result, which is then cached.
  /// @throws whatever `load` throws (nothing is cached then, e.g. for NotFound).
  std::string GetOrLoad(const std::string& key, const std::function<std::string()>& load);

  /// Deletes `key`; best effort (a Redis failure is logged and counted, the TTL still applies).
  void Invalidate(const std::string& key);

  [[nodiscard]] const Stats& stats() const { return stats_; }

 private:
  [[nodiscard]] std::string RedisKey(const std::string& key) const { return prefix_ + key; }
  [[nodiscard]] std::string LeaseKey(const std::string& key) const { return prefix_ + key + ":lease"; }
  void NoteRedisError(const char* operation, const std::exception& e);

  RedisClient& client_;
  const std::string prefix_;
  const std::chrono::seconds ttl_;
  const std::string lease_prefix_;  // unique to this object: leases of other processes never match
  std::atomic<uint64_t> leases_{0};
  Script read_;
  Script fill_;
  Stats stats_;
  std::vector<metrics::CallbackHandle> metrics_;  // last: unregistered before stats_ goes
};

}  // namespace orderly::cache
