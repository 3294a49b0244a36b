#include "orderly/cache/cache_aside.h"

#include <spdlog/spdlog.h>

namespace orderly::cache {

CacheAside::CacheAside(RedisClient& client, std::string prefix, std::chrono::seconds ttl)
    : client_(client), prefix_(std::move(prefix)), ttl_(ttl) {
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
  if (client_.Available()) {
    try {
      Reply cached = client_.Command({"GET", RedisKey(key)});
      if (!cached.IsNil()) {
        ++stats_.hits;
        return std::move(cached.text);
      }
    } catch (const Error& e) {
      NoteRedisError("read", e);
    }
  }
  ++stats_.misses;
  std::string value = load();
  if (client_.Available()) {
    try {
      client_.Command({"SET", RedisKey(key), value, "EX", std::to_string(ttl_.count())});
    } catch (const Error& e) {
      NoteRedisError("fill", e);
    }
  }
  return value;
}

void CacheAside::Invalidate(const std::string& key) {
  try {
    client_.Command({"DEL", RedisKey(key)});
  } catch (const Error& e) {
    NoteRedisError("invalidation", e);
  }
}

}  // namespace orderly::cache
