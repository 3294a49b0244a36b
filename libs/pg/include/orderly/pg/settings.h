#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "orderly/common/config.h"

namespace orderly::pg {

/// One PostgreSQL database acting as a shard. Shards are only ever appended (see HashRing).
struct ShardSettings {
  std::string name;
  std::string host = "127.0.0.1";
  int port = 5432;
  std::string dbname = "orderly";
  std::string user = "postgres";
  std::string password;

  /// A libpq connection string for this shard.
  [[nodiscard]] std::string Dsn() const;
  /// "name (host:port/dbname)", for messages.
  [[nodiscard]] std::string Describe() const;
};

/// The `postgres` config section.
struct Settings {
  std::vector<ShardSettings> shards;
  int pool_size = 8;  // connections per shard
  std::chrono::milliseconds acquire_timeout{2000};
  int connect_timeout_s = 3;
  int virtual_nodes = 128;
  int max_attempts = 6;  // per transaction, on serialization failure, deadlock or broken connection
  std::chrono::milliseconds retry_backoff_base{5};
  std::chrono::milliseconds retry_backoff_max{250};

  /// @throws config::ConfigError; at least one shard is required and names must be unique.
  static Settings Parse(const config::Node& section);
};

}  // namespace orderly::pg
