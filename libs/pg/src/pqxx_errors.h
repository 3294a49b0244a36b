#pragma once

#include <string>

namespace orderly::pg::detail {

/// Call inside a catch block around pqxx calls: rethrows the active exception as an Orderly pg error.
[[noreturn]] void RethrowTranslated(const std::string& context);

/// libpq messages span lines; Orderly errors are one line.
[[nodiscard]] std::string OneLine(std::string text);

}  // namespace orderly::pg::detail
