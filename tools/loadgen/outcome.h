#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "orderly/v1/events.pb.h"

namespace orderly::loadgen {

/// What an order was built to do: which end its saga should reach.
enum class Expected {
  kConfirmed,   // funded customer, SKU in stock
  kOutOfStock,  // the SKU without stock: REJECTED, OUT_OF_STOCK
  kDeclined,    // a customer with too little money: REJECTED, PAYMENT_DECLINED
  kCancelled,   // cancelled right after PlaceOrder returned: CANCELLED, or CONFIRMED if the saga won
};
inline constexpr int kExpectedCount = 4;

/// How an order ended, as order.events said.
enum class Outcome {
  kConfirmed,
  kRejectedOutOfStock,
  kRejectedDeclined,
  kRejectedTimeout,
  kRejectedOther,  // another or no reason
  kCancelled,
};
inline constexpr int kOutcomeCount = 6;

/// A terminal event of one order.
struct Terminal {
  std::string order_id;
  Outcome outcome = Outcome::kConfirmed;
  std::string detail;  // OrderRejected.detail
};

/// The terminal event in `envelope` (OrderConfirmed, OrderRejected, OrderCancelled), or nullopt
/// for any other type. @throws messaging::PoisonMessage if its payload does not match its type.
[[nodiscard]] std::optional<Terminal> TerminalOf(const v1::Envelope& envelope);

/// Whether an order built for `expected` may end as `outcome`.
[[nodiscard]] bool IsExpected(Expected expected, Outcome outcome);

/// Names for tables and JSON: "CONFIRMED", "REJECTED_OUT_OF_STOCK", ...; "confirm", "out_of_stock", ...
[[nodiscard]] std::string_view Name(Outcome outcome);
[[nodiscard]] std::string_view Name(Expected expected);

}  // namespace orderly::loadgen
