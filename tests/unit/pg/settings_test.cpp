#include "orderly/pg/settings.h"

#include <gtest/gtest.h>

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

TEST(PgSettingsTest, RequiresAShard) {
  try {
    ParseYaml("postgres: {pool_size: 2}");
    FAIL() << "expected ConfigError";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.field(), "postgres.shards");
  }
}

TEST(PgSettingsTest, RejectsBadPortWithItsPath) {
  try {
    ParseYaml("postgres: {shards: [{name: a, port: 70000}]}");
    FAIL() << "expected ConfigError";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.field(), "postgres.shards[0].port");
    EXPECT_STREQ(e.what(), "postgres.shards[0].port: must be in 1..65535, got 70000 (in <inline>)");
  }
}

TEST(PgSettingsTest, RejectsDuplicateShardNames) {
  EXPECT_THROW(ParseYaml("postgres: {shards: [{name: a}, {name: a}]}"), config::ConfigError);
}

TEST(PgSettingsTest, RejectsUnknownKeyInsideAShard) {
  try {
    ParseYaml("postgres: {shards: [{name: a, prot: 1}]}");
    FAIL() << "expected ConfigError";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.field(), "postgres.shards[0].prot");
    EXPECT_NE(std::string(e.what()).find("did you mean 'port'?"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace orderly::pg
