#include "workload.h"

#include <unistd.h>

#include <chrono>

namespace orderly::loadgen {
namespace {

constexpr int64_t kSeededStock = 1'000'000;
constexpr int64_t kFundedDeposit = 1'000'000'000'000;  // the payment service's largest deposit
constexpr int64_t kPoorDeposit = 100;                  // below every seeded price
constexpr int kPoorAccounts = 4;
constexpr int64_t kBasePrice = 1'000;

v1::Money Amount(int64_t minor_units, const std::string& currency) {
  v1::Money money;
  money.set_minor_units(minor_units);
  money.set_currency(currency);
  return money;
}

std::string NewRunId() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return "lg-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now).count()) + "-" +
         std::to_string(::getpid());
}

void AddProduct(tools::Clients& clients, const std::string& sku, int64_t price, int64_t stock,
                const std::string& currency) {
  v1::UpsertProductRequest product;
  product.mutable_product()->set_sku(sku);
  product.mutable_product()->set_name("Load test " + sku);
  *product.mutable_product()->mutable_unit_price() = Amount(price, currency);
  (void)clients.Call("inventory", *clients.inventory, &v1::InventoryService::Stub::UpsertProduct, product);
  if (stock == 0) return;
  v1::RestockRequest restock;
  restock.set_sku(sku);
  restock.set_quantity(stock);
  restock.set_idempotency_key(sku + "-stock");
  (void)clients.Call("inventory", *clients.inventory, &v1::InventoryService::Stub::Restock, restock);
}

void OpenAccount(tools::Clients& clients, const std::string& customer, int64_t deposit, const std::string& currency) {
  v1::OpenAccountRequest open;
  open.set_customer_id(customer);
  open.set_currency(currency);
  (void)clients.Call("payment", *clients.payment, &v1::PaymentService::Stub::OpenAccount, open);
  v1::DepositRequest money;
  money.set_customer_id(customer);
  *money.mutable_amount() = Amount(deposit, currency);
  money.set_idempotency_key(customer + "-deposit");
  (void)clients.Call("payment", *clients.payment, &v1::PaymentService::Stub::Deposit, money);
}

template <typename T>
const T& Pick(const std::vector<T>& items, std::mt19937_64& random) {
  return items[std::uniform_int_distribution<size_t>(0, items.size() - 1)(random)];
}

}  // namespace

Workload::Workload(const Options& options, std::string run_id)
    : options_(options), run_id_(std::move(run_id)), random_(options.seed) {}

Workload Workload::Prepare(const Options& options, tools::Clients& clients) {
  Workload workload(options, NewRunId());
  const std::string& run = workload.run_id_;
  workload.skus_ = options.skus;
  for (int i = 0; workload.skus_.empty() && i < options.catalog; ++i) {
    const std::string sku = run + "-sku" + std::to_string(i);
    AddProduct(clients, sku, kBasePrice + 100 * i, kSeededStock, options.currency);
    workload.skus_.push_back(sku);
  }
  workload.empty_sku_ = options.empty_sku;
  if (workload.empty_sku_.empty() && options.out_of_stock > 0) {
    workload.empty_sku_ = run + "-empty";
    AddProduct(clients, workload.empty_sku_, kBasePrice, 0, options.currency);
  }
  workload.customers_ = options.customers;
  for (int i = 0; workload.customers_.empty() && i < options.accounts; ++i) {
    const std::string customer = run + "-c" + std::to_string(i);
    OpenAccount(clients, customer, kFundedDeposit, options.currency);
    workload.customers_.push_back(customer);
  }
  workload.poor_customers_ = options.poor_customers;
  for (int i = 0; workload.poor_customers_.empty() && options.poor > 0 && i < kPoorAccounts; ++i) {
    const std::string customer = run + "-poor" + std::to_string(i);
    OpenAccount(clients, customer, kPoorDeposit, options.currency);
    workload.poor_customers_.push_back(customer);
  }
  return workload;
}

OrderPlan Workload::Next() {
  const double draw = std::uniform_real_distribution<double>(0, 1)(random_);
  OrderPlan plan;
  if (draw < options_.out_of_stock) {
    plan.expected = Expected::kOutOfStock;
  } else if (draw < options_.out_of_stock + options_.poor) {
    plan.expected = Expected::kDeclined;
  } else if (draw < options_.out_of_stock + options_.poor + options_.cancel) {
    plan.expected = Expected::kCancelled;
  }
  plan.customer = Pick(plan.expected == Expected::kDeclined ? poor_customers_ : customers_, random_);
  plan.sku = plan.expected == Expected::kOutOfStock ? empty_sku_ : Pick(skus_, random_);
  return plan;
}

v1::PlaceOrderRequest Workload::Request(const OrderPlan& plan, uint64_t sequence) const {
  v1::PlaceOrderRequest request;
  request.set_idempotency_key(run_id_ + "-o" + std::to_string(sequence));
  request.set_customer_id(plan.customer);
  request.set_currency(options_.currency);
  auto* line = request.add_lines();
  line->set_sku(plan.sku);
  line->set_quantity(1);
  return request;
}

}  // namespace orderly::loadgen
