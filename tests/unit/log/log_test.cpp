#include "orderly/log/log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <regex>
#include <sstream>

namespace orderly::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  std::string LogOne(const std::string& format, const std::string& message) {
    Settings settings;
    settings.format = format;
    auto logger = MakeLogger(settings, "order", std::make_shared<spdlog::sinks::ostream_sink_st>(out_));
    logger->info(message);
    logger->flush();
    return out_.str();
  }

  std::ostringstream out_;
};

TEST_F(LogTest, TextLinesAreKeyValueWithScopedFields) {
  ScopedFields fields({{"order_id", "o-1"}});
  const std::string line = LogOne("text", "order placed");
  EXPECT_TRUE(std::regex_match(line, std::regex(R"(ts=\S+Z level=info service=order msg="order placed" order_id=o-1\n)")))
      << line;
}

TEST_F(LogTest, JsonLinesAreOneEscapedObject) {
  ScopedFields fields({{"trace_id", "t\"1"}});
  const std::string line = LogOne("json", "line\nbreak");
  EXPECT_TRUE(std::regex_match(
      line, std::regex(R"(\{"ts":"[^"]+Z","level":"info","service":"order","msg":"line\\nbreak","trace_id":"t\\"1"\}\n)")))
      << line;
}

TEST_F(LogTest, FieldsEndWithTheirScope) {
  { ScopedFields fields({{"order_id", "o-1"}}); }
  EXPECT_EQ(LogOne("text", "x").find("order_id"), std::string::npos);
}

TEST_F(LogTest, LevelBelowTheSettingIsDropped) {
  Settings settings;
  settings.level = "warn";
  auto logger = MakeLogger(settings, "order", std::make_shared<spdlog::sinks::ostream_sink_st>(out_));
  logger->info("quiet");
  logger->warn("loud");
  EXPECT_EQ(out_.str().find("quiet"), std::string::npos);
  EXPECT_NE(out_.str().find("loud"), std::string::npos);
}

TEST(LogSettingsTest, RejectsUnknownLevel) {
  const auto document = config::Document::LoadString("log: {level: chatty}");
  EXPECT_THROW(Settings::Parse(document.Root().Section("log")), config::ConfigError);
}

}  // namespace
}  // namespace orderly::log
