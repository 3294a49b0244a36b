#include "orderly/rpc/rate_limit.h"

#include <algorithm>
#include <cmath>

#include "orderly/common/errors.h"

namespace orderly::rpc {

RateLimitSettings RateLimitSettings::Parse(const config::Node& section) {
  RateLimitSettings s;
  s.enabled = section.Bool("enabled", s.enabled);
  s.max_local_keys =
      static_cast<size_t>(section.Int("max_local_keys", static_cast<int64_t>(s.max_local_keys), 1, 10'000'000));
  const config::Node groups = section.Section("groups");
  for (auto& [group, bucket] : s.groups) {
    const config::Node node = groups.Section(RateGroupName(group));
    // Whole calls per second; fractions would only make the config harder to read.
    bucket.rate_per_s =
        static_cast<double>(node.Int("rate_per_s", static_cast<int64_t>(bucket.rate_per_s), 1, 1'000'000));
    bucket.burst = node.Int("burst", bucket.burst, 1, 10'000'000);
  }
  return s;
}

LocalTokenBucket::LocalTokenBucket(const Clock& clock, int64_t capacity, double refill_per_second, size_t max_keys)
    : clock_(clock), capacity_(capacity), refill_per_second_(refill_per_second), max_keys_(max_keys) {}

double LocalTokenBucket::Refilled(const State& state, Clock::TimePoint now) const {
  const double seconds = std::max(0.0, std::chrono::duration<double>(now - state.at).count());
  return std::min(static_cast<double>(capacity_), state.tokens + seconds * refill_per_second_);
}

cache::TokenBucket::Decision LocalTokenBucket::TryTake(const std::string& key) {
  const Clock::TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  if (buckets_.size() >= max_keys_ && buckets_.find(key) == buckets_.end()) {
    // A full bucket is the same as no bucket: forget those first to stay within max_keys.
    std::erase_if(buckets_, [&](const auto& entry) { return Refilled(entry.second, now) >= capacity_; });
    if (buckets_.size() >= max_keys_) buckets_.erase(buckets_.begin());
  }
  const auto [it, fresh] = buckets_.try_emplace(key, State{static_cast<double>(capacity_), now});
  State& state = it->second;
  state.tokens = Refilled(state, now);
  state.at = now;
  cache::TokenBucket::Decision decision;
  if (state.tokens >= 1.0) {
    state.tokens -= 1.0;
    decision.allowed = true;
    decision.remaining = static_cast<int64_t>(state.tokens);
    return decision;
  }
  decision.retry_after =
      std::chrono::milliseconds(static_cast<int64_t>(std::ceil((1.0 - state.tokens) / refill_per_second_ * 1000.0)));
  return decision;
}

RateLimiter::RateLimiter(const RateLimitSettings& settings, cache::RedisClient* redis, const Clock& clock) {
  for (const auto& [group, bucket] : settings.groups) {
    Group& g = groups_[group];
    if (redis != nullptr) {
      g.shared = std::make_unique<cache::TokenBucket>(*redis, clock,
                                                      "orderly:ratelimit:" + std::string(RateGroupName(group)) + ":",
                                                      bucket.burst, bucket.rate_per_s);
    }
    g.local = std::make_unique<LocalTokenBucket>(clock, bucket.burst, bucket.rate_per_s, settings.max_local_keys);
  }
}

RateLimiter::~RateLimiter() = default;

void RateLimiter::Check(RateGroup group, const std::string& caller) {
  Group& g = groups_.at(group);
  cache::TokenBucket::Decision decision;
  if (!g.shared) {
    decision = g.local->TryTake(caller);
  } else {
    try {
      decision = g.shared->TryTake(caller);
    } catch (const cache::RedisUnavailable&) {
      decision = g.local->TryTake(caller);  // RedisClient logs the outage and cools down
    }
  }
  if (!decision.allowed) {
    throw ResourceExhausted("rate limit: too many " + std::string(RateGroupName(group)) + " calls for '" + caller +
                                "'; retry after " + std::to_string(decision.retry_after.count()) + " ms",
                            decision.retry_after);
  }
}

}  // namespace orderly::rpc
