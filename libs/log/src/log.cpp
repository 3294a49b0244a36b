#include "orderly/log/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace orderly::log {
namespace {

thread_local std::vector<std::pair<std::string, std::string>> t_fields;

void AppendJsonString(spdlog::memory_buf_t& out, std::string_view text) {
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"': out.append(std::string_view("\\\"")); break;
      case '\\': out.append(std::string_view("\\\\")); break;
      case '\n': out.append(std::string_view("\\n")); break;
      case '\t': out.append(std::string_view("\\t")); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<int>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

// Quotes a text value only when it needs it, so plain values stay greppable.
void AppendTextValue(spdlog::memory_buf_t& out, std::string_view text) {
  if (!text.empty() && text.find_first_of(" \"=\n\t") == std::string_view::npos) {
    out.append(text);
  } else {
    AppendJsonString(out, text);
  }
}

// Formats "ts=… level=… service=… msg=… key=value…" or the same fields as one JSON object.
class LineFormatter final : public spdlog::formatter {
 public:
  LineFormatter(std::string service, bool json) : service_(std::move(service)), json_(json) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& out) override {
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    const std::time_t seconds = millis / 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char ts[32];
    const size_t length = std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(ts + length, sizeof ts - length, ".%03dZ", static_cast<int>(millis % 1000));
    const auto level = spdlog::level::to_string_view(msg.level);
    const std::string_view text(msg.payload.data(), msg.payload.size());
    Field(out, "ts", ts, true);
    Field(out, "level", std::string_view(level.data(), level.size()), false);
    Field(out, "service", service_, false);
    Field(out, "msg", text, false);
    for (const auto& [key, value] : t_fields) Field(out, key, value, false);
    if (json_) out.push_back('}');
    out.push_back('\n');
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(service_, json_);
  }

 private:
  void Field(spdlog::memory_buf_t& out, std::string_view key, std::string_view value, bool first) const {
    if (json_) {
      out.push_back(first ? '{' : ',');
      AppendJsonString(out, key);
      out.push_back(':');
      AppendJsonString(out, value);
      return;
    }
    if (!first) out.push_back(' ');
    out.append(key);
    out.push_back('=');
    AppendTextValue(out, value);
  }

  std::string service_;
  bool json_;
};

}  // namespace

Settings Settings::Parse(const config::Node& section) {
  Settings settings;
  settings.level = section.OneOf("level", settings.level, {"trace", "debug", "info", "warn", "error"});
  settings.format = section.OneOf("format", settings.format, {"text", "json"});
  return settings;
}

std::shared_ptr<spdlog::logger> MakeLogger(const Settings& settings, const std::string& service,
                                           spdlog::sink_ptr sink) {
  auto logger = std::make_shared<spdlog::logger>(service, std::move(sink));
  logger->set_formatter(std::make_unique<LineFormatter>(service, settings.format == "json"));
  logger->set_level(spdlog::level::from_str(settings.level));
  logger->flush_on(spdlog::level::warn);
  return logger;
}

void Init(const Settings& settings, const std::string& service) {
  spdlog::set_default_logger(MakeLogger(settings, service, std::make_shared<spdlog::sinks::stderr_sink_mt>()));
}

ScopedFields::ScopedFields(std::initializer_list<std::pair<std::string, std::string>> fields) : pushed_(fields.size()) {
  t_fields.insert(t_fields.end(), fields.begin(), fields.end());
}

ScopedFields::~ScopedFields() { t_fields.resize(t_fields.size() - pushed_); }

}  // namespace orderly::log
