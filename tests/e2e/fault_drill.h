#pragma once

// The shape every outage test shares: a burst of orders that all have stock and money, a fault
// injected once a third of them are placed, healed after a while, then the exact outcome a shop
// expects (every order CONFIRMED, charged once, stock and ledgers balanced, audit clean) and one
// line of figures in the test log.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "process_stack.h"
#include "shop_client.h"

namespace orderly::testing {

class FaultDrill final {
 public:
  /// Seeds a product with stock for every order and `orders` customers with money for one each.
  FaultDrill(ProcessStack& stack, int orders);

  /// Places the orders from a second thread (retrying while the order service is away); once a
  /// third are placed runs `inject`, waits `outage`, runs `heal`; returns when all are placed.
  void Run(const std::function<void()>& inject, std::chrono::seconds outage, const std::function<void()>& heal);

  /// Asserts the outcome above and prints `fault`'s figures: orders, terminal, confirmed, seconds
  /// from healing until the last order ended, commands re-sent, dead letters.
  void ExpectEveryOrderConfirmed(const std::string& fault);

  [[nodiscard]] ShopClient& shop() { return shop_; }

 private:
  ProcessStack& stack_;
  ShopClient shop_;
  std::string sku_;
  std::vector<std::string> customers_;
  std::vector<std::string> ids_;
  std::chrono::steady_clock::time_point healed_;
};

}  // namespace orderly::testing
