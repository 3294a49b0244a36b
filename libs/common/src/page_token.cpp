#include "orderly/common/page_token.h"

#include <charconv>

#include "orderly/common/errors.h"

namespace orderly::page_token {
namespace {

[[noreturn]] void NotOurs(const std::string& field) {
  throw InvalidArgument(field, "is not a token this service issued");
}

// The whole of `text` as a decimal int64, if it is one.
bool ReadNumber(std::string_view text, int64_t& number) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  return !text.empty() && error == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::string NumberAndId(int64_t number, std::string_view id) { return std::to_string(number) + ":" + std::string(id); }

std::pair<int64_t, std::string> ParseNumberAndId(const std::string& field, std::string_view token) {
  const size_t colon = token.find(':');
  int64_t number = 0;
  if (colon == std::string_view::npos || colon + 1 == token.size() || !ReadNumber(token.substr(0, colon), number)) {
    NotOurs(field);
  }
  return {number, std::string(token.substr(colon + 1))};
}

int64_t ParseNumber(const std::string& field, std::string_view token) {
  if (token.empty()) return 0;
  int64_t number = 0;
  if (!ReadNumber(token, number) || number < 0) NotOurs(field);
  return number;
}

}  // namespace orderly::page_token
