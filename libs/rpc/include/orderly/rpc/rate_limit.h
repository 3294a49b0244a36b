#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "orderly/cache/redis_client.h"
#include "orderly/cache/token_bucket.h"
#include "orderly/common/clock.h"
#include "orderly/common/config.h"
#include "orderly/rpc/access.h"

namespace orderly::rpc {

/// One method group's bucket: `burst` calls at once, refilled at `rate_per_s`.
struct BucketSettings {
  double rate_per_s = 10;
  int64_t burst = 20;
};

/// The `rate_limit` section.
struct RateLimitSettings {
  bool enabled = false;
  std::map<RateGroup, BucketSettings> groups = {{RateGroup::kRead, {50, 100}}, {RateGroup::kWrite, {10, 20}}};
  // Local buckets kept at most (per process, while Redis is down); full ones are dropped first.
  size_t max_local_keys = 100'000;

  static RateLimitSettings Parse(const config::Node& section);
};

/// A token bucket per key in this process's memory: the fallback while Redis is unreachable, so a
/// Redis outage neither fails calls nor lifts the limit (each replica then allows the configured
/// rate on its own). Thread-safe; `clock` must outlive it.
class LocalTokenBucket final {
 public:
  LocalTokenBucket(const Clock& clock, int64_t capacity, double refill_per_second, size_t max_keys);
  LocalTokenBucket(const LocalTokenBucket&) = delete;
  LocalTokenBucket& operator=(const LocalTokenBucket&) = delete;

  /// Takes one token from `key`'s bucket if it has one; otherwise says when one will have refilled.
  [[nodiscard]] cache::TokenBucket::Decision TryTake(const std::string& key);

 private:
  struct State {
    double tokens;
    Clock::TimePoint at;
  };
  double Refilled(const State& state, Clock::TimePoint now) const;

  const Clock& clock_;
  const int64_t capacity_;
  const double refill_per_second_;
  const size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, State> buckets_ ABSL_GUARDED_BY(mutex_);
};

/// Per caller and method group: the shared Redis bucket (libs/cache's Lua token bucket), or the
/// local one while Redis is down. Thread-safe.
class RateLimiter final {
 public:
  /// `redis` may be null (then only local buckets); both must outlive the limiter.
  RateLimiter(const RateLimitSettings& settings, cache::RedisClient* redis, const Clock& clock);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  /// @throws ResourceExhausted with the delay after which a token will be there.
  void Check(RateGroup group, const std::string& caller);

 private:
  struct Group {
    std::unique_ptr<cache::TokenBucket> shared;
    std::unique_ptr<LocalTokenBucket> local;
  };
  std::map<RateGroup, Group> groups_;
};

}  // namespace orderly::rpc
