#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "orderly/common/config.h"
#include "orderly/common/errors.h"

namespace orderly::cache {

/// The `redis` config section.
struct Settings {
  std::string host = "127.0.0.1";
  int port = 6379;
  int pool_size = 8;
  std::chrono::milliseconds connect_timeout{200};
  std::chrono::milliseconds command_timeout{200};
  // After a connection failure, Redis is skipped for this long instead of slowing every request.
  std::chrono::milliseconds cooldown{2000};
  std::chrono::seconds cache_ttl{60};

  static Settings Parse(const config::Node& section);
};

/// Redis cannot be reached, or is being skipped during the cool-down after a failure.
class RedisUnavailable final : public Unavailable {
 public:
  using Unavailable::Unavailable;
};

/// Redis answered with an error reply (e.g. NOSCRIPT, WRONGTYPE).
class RedisReplyError final : public Error {
 public:
  explicit RedisReplyError(const std::string& message) : Error(ErrorCode::kInternal, message) {}
  /// True for "NOSCRIPT …": the script cache was flushed (restart, SCRIPT FLUSH).
  [[nodiscard]] bool IsNoScript() const { return std::string_view(what()).rfind("NOSCRIPT", 0) == 0; }
};

/// A Redis reply (RESP2).
struct Reply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus };
  Type type = Type::kNil;
  std::string text;  // kString and kStatus
  int64_t integer = 0;
  std::vector<Reply> elements;

  [[nodiscard]] bool IsNil() const { return type == Type::kNil; }
};

/// A bounded pool of Redis connections with a failure cool-down. Thread-safe.
class RedisClient final {
 public:
  explicit RedisClient(const Settings& settings);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  /// Runs one command, e.g. {"SET", key, value, "EX", "60"}. Blocks up to connect + command timeout.
  /// @throws RedisUnavailable on connection failure or during the cool-down; RedisReplyError.
  Reply Command(const std::vector<std::string>& argv);

  /// False while in the cool-down after a failure.
  [[nodiscard]] bool Available() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::cache
