#include "orderly/pg/settings.h"

#include <set>

namespace orderly::pg {
namespace {

// libpq connection-string values are quoted so spaces and quotes in them stay literal.
std::string Quote(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

}  // namespace

std::string ShardSettings::Dsn() const {
  std::string dsn = "host=" + Quote(host) + " port=" + std::to_string(port) + " dbname=" + Quote(dbname) +
                    " user=" + Quote(user);
  if (!password.empty()) dsn += " password=" + Quote(password);
  return dsn;
}

std::string ShardSettings::Describe() const {
  return name + " (" + host + ":" + std::to_string(port) + "/" + dbname + ")";
}

Settings Settings::Parse(const config::Node& section) {
  Settings settings;
  std::set<std::string> names;
  for (const auto& shard_node : section.SectionList("shards")) {
    ShardSettings shard;
    shard.name = shard_node.RequiredString("name");
    shard.host = shard_node.String("host", shard.host);
    shard.port = static_cast<int>(shard_node.Int("port", shard.port, 1, 65535));
    shard.dbname = shard_node.String("dbname", shard.dbname);
    shard.user = shard_node.String("user", shard.user);
    shard.password = shard_node.String("password", shard.password);
    if (!names.insert(shard.name).second) shard_node.Fail("name", "duplicate shard name '" + shard.name + "'");
    settings.shards.push_back(std::move(shard));
  }
  if (settings.shards.empty()) section.Fail("shards", "at least one shard is required");
  settings.pool_size = static_cast<int>(section.Int("pool_size", settings.pool_size, 1, 1024));
  settings.acquire_timeout = std::chrono::milliseconds(
      section.Int("acquire_timeout_ms", settings.acquire_timeout.count(), 1, 600'000));
  settings.connect_timeout_s = static_cast<int>(section.Int("connect_timeout_s", settings.connect_timeout_s, 1, 300));
  settings.virtual_nodes = static_cast<int>(section.Int("virtual_nodes", settings.virtual_nodes, 1, 4096));
  settings.max_attempts = static_cast<int>(section.Int("max_attempts", settings.max_attempts, 1, 100));
  settings.retry_backoff_base = std::chrono::milliseconds(
      section.Int("retry_backoff_base_ms", settings.retry_backoff_base.count(), 0, 60'000));
  settings.retry_backoff_max = std::chrono::milliseconds(
      section.Int("retry_backoff_max_ms", settings.retry_backoff_max.count(), 0, 600'000));
  return settings;
}

}  // namespace orderly::pg
