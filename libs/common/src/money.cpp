#include "orderly/common/money.h"

#include <algorithm>
#include <array>

namespace orderly {

bool IsKnownCurrency(std::string_view code) {
  static constexpr std::array<std::string_view, 14> kCodes = {"AUD", "CAD", "CHF", "CNY", "CZK", "DKK", "EUR",
                                                              "GBP", "JPY", "NOK", "PLN", "SEK", "USD", "NZD"};
  return std::find(kCodes.begin(), kCodes.end(), code) != kCodes.end();
}

}  // namespace orderly
