#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "orderly/cache/redis_client.h"

namespace orderly::cache {

/// A Lua script run with EVALSHA; loaded on first use and reloaded when Redis answers NOSCRIPT
/// (after a restart or SCRIPT FLUSH). Thread-safe.
class Script final {
 public:
  explicit Script(std::string source) : source_(std::move(source)) {}

  /// @throws RedisUnavailable, RedisReplyError (script errors).
  Reply Run(RedisClient& client, const std::vector<std::string>& keys, const std::vector<std::string>& args);

 private:
  std::string Load(RedisClient& client);

  const std::string source_;
  std::mutex mutex_;
  std::string sha_;
};

}  // namespace orderly::cache
