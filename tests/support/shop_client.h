#pragma once

// Tests' client of a running Orderly: stubs of the four services and the calls tests make through
// them. A failed call fails the test (EXPECT) and returns an empty message.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "orderly/app/platform_settings.h"
#include "orderly/v1/inventory.grpc.pb.h"
#include "orderly/v1/order.grpc.pb.h"
#include "orderly/v1/payment.grpc.pb.h"
#include "orderly/v1/saga.grpc.pb.h"

namespace orderly::testing {

class ShopClient final {
 public:
  ShopClient(const std::string& inventory, const std::string& payment, const std::string& order,
             const std::string& orchestrator);
  /// The services at their configured listen addresses.
  explicit ShopClient(const app::ServicesSettings& services);

  /// A product at `price` EUR minor units with `units` in stock.
  void AddProduct(const std::string& sku, int64_t price, int64_t units);
  /// An EUR account for `customer` holding `amount` minor units.
  void Fund(const std::string& customer, int64_t amount);
  /// `count` new customers with unique names, each funded with `amount`.
  std::vector<std::string> FundCustomers(int count, int64_t amount);
  /// One PlaceOrder call, not retried.
  struct Attempt {
    grpc::Status status;
    std::string order_id;  // when OK
    int64_t retry_after_ms = -1;  // the retry delay a refusal for load names, else -1
  };
  Attempt TryPlace(const std::string& customer, const std::string& sku, int64_t quantity,
                   const std::string& idempotency_key = "checkout");
  /// Places `quantity` of `sku` for `customer`, retrying for up to a minute while the order service
  /// is unreachable, shutting down or does not answer in time (the idempotency key makes that safe);
  /// the order id.
  std::string Place(const std::string& customer, const std::string& sku, int64_t quantity,
                    const std::string& idempotency_key = "checkout");
  void Cancel(const std::string& order_id);

  [[nodiscard]] v1::Order Order(const std::string& order_id);
  /// Waits until the order is no longer pending.
  v1::Order WaitForTerminal(const std::string& order_id, std::chrono::seconds timeout = std::chrono::seconds(60));
  /// Waits until no order of `ids` is pending; how many ended in each status.
  std::map<v1::OrderStatus, int> Outcomes(const std::vector<std::string>& ids);
  [[nodiscard]] v1::Stock Stock(const std::string& sku);
  [[nodiscard]] v1::Account Account(const std::string& customer);
  [[nodiscard]] std::vector<v1::LedgerEntry> Ledger(const std::string& customer);
  [[nodiscard]] v1::Saga Saga(const std::string& order_id);
  /// The saga has steps and none is pending: every command it sent was answered.
  [[nodiscard]] bool Settled(const std::string& order_id);

 private:
  std::unique_ptr<v1::InventoryService::Stub> inventory_;
  std::unique_ptr<v1::PaymentService::Stub> payment_;
  std::unique_ptr<v1::OrderService::Stub> orders_;
  std::unique_ptr<v1::SagaService::Stub> sagas_;
};

/// How many steps of `saga` are named `name` (e.g. "release_stock").
[[nodiscard]] int StepsNamed(const v1::Saga& saga, const std::string& name);
/// How many steps of `saga` ended with `outcome`.
[[nodiscard]] int StepsWithOutcome(const v1::Saga& saga, v1::StepOutcome outcome);

}  // namespace orderly::testing
