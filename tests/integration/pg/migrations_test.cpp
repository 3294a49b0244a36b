#include "orderly/pg/migrations.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "orderly/pg/cluster.h"
#include "test_env.h"

namespace orderly::pg {
namespace {

using orderly::testing::TestPlatform;
using orderly::testing::UniqueName;

// Deliberately not idempotent SQL: a second application would fail.
const std::vector<MigrationSet> kSets = {
    {"shop",
     {{1, "0001_items", "CREATE TABLE items (sku text PRIMARY KEY)"},
      {2, "0002_item_names", "ALTER TABLE items ADD COLUMN name text"}}},
};

class MigrationsTest : public ::testing::Test {
 protected:
  MigrationsTest() : schema_(UniqueName("migtest")), cluster_(TestPlatform().postgres, schema_) {}

  int64_t Recorded(size_t shard) {
    return cluster_.Transact(shard, [](Transaction& tx) {
      return tx.Exec("SELECT count(*) FROM schema_migrations WHERE component = 'shop'").One().Int(0);
    });
  }

  std::string schema_;
  Cluster cluster_;
};

TEST_F(MigrationsTest, AppliesToEveryShardInTheServiceSchema) {
  ApplyMigrations(cluster_, kSets);
  for (size_t shard = 0; shard < cluster_.shard_count(); ++shard) {
    EXPECT_EQ(Recorded(shard), 2);
    cluster_.Transact(shard, [](Transaction& tx) { tx.Exec("INSERT INTO items (sku, name) VALUES ('a', 'A')"); });
  }
}

TEST_F(MigrationsTest, SecondRunIsANoOp) {
  ApplyMigrations(cluster_, kSets);
  ApplyMigrations(cluster_, kSets);
  EXPECT_EQ(Recorded(0), 2);
}

TEST_F(MigrationsTest, ConcurrentStartersApplyEachMigrationOnce) {
  std::vector<std::thread> starters;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    starters.emplace_back([&] {
      try {
        Cluster own(TestPlatform().postgres, schema_);  // as a separate process would
        ApplyMigrations(own, kSets);
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        ++failures;
      }
    });
  }
  for (auto& starter : starters) starter.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Recorded(0), 2);
  EXPECT_EQ(Recorded(1), 2);
}

TEST_F(MigrationsTest, NewMigrationIsAppliedOnTopOfOldOnes) {
  ApplyMigrations(cluster_, {{"shop", {kSets[0].migrations[0]}}});
  ApplyMigrations(cluster_, kSets);
  EXPECT_EQ(Recorded(0), 2);
}

TEST_F(MigrationsTest, EditedMigrationIsRejected) {
  ApplyMigrations(cluster_, kSets);
  auto edited = kSets;
  edited[0].migrations[1].sql = "ALTER TABLE items ADD COLUMN title text";
  EXPECT_THROW(ApplyMigrations(cluster_, edited), FailedPrecondition);
}

TEST_F(MigrationsTest, FailingMigrationLeavesTheShardUnchanged) {
  std::vector<MigrationSet> broken = kSets;
  broken[0].migrations.push_back({3, "0003_broken", "ALTER TABLE no_such_table ADD COLUMN x int"});
  EXPECT_THROW(ApplyMigrations(cluster_, broken), ServerError);
  const bool exists = cluster_.Transact(0, [&](Transaction& tx) {
    return tx.Exec("SELECT to_regclass($1) IS NOT NULL", {schema_ + ".items"}).One().Bool(0);
  });
  EXPECT_FALSE(exists);
}

TEST(MigrationDirTest, LoadsNumberedFilesInOrderAndRejectsBadNames) {
  const auto dir = std::filesystem::temp_directory_path() / UniqueName("migrations");
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "0002_second.sql") << "SELECT 2";
  std::ofstream(dir / "0001_first.sql") << "SELECT 1";
  std::ofstream(dir / "README.md") << "ignored";
  const auto migrations = LoadMigrationDir(dir.string());
  ASSERT_EQ(migrations.size(), 2u);
  EXPECT_EQ(migrations[0].version, 1);
  EXPECT_EQ(migrations[0].name, "0001_first");
  EXPECT_EQ(migrations[1].sql, "SELECT 2");
  std::ofstream(dir / "3_Bad-Name.sql") << "SELECT 3";
  EXPECT_THROW(LoadMigrationDir(dir.string()), InvalidArgument);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace orderly::pg
