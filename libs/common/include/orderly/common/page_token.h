#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace orderly::page_token {

// Keyset page tokens: they name the last row of the page shown, and the next page starts after it.

/// "<number>:<id>", e.g. the creation time and id of the last order shown.
[[nodiscard]] std::string NumberAndId(int64_t number, std::string_view id);
/// Reads NumberAndId's tokens. @throws InvalidArgument(field) for anything else.
[[nodiscard]] std::pair<int64_t, std::string> ParseNumberAndId(const std::string& field, std::string_view token);
/// Reads a non-negative decimal number; "" (the first page) is 0. @throws InvalidArgument(field).
[[nodiscard]] int64_t ParseNumber(const std::string& field, std::string_view token);

}  // namespace orderly::page_token
