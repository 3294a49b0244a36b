#pragma once

#include <chrono>
#include <string>

#include "orderly/cache/redis_client.h"
#include "orderly/cache/script.h"
#include "orderly/common/clock.h"

namespace orderly::cache {

/// A token bucket per key in Redis, refilled continuously; one atomic Lua script per take, so
/// every replica shares the same buckets. Thread-safe.
class TokenBucket final {
 public:
  struct Decision {
    bool allowed = false;
    int64_t remaining = 0;  // whole tokens left after this take
    std::chrono::milliseconds retry_after{0};  // when denied: until enough tokens have refilled
  };

  /// `capacity` tokens at most, `refill_per_second` added per second. Time comes from `clock`.
  TokenBucket(RedisClient& client, const Clock& clock, std::string prefix, int64_t capacity, double refill_per_second);

  /// Takes `tokens` from `key`'s bucket if it holds that many.
  /// @throws RedisUnavailable: the caller decides whether to fail open or closed.
  Decision TryTake(const std::string& key, int64_t tokens = 1);

 private:
  RedisClient& client_;
  const Clock& clock_;
  const std::string prefix_;
  const int64_t capacity_;
  const double refill_per_second_;
  Script script_;
};

}  // namespace orderly::cache
