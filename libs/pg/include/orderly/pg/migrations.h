#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace orderly::pg {

class Cluster;

/// One numbered SQL file, e.g. 0001_create_orders.sql.
struct Migration {
  int version = 0;
  std::string name;
  std::string sql;
};

/// The migrations of one component (a service or a library such as messaging), applied in version order.
struct MigrationSet {
  std::string component;
  std::vector<Migration> migrations;
};

/// Reads `NNNN_name.sql` files from `dir`.
/// @throws orderly::InvalidArgument on a badly named file or a duplicate version.
[[nodiscard]] std::vector<Migration> LoadMigrationDir(const std::string& dir);

/// Applies every pending migration of `sets` to every shard of `cluster`, in the cluster's schema
/// (created if missing), recording each in `schema_migrations`. Each shard's run is one transaction
/// under an advisory lock, so processes starting at once apply each migration exactly once.
/// @throws orderly::FailedPrecondition if an applied migration's SQL has changed since.
void ApplyMigrations(Cluster& cluster, const std::vector<MigrationSet>& sets);

}  // namespace orderly::pg
