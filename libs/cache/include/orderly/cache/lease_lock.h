#pragma once

#include <chrono>
#include <string>

#include "orderly/cache/redis_client.h"
#include "orderly/cache/script.h"

namespace orderly::cache {

/// A short lease on a named lock in Redis (e.g. "one timer sweeper at a time"). Each instance holds
/// its own random token, so only the holder can extend or release; an expired lease frees itself.
/// Not a fencing mechanism: work under it must stay safe if the lease lapses. Not thread-safe.
class LeaseLock final {
 public:
  LeaseLock(RedisClient& client, std::string name, std::chrono::milliseconds ttl);

  /// True if this instance now holds the lease. @throws RedisUnavailable.
  bool TryAcquire();
  /// Pushes the expiry out by ttl; false if the lease was lost. @throws RedisUnavailable.
  bool Extend();
  /// Gives the lease up if still held; false if it had already lapsed. @throws RedisUnavailable.
  bool Release();

  [[nodiscard]] const std::string& token() const { return token_; }

 private:
  RedisClient& client_;
  const std::string key_;
  const std::chrono::milliseconds ttl_;
  const std::string token_;
};

}  // namespace orderly::cache
