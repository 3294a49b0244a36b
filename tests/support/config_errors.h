#pragma once

#include <functional>
#include <string>

#include "orderly/common/config.h"

namespace orderly::testing {

/// The message of the ConfigError `parse` throws (it starts with the key's path), or "no error".
inline std::string ConfigErrorOf(const std::function<void()>& parse) {
  try {
    parse();
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace orderly::testing
