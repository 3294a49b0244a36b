#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <google/protobuf/repeated_field.h>

#include "orderly/v1/events.pb.h"
#include "orderly/v1/order.pb.h"

namespace orderly::order {

using Lines = google::protobuf::RepeatedPtrField<v1::OrderLine>;

/// Units of each sku of `order` that may still be returned: sold minus every refund not failed
/// (requested ones included, so two refunds racing for the last units cannot both have them).
[[nodiscard]] std::map<std::string, int64_t> ReturnableUnits(const v1::Order& order);

/// Money of `order` not yet refunded or claimed by a refund still running.
[[nodiscard]] int64_t RefundableAmount(const v1::Order& order);

/// The refund `refund_id` of `lines` from `order`: each line at the unit price the order was placed
/// at, and their value as the amount. Pure logic.
/// @throws InvalidArgument naming lines[i].sku for a sku not on the order;
/// FailedPrecondition naming lines[i].quantity for more units than remain returnable, or "amount"
/// when the value exceeds what remains captured.
[[nodiscard]] v1::OrderRefundRequested PlanRefund(const v1::Order& order, const std::string& refund_id,
                                                  const Lines& lines, const std::string& reason);

/// Whether `lines` ask for the same units as `refund` (a retried request with its key).
[[nodiscard]] bool SameLines(const v1::Refund& refund, const Lines& lines);

/// True when every unit of `order` is returned once refund `refund_id` (requested) completes.
[[nodiscard]] bool ReturnsEverything(const v1::Order& order, const std::string& refund_id);

}  // namespace orderly::order
