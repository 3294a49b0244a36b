#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "options.h"
#include "orderly/tools/clients.h"
#include "outcome.h"

namespace orderly::loadgen {

/// One order to place: one unit of `sku` for `customer`, built to end as `expected`.
struct OrderPlan {
  Expected expected = Expected::kConfirmed;
  std::string customer;
  std::string sku;
};

/// The catalog and customers orders are drawn from, and the outcome mix. Not thread-safe: one
/// thread draws the orders.
class Workload final {
 public:
  /// Seeds, through the inventory and payment services, what the options do not name: SKUs with
  /// stock, one SKU without, funded and poor customers, under names unique to this run. Only the
  /// sets the mix needs are seeded. Blocks for the calls.
  /// @throws tools::CallError if a call fails.
  static Workload Prepare(const Options& options, tools::Clients& clients);

  /// Draws the next order: its kind by the shares of the mix, then a customer and an SKU.
  [[nodiscard]] OrderPlan Next();
  /// A PlaceOrder request for `plan`, with an idempotency key unique to this run and `sequence`.
  [[nodiscard]] v1::PlaceOrderRequest Request(const OrderPlan& plan, uint64_t sequence) const;

  [[nodiscard]] const std::string& run_id() const { return run_id_; }

 private:
  Workload(const Options& options, std::string run_id);

  const Options& options_;
  std::string run_id_;
  std::vector<std::string> skus_;
  std::string empty_sku_;
  std::vector<std::string> customers_;
  std::vector<std::string> poor_customers_;
  std::mt19937_64 random_;
};

}  // namespace orderly::loadgen
