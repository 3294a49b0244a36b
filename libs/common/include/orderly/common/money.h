#pragma once

#include <string_view>

namespace orderly {

/// True for the ISO 4217 codes Orderly accepts (the common two-decimal shop currencies and JPY).
[[nodiscard]] bool IsKnownCurrency(std::string_view code);

}  // namespace orderly
