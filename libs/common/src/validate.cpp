#include "orderly/common/validate.h"

#include <algorithm>

#include "orderly/common/errors.h"
#include "orderly/common/money.h"

namespace orderly::validate {

void Identifier(const std::string& field, std::string_view value, size_t max_length) {
  if (value.empty()) throw InvalidArgument(field, "must not be empty");
  if (value.size() > max_length) {
    throw InvalidArgument(field, "must be at most " + std::to_string(max_length) + " characters");
  }
  const bool allowed = std::all_of(value.begin(), value.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == ':' || c == '-';
  });
  if (!allowed) throw InvalidArgument(field, "may only contain letters, digits and . _ : -");
}

void Text(const std::string& field, std::string_view value, size_t max_length) {
  if (value.empty()) throw InvalidArgument(field, "must not be empty");
  if (value.size() > max_length) throw InvalidArgument(field, "must be at most " + std::to_string(max_length) + " bytes");
  if (std::any_of(value.begin(), value.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    throw InvalidArgument(field, "must not contain control characters");
  }
}

void Range(const std::string& field, int64_t value, int64_t min, int64_t max) {
  if (value < min || value > max) {
    throw InvalidArgument(field, "must be in " + std::to_string(min) + ".." + std::to_string(max) + ", got " +
                                     std::to_string(value));
  }
}

void Currency(const std::string& field, std::string_view code) {
  if (!IsKnownCurrency(code)) throw InvalidArgument(field, "unknown currency '" + std::string(code) + "'");
}

int PageSize(const std::string& field, int32_t requested, int fallback, int max) {
  if (requested == 0) return fallback;
  Range(field, requested, 1, max);
  return requested;
}

}  // namespace orderly::validate
