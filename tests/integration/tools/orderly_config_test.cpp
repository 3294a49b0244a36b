#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "test_env.h"

namespace {

using orderly::testing::RequiredEnv;

using Outcome = orderly::testing::CommandResult;

class OrderlyConfigTest : public ::testing::Test {
 protected:
  // Runs `orderly-config check --connect` on the test stack's config with `edit` applied.
  Outcome Check(const std::function<std::string(std::string)>& edit, const std::string& env = "") {
    std::ifstream in(RequiredEnv("ORDERLY_TEST_DIR") + "/config.yaml");
    std::stringstream original;
    original << in.rdbuf();
    const auto file = std::filesystem::temp_directory_path() / orderly::testing::UniqueName("config.yaml");
    std::ofstream(file) << edit(original.str());
    const Outcome outcome =
        orderly::testing::RunCommand(env + " " + orderly::testing::OrderlyConfigBinary() + " check --connect " + file.string());
    std::filesystem::remove(file);
    return outcome;
  }

  static void ExpectOneLine(const Outcome& outcome) {
    EXPECT_EQ(outcome.exit_code, 1) << outcome.output;
    ASSERT_FALSE(outcome.output.empty());
    EXPECT_EQ(outcome.output.find('\n'), outcome.output.size() - 1) << outcome.output;
  }
};

TEST_F(OrderlyConfigTest, ValidConfigWithReachableServersPasses) {
  const Outcome outcome = Check([](std::string yaml) { return yaml; });
  EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
}

TEST_F(OrderlyConfigTest, UnknownKeyStopsWithOneLine) {
  const Outcome outcome = Check([](std::string yaml) { return yaml + "redis_cache: {}\n"; });
  ExpectOneLine(outcome);
  EXPECT_NE(outcome.output.find("config error: redis_cache: unknown key"), std::string::npos) << outcome.output;
}

TEST_F(OrderlyConfigTest, BadPortStopsWithOneLine) {
  const Outcome outcome = Check([](std::string yaml) { return yaml; }, "ORDERLY_REDIS__PORT=0");
  ExpectOneLine(outcome);
  EXPECT_NE(outcome.output.find("config error: redis.port: must be in 1..65535, got 0"), std::string::npos)
      << outcome.output;
}

TEST_F(OrderlyConfigTest, UnreachableShardStopsWithOneLineNamingIt) {
  const int dead_port = orderly::testing::FreePort();
  const Outcome outcome = Check([&](std::string yaml) {
    // The second shard entry's port is replaced by one nothing listens on.
    const size_t shard1 = yaml.find("name: shard1");
    const size_t port = yaml.find("port: ", shard1);
    const size_t end = yaml.find_first_not_of("0123456789", port + 6);
    return yaml.replace(port, end - port, "port: " + std::to_string(dead_port));
  });
  ExpectOneLine(outcome);
  EXPECT_NE(outcome.output.find("postgres shard shard1 (127.0.0.1:" + std::to_string(dead_port) + "/orderly) is unreachable"),
            std::string::npos)
      << outcome.output;
}

}  // namespace
