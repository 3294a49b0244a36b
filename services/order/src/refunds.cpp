#include "refunds.h"

#include "orderly/common/errors.h"

namespace orderly::order {
namespace {

bool Counts(const v1::Refund& refund) { return refund.status() != v1::REFUND_STATUS_FAILED; }

// Units of each sku returned by the refunds `include` selects.
template <typename Include>
std::map<std::string, int64_t> ReturnedUnits(const v1::Order& order, Include include) {
  std::map<std::string, int64_t> returned;
  for (const auto& refund : order.refunds()) {
    if (!include(refund)) continue;
    for (const auto& line : refund.lines()) returned[line.sku()] += line.quantity();
  }
  return returned;
}

}  // namespace

std::map<std::string, int64_t> ReturnableUnits(const v1::Order& order) {
  auto returned = ReturnedUnits(order, Counts);
  std::map<std::string, int64_t> returnable;
  for (const auto& line : order.lines()) returnable[line.sku()] = line.quantity() - returned[line.sku()];
  return returnable;
}

int64_t RefundableAmount(const v1::Order& order) {
  int64_t amount = order.total().minor_units();
  for (const auto& refund : order.refunds()) {
    if (Counts(refund)) amount -= refund.amount().minor_units();
  }
  return amount;
}

v1::OrderRefundRequested PlanRefund(const v1::Order& order, const std::string& refund_id, const Lines& lines,
                                    const std::string& reason) {
  const auto returnable = ReturnableUnits(order);
  std::map<std::string, const v1::OrderLine*> sold;
  for (const auto& line : order.lines()) sold[line.sku()] = &line;
  v1::OrderRefundRequested requested;
  requested.set_order_id(order.order_id());
  requested.set_refund_id(refund_id);
  requested.set_customer_id(order.customer_id());
  requested.set_reason(reason);
  int64_t amount = 0;
  for (int i = 0; i < lines.size(); ++i) {
    const std::string field = "lines[" + std::to_string(i) + "]";
    const auto line = sold.find(lines[i].sku());
    if (line == sold.end()) {
      throw InvalidArgument(field + ".sku", "sku '" + lines[i].sku() + "' is not on order " + order.order_id());
    }
    const int64_t left = returnable.at(lines[i].sku());
    if (lines[i].quantity() > left) {
      throw FailedPrecondition(field + ".quantity: asks back " + std::to_string(lines[i].quantity()) + " of sku '" +
                               lines[i].sku() + "'; returnable: " + std::to_string(left) + " of the " +
                               std::to_string(line->second->quantity()) + " sold");
    }
    v1::OrderLine* returned = requested.add_lines();
    returned->set_sku(lines[i].sku());
    returned->set_quantity(lines[i].quantity());
    *returned->mutable_unit_price() = line->second->unit_price();
    amount += line->second->unit_price().minor_units() * lines[i].quantity();
  }
  // Never more back than was captured, whatever the prices of the lines say.
  if (amount > RefundableAmount(order)) {
    throw FailedPrecondition("amount: a refund of " + std::to_string(amount) + " exceeds the " +
                             std::to_string(RefundableAmount(order)) + " not yet refunded of order " +
                             order.order_id());
  }
  requested.mutable_amount()->set_minor_units(amount);
  requested.mutable_amount()->set_currency(order.total().currency());
  return requested;
}

bool SameLines(const v1::Refund& refund, const Lines& lines) {
  if (refund.lines_size() != lines.size()) return false;
  for (int i = 0; i < lines.size(); ++i) {
    if (refund.lines(i).sku() != lines[i].sku() || refund.lines(i).quantity() != lines[i].quantity()) return false;
  }
  return true;
}

bool ReturnsEverything(const v1::Order& order, const std::string& refund_id) {
  const auto returned = ReturnedUnits(order, [&](const v1::Refund& refund) {
    return refund.status() == v1::REFUND_STATUS_REFUNDED || refund.refund_id() == refund_id;
  });
  for (const auto& line : order.lines()) {
    const auto units = returned.find(line.sku());
    if (units == returned.end() || units->second < line.quantity()) return false;
  }
  return true;
}

}  // namespace orderly::order
