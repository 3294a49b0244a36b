#include "orderly/common/config.h"

#include <gtest/gtest.h>

#include "config_errors.h"

namespace orderly::config {
namespace {

// A small schema in the style of the real ones: log.level, server.{listen,port}, shards[].name.
struct Sample {
  std::string level;
  int64_t port = 0;
  std::vector<std::string> shard_names;
};

Sample Parse(const Document& document) {
  const Node root = document.Root();
  Sample sample;
  sample.level = root.Section("log").OneOf("level", "info", {"debug", "info", "warn"});
  sample.port = root.Section("server").Int("port", 7000, 1, 65535);
  for (const auto& shard : root.SectionList("shards")) sample.shard_names.push_back(shard.RequiredString("name"));
  document.RejectUnknownKeys();
  return sample;
}

std::string ErrorOf(const std::string& yaml, const std::vector<std::string>& env = {}) {
  return orderly::testing::ConfigErrorOf([&] { Parse(Document::LoadString(yaml, env)); });
}

TEST(ConfigTest, DefaultsApplyWhenSectionsAreAbsent) {
  const Sample sample = Parse(Document::LoadString(""));
  EXPECT_EQ(sample.level, "info");
  EXPECT_EQ(sample.port, 7000);
  EXPECT_TRUE(sample.shard_names.empty());
}

TEST(ConfigTest, UnknownKeyNamesPathKnownKeysAndNearest) {
  EXPECT_EQ(ErrorOf("log: {levle: debug}"),
            "log.levle: unknown key in <inline>; known keys: level; did you mean 'level'?");
}

TEST(ConfigTest, UnknownTopLevelSectionIsRejected) {
  EXPECT_EQ(ErrorOf("srever: {port: 1}"),
            "srever: unknown key in <inline>; known keys: log, server, shards; did you mean 'server'?");
}

TEST(ConfigTest, UnknownKeyInListItemNamesItsIndex) {
  EXPECT_EQ(ErrorOf("shards: [{name: a}, {name: b, nmae: c}]"),
            "shards[1].nmae: unknown key in <inline>; known keys: name; did you mean 'name'?");
}

// Found by fuzz_config: a YAML complex key (`? ...`) used to escape as a yaml-cpp exception.
TEST(ConfigTest, AKeyThatIsAMappingIsRejectedNamingWhereItSits) {
  EXPECT_EQ(ErrorOf("server:\n  ? port: 80\n  : 1\n"),
            "server: has a key that is a list or mapping, not a name (in <inline>)");
  EXPECT_EQ(ErrorOf("? [a, b]\n: 1\n"), "(top level): has a key that is a list or mapping, not a name (in <inline>)");
}

TEST(ConfigTest, IntegerOutOfRangeNamesPathAndRange) {
  EXPECT_EQ(ErrorOf("server: {port: 0}"), "server.port: must be in 1..65535, got 0 (in <inline>)");
}

TEST(ConfigTest, NonIntegerIsRejected) {
  EXPECT_EQ(ErrorOf("server: {port: eighty}"), "server.port: expected an integer, got 'eighty' (in <inline>)");
}

TEST(ConfigTest, ValueOutsideChoicesIsRejected) {
  EXPECT_EQ(ErrorOf("log: {level: loud}"), "log.level: must be one of debug, info, warn, got 'loud' (in <inline>)");
}

TEST(ConfigTest, MissingRequiredKeyIsRejected) {
  EXPECT_EQ(ErrorOf("shards: [{}]"), "shards[0].name: is required (in <inline>)");
}

TEST(ConfigTest, SectionGivenAsScalarIsRejected) {
  EXPECT_EQ(ErrorOf("server: 8080"), "server: expected a mapping of keys (in <inline>)");
}

TEST(ConfigTest, InvalidYamlNamesTheLine) {
  const std::string error = ErrorOf("log:\n  level: [debug\n");
  EXPECT_EQ(error.rfind("<document>: not valid YAML: ", 0), 0u) << error;
  EXPECT_NE(error.find(" at line "), std::string::npos) << error;
}

TEST(ConfigTest, EnvironmentOverridesFileValues) {
  const Sample sample = Parse(Document::LoadString("server: {port: 1}", {"ORDERLY_SERVER__PORT=9000", "ORDERLY_LOG__LEVEL=warn"}));
  EXPECT_EQ(sample.port, 9000);
  EXPECT_EQ(sample.level, "warn");
}

TEST(ConfigTest, VariablesWithoutPathSeparatorAreNotOverrides) {
  const Sample sample = Parse(Document::LoadString("", {"ORDERLY_CONFIG=/x.yaml", "ORDERLY_ROOT=/src", "HOME=/root"}));
  EXPECT_EQ(sample.port, 7000);
}

TEST(ConfigTest, UnknownOverrideNamesTheVariable) {
  EXPECT_EQ(ErrorOf("", {"ORDERLY_SERVER__PROT=1"}),
            "server.prot: unknown key (set by ORDERLY_SERVER__PROT) in <inline>; known keys: port; did you mean 'port'?");
}

TEST(ConfigTest, BadOverrideValueIsRejectedLikeAFileValue) {
  EXPECT_EQ(ErrorOf("", {"ORDERLY_SERVER__PORT=99999"}), "server.port: must be in 1..65535, got 99999 (in <inline>)");
}

TEST(ConfigTest, OverrideBelowAScalarIsRejected) {
  EXPECT_THROW(Document::LoadString("server: 1", {"ORDERLY_SERVER__PORT=2"}), ConfigError);
}

TEST(ConfigTest, MissingFileIsAConfigError) {
  EXPECT_THROW(Document::LoadFile("/nonexistent/orderly.yaml", {}), ConfigError);
}

TEST(ConfigTest, EditDistanceCountsEdits) {
  EXPECT_EQ(EditDistance("level", "level"), 0u);
  EXPECT_EQ(EditDistance("levle", "level"), 2u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
}

}  // namespace
}  // namespace orderly::config
