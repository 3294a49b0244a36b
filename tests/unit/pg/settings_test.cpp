#include "orderly/pg/settings.h"

#include <gtest/gtest.h>

#include "config_errors.h"

namespace orderly::pg {
namespace {

Settings ParseYaml(const std::string& yaml) {
  const auto document = config::Document::LoadString(yaml);
  Settings settings = Settings::Parse(document.Root().Section("postgres"));
  document.RejectUnknownKeys();
  return settings;
}

TEST(PgSettingsTest, ParsesShardsAndDefaults) {
  const auto settings = ParseYaml(R"(
postgres:
  shards:
    - {name: a, port: 5433}
    - {name: b, host: db.internal, port: 5434, dbname: shop, user: app, password: "it's"}
)");
  ASSERT_EQ(settings.shards.size(), 2u);
  EXPECT_EQ(settings.shards[0].Dsn(), "host='127.0.0.1' port=5433 dbname='orderly' user='postgres'");
  EXPECT_EQ(settings.shards[1].Dsn(), "host='db.internal' port=5434 dbname='shop' user='app' password='it\\'s'");
  EXPECT_EQ(settings.pool_size, 8);
  EXPECT_EQ(settings.virtual_nodes, 128);
}

std::string ErrorOf(const std::string& yaml) {
  return orderly::testing::ConfigErrorOf([&] { ParseYaml(yaml); });
}

TEST(PgSettingsTest, RequiresAShard) {
  EXPECT_EQ(ErrorOf("postgres: {pool_size: 2}"), "postgres.shards: at least one shard is required (in <inline>)");
}

TEST(PgSettingsTest, RejectsBadPortWithItsPath) {
  EXPECT_EQ(ErrorOf("postgres: {shards: [{name: a, port: 70000}]}"),
            "postgres.shards[0].port: must be in 1..65535, got 70000 (in <inline>)");
}

TEST(PgSettingsTest, RejectsDuplicateShardNames) {
  EXPECT_EQ(ErrorOf("postgres: {shards: [{name: a}, {name: a}]}"),
            "postgres.shards[1].name: duplicate shard name 'a' (in <inline>)");
}

TEST(PgSettingsTest, RejectsUnknownKeyInsideAShard) {
  EXPECT_EQ(ErrorOf("postgres: {shards: [{name: a, prot: 1}]}"),
            "postgres.shards[0].prot: unknown key in <inline>; known keys: dbname, host, name, password, port, user; "
            "did you mean 'port'?");
}

}  // namespace
}  // namespace orderly::pg
