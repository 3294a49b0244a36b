#pragma once

#include <memory>
#include <string>
#include <initializer_list>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "orderly/common/config.h"

namespace orderly::log {

/// The `log` config section.
struct Settings {
  std::string level = "info";  // trace | debug | info | warn | error
  std::string format = "text";  // text: key=value lines; json: one JSON object per line

  static Settings Parse(const config::Node& section);
};

/// A logger writing Orderly's line format to `sink`.
[[nodiscard]] std::shared_ptr<spdlog::logger> MakeLogger(const Settings& settings, const std::string& service,
                                                         spdlog::sink_ptr sink);

/// Installs the process-wide logger writing to stderr. Call once at start-up, before threads.
void Init(const Settings& settings, const std::string& service);

/// Adds key=value fields (trace id, order id, ...) to every line this thread logs while alive.
/// Not movable; nest freely.
class ScopedFields final {
 public:
  explicit ScopedFields(std::initializer_list<std::pair<std::string, std::string>> fields);
  ~ScopedFields();
  ScopedFields(const ScopedFields&) = delete;
  ScopedFields& operator=(const ScopedFields&) = delete;

 private:
  size_t pushed_;
};

}  // namespace orderly::log
