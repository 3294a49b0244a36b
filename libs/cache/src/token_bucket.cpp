#include "orderly/cache/token_bucket.h"

#include <cmath>
#include <stdexcept>

namespace orderly::cache {
namespace {

// KEYS[1] bucket; ARGV: capacity, refill per ms, now ms, tokens wanted.
// Stores {tokens, ts}; returns {allowed, remaining tokens (floor), retry after ms}.
constexpr const char* kTakeScript = R"lua(
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local wanted = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
if now > ts then tokens = math.min(capacity, tokens + (now - ts) * rate) end
if now < ts then now = ts end
local allowed = 0
local retry = 0
if tokens >= wanted then
  tokens = tokens - wanted
  allowed = 1
elseif rate > 0 then
  retry = math.ceil((wanted - tokens) / rate)
else
  retry = -1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
if rate > 0 then
  redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 1000)
end
return {allowed, math.floor(tokens), retry}
)lua";

}  // namespace

TokenBucket::TokenBucket(RedisClient& client, const Clock& clock, std::string prefix, int64_t capacity,
                         double refill_per_second)
    : client_(client),
      clock_(clock),
      prefix_(std::move(prefix)),
      capacity_(capacity),
      refill_per_second_(refill_per_second),
      script_(kTakeScript) {
  if (capacity <= 0) throw std::invalid_argument("token bucket capacity must be positive");
  if (refill_per_second < 0) throw std::invalid_argument("token bucket refill rate must not be negative");
}

TokenBucket::Decision TokenBucket::TryTake(const std::string& key, int64_t tokens) {
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.9f", refill_per_second_ / 1000.0);
  const Reply reply = script_.Run(client_, {prefix_ + key},
                                  {std::to_string(capacity_), rate, std::to_string(ToUnixMillis(clock_.Now())),
                                   std::to_string(tokens)});
  if (reply.elements.size() != 3) throw RedisReplyError("token bucket script returned an unexpected reply");
  Decision decision;
  decision.allowed = reply.elements[0].integer == 1;
  decision.remaining = reply.elements[1].integer;
  decision.retry_after = std::chrono::milliseconds(reply.elements[2].integer);
  return decision;
}

}  // namespace orderly::cache
