#include "orderly/pg/migrations.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "orderly/common/errors.h"
#include "orderly/pg/cluster.h"
#include "orderly/pg/hash_ring.h"

namespace orderly::pg {
namespace {

std::string Checksum(const std::string& sql) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(StableHash(sql)));
  return buffer;
}

bool IsIdentifier(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

void ApplyOnShard(Transaction& tx, const std::string& schema, const std::vector<MigrationSet>& sets,
                  const std::string& shard_name) {
  // Serializes concurrent starters per schema; released at commit.
  tx.Exec("SELECT pg_advisory_xact_lock($1)", {static_cast<int64_t>(StableHash("orderly.migrations." + schema))});
  tx.Exec("CREATE SCHEMA IF NOT EXISTS " + schema);
  tx.Exec("SET LOCAL search_path TO " + schema);
  tx.Exec(R"(CREATE TABLE IF NOT EXISTS schema_migrations (
               component  text        NOT NULL,
               version    integer     NOT NULL,
               name       text        NOT NULL,
               checksum   text        NOT NULL,
               applied_at timestamptz NOT NULL DEFAULT now(),
               PRIMARY KEY (component, version)))");
  for (const auto& set : sets) {
    const Result applied = tx.Exec("SELECT version, checksum FROM schema_migrations WHERE component = $1", {set.component});
    std::map<int64_t, std::string> checksums;
    for (size_t i = 0; i < applied.size(); ++i) checksums[applied[i].Int(0)] = applied[i].String(1);
    for (const auto& migration : set.migrations) {
      const std::string checksum = Checksum(migration.sql);
      const auto found = checksums.find(migration.version);
      if (found != checksums.end()) {
        if (found->second != checksum) {
          throw FailedPrecondition("migration " + set.component + "/" + migration.name + " on shard " + shard_name +
                                   " was edited after it was applied; add a new migration instead");
        }
        continue;
      }
      tx.ExecScript(migration.sql);
      tx.Exec("INSERT INTO schema_migrations (component, version, name, checksum) VALUES ($1, $2, $3, $4)",
              {set.component, migration.version, migration.name, checksum});
      spdlog::info("applied migration {}/{} on shard {}", set.component, migration.name, shard_name);
    }
  }
}

}  // namespace

std::vector<Migration> LoadMigrationDir(const std::string& dir) {
  static const std::regex kName(R"((\d{4})_([a-z0-9_]+)\.sql)");
  std::vector<Migration> migrations;
  std::set<int> versions;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const std::string file = entry.path().filename().string();
    if (entry.path().extension() != ".sql") continue;
    std::smatch match;
    if (!std::regex_match(file, match, kName)) {
      throw InvalidArgument(entry.path().string(), "migration files are named NNNN_lower_snake_name.sql");
    }
    Migration migration{std::stoi(match[1]), file.substr(0, file.size() - 4), ""};
    if (!versions.insert(migration.version).second) {
      throw InvalidArgument(entry.path().string(), "duplicate migration version " + match[1].str());
    }
    std::ifstream in(entry.path());
    std::stringstream sql;
    sql << in.rdbuf();
    migration.sql = sql.str();
    migrations.push_back(std::move(migration));
  }
  if (error) throw InvalidArgument(dir, "cannot read migration directory: " + error.message());
  std::sort(migrations.begin(), migrations.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  return migrations;
}

void ApplyMigrations(Cluster& cluster, const std::vector<MigrationSet>& sets) {
  const std::string& schema = cluster.schema();
  if (!IsIdentifier(schema)) throw InvalidArgument("schema", "'" + schema + "' is not a lower_snake identifier");
  for (size_t shard = 0; shard < cluster.shard_count(); ++shard) {
    cluster.Transact(shard, [&](Transaction& tx) { ApplyOnShard(tx, schema, sets, cluster.shard(shard).name); });
  }
}

}  // namespace orderly::pg
