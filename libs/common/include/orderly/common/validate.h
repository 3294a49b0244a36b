#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace orderly::validate {

// Each check throws orderly::InvalidArgument naming `field` when the value is unacceptable.

/// A non-empty identifier of at most `max_length` characters from [A-Za-z0-9._:-].
void Identifier(const std::string& field, std::string_view value, size_t max_length = 64);
/// Non-empty printable text of at most `max_length` bytes.
void Text(const std::string& field, std::string_view value, size_t max_length);
/// min <= value <= max.
void Range(const std::string& field, int64_t value, int64_t min, int64_t max);
/// A currency Orderly accepts (orderly::IsKnownCurrency).
void Currency(const std::string& field, std::string_view code);
/// A page size: 0 means `fallback`; otherwise 1..max. Returns the size to use.
[[nodiscard]] int PageSize(const std::string& field, int32_t requested, int fallback = 50, int max = 500);

}  // namespace orderly::validate
