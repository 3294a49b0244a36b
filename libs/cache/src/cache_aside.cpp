#include "orderly/cache/cache_aside.h"

#include <spdlog/spdlog.h>

#include <random>

namespace orderly::cache {

namespace {

// The value if cached (a string); else 1 if this read took the lease (KEYS[2]) or 0 if another holds it.
constexpr const char* kReadScript = R"lua(
local value = redis.call('GET', KEYS[1])
if value then return value end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
)lua";

// Caches the value only if this read's lease survived: an invalidation since deleted it.
constexpr const char* kFillScript = R"lua(
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
redis.call('DEL', KEYS[2])
return 1
)lua";

// Longer than any load; a lease whose reader died only keeps the key uncached this long.
constexpr const char* kLeaseMs = "10000";

std::string RandomLeasePrefix() {
  std::random_device random;
  return std::to_string(random()) + std::to_string(random()) + "-";
}

}  // namespace

CacheAside::CacheAside(RedisClient& client, std::string prefix, std::chrono::seconds ttl)
    : client_(client),
      prefix_(std::move(prefix)),
      ttl_(ttl),
      lease_prefix_(RandomLeasePrefix()),
      read_(kReadScript),
      fill_(kFillScript) {
  auto& registry = metrics::DefaultRegistry();
  const auto counter = [&](const char* name, const char* help, const std::atomic<uint64_t>& value) {
    metrics_.push_back(registry.AddCallback({name, help, metrics::Type::kCounter, {"cache"}}, [this, &value] {
      return std::vector<metrics::Sample>{{{prefix_}, static_cast<double>(value.load())}};
    }));
  };
  counter("orderly_cache_hits_total", "Cache-aside reads answered by Redis, by cache.", stats_.hits);
  counter("orderly_cache_misses_total", "Cache-aside reads that went to the loader (PostgreSQL), by cache.",
          stats_.misses);
  counter("orderly_cache_redis_errors_total", "Cache-aside Redis operations that failed and were skipped, by cache.",
          stats_.redis_errors);
}

void CacheAside::NoteRedisError(const char* operation, const std::exception& e) {
  ++stats_.redis_errors;
  spdlog::warn("cache {} skipped: {}", operation, e.what());
}

std::string CacheAside::GetOrLoad(const std::string& key, const std::function<std::string()>& load) {
  std::string lease;
  if (client_.Available()) {
    try {
      std::string token = lease_prefix_ + std::to_string(++leases_);
      Reply cached = read_.Run(client_, {RedisKey(key), LeaseKey(key)}, {token, kLeaseMs});
      if (cached.type == Reply::Type::kString) {
        ++stats_.hits;
        return std::move(cached.text);
      }
      if (cached.integer == 1) lease = std::move(token);
    } catch (const Error& e) {
      NoteRedisError("read", e);
    }
  }
  ++stats_.misses;
  std::string value = load();
  if (!lease.empty() && client_.Available()) {
    try {
      fill_.Run(client_, {RedisKey(key), LeaseKey(key)}, {lease, value, std::to_string(ttl_.count())});
    } catch (const Error& e) {
      NoteRedisError("fill", e);
    }
  }
  return value;
}

void CacheAside::Invalidate(const std::string& key) {
  try {
    client_.Command({"DEL", RedisKey(key), LeaseKey(key)});
  } catch (const Error& e) {
    NoteRedisError("invalidation", e);
  }
}

}  // namespace orderly::cache
