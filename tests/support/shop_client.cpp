#include "shop_client.h"

#include "test_tokens.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "orderly/rpc/channel.h"
#include "orderly/rpc/status.h"
#include "test_env.h"

namespace orderly::testing {
namespace {

// Runs one unary call with a deadline; the response, or an empty one after failing the test.
template <typename Stub, typename Request, typename Response>
Response Call(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
              const Request& request, grpc::Status* status_out = nullptr) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  Response response;
  const grpc::Status status = (stub.*method)(&context, request, &response);
  if (status_out != nullptr) {
    *status_out = status;
  } else {
    EXPECT_TRUE(status.ok()) << Request::descriptor()->name() << ": " << status.error_message();
  }
  return response;
}

v1::Money Eur(int64_t minor_units) {
  v1::Money money;
  money.set_minor_units(minor_units);
  money.set_currency("EUR");
  return money;
}

}  // namespace

ShopClient::ShopClient(const std::string& inventory, const std::string& payment, const std::string& order,
                       const std::string& orchestrator)
    : inventory_(TokenStub<v1::InventoryService>(inventory)),
      payment_(TokenStub<v1::PaymentService>(payment)),
      orders_(TokenStub<v1::OrderService>(order)),
      sagas_(TokenStub<v1::SagaService>(orchestrator)) {}

ShopClient::ShopClient(const app::ServicesSettings& services)
    : ShopClient(services.inventory.server.listen, services.payment.server.listen, services.order.server.listen,
                 services.orchestrator.server.listen) {}

void ShopClient::AddProduct(const std::string& sku, int64_t price, int64_t units) {
  v1::UpsertProductRequest product;
  product.mutable_product()->set_sku(sku);
  product.mutable_product()->set_name("Product " + sku);
  *product.mutable_product()->mutable_unit_price() = Eur(price);
  (void)Call(*inventory_, &v1::InventoryService::Stub::UpsertProduct, product);
  v1::RestockRequest restock;
  restock.set_sku(sku);
  restock.set_quantity(units);
  (void)Call(*inventory_, &v1::InventoryService::Stub::Restock, restock);
}

void ShopClient::Fund(const std::string& customer, int64_t amount) {
  v1::OpenAccountRequest open;
  open.set_customer_id(customer);
  open.set_currency("EUR");
  (void)Call(*payment_, &v1::PaymentService::Stub::OpenAccount, open);
  v1::DepositRequest deposit;
  deposit.set_customer_id(customer);
  *deposit.mutable_amount() = Eur(amount);
  (void)Call(*payment_, &v1::PaymentService::Stub::Deposit, deposit);
}

std::vector<std::string> ShopClient::FundCustomers(int count, int64_t amount) {
  std::vector<std::string> customers;
  for (int i = 0; i < count; ++i) {
    customers.push_back(UniqueName("customer"));
    Fund(customers.back(), amount);
  }
  return customers;
}

ShopClient::Attempt ShopClient::TryPlace(const std::string& customer, const std::string& sku, int64_t quantity,
                                         const std::string& idempotency_key) {
  v1::PlaceOrderRequest request;
  request.set_idempotency_key(idempotency_key);
  request.set_customer_id(customer);
  request.set_currency("EUR");
  request.add_lines()->set_sku(sku);
  request.mutable_lines(0)->set_quantity(quantity);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::PlaceOrderResponse placed;
  Attempt attempt;
  attempt.status = orders_->PlaceOrder(&context, request, &placed);
  attempt.order_id = placed.order().order_id();
  const auto& trailers = context.GetServerTrailingMetadata();
  if (const auto retry = trailers.find(std::string(rpc::kRetryAfterMetadata)); retry != trailers.end()) {
    attempt.retry_after_ms = std::stoll(std::string(retry->second.data(), retry->second.size()));
  }
  return attempt;
}

std::string ShopClient::Place(const std::string& customer, const std::string& sku, int64_t quantity,
                              const std::string& idempotency_key) {
  Attempt attempt;
  EXPECT_TRUE(WaitUntil(
      [&] {
        attempt = TryPlace(customer, sku, quantity, idempotency_key);
        // CANCELLED: a call that reached a server as it shut down; safe to repeat with the same key.
        const grpc::StatusCode code = attempt.status.error_code();
        return code != grpc::StatusCode::UNAVAILABLE && code != grpc::StatusCode::DEADLINE_EXCEEDED &&
               code != grpc::StatusCode::CANCELLED;
      },
      std::chrono::seconds(60)));
  EXPECT_TRUE(attempt.status.ok()) << "PlaceOrder: " << attempt.status.error_message();
  return attempt.order_id;
}

void ShopClient::Cancel(const std::string& order_id) {
  v1::CancelOrderRequest request;
  request.set_order_id(order_id);
  (void)Call(*orders_, &v1::OrderService::Stub::CancelOrder, request);
}

v1::Order ShopClient::Order(const std::string& order_id) {
  v1::GetOrderRequest request;
  request.set_order_id(order_id);
  return Call(*orders_, &v1::OrderService::Stub::GetOrder, request).order();
}

v1::Order ShopClient::WaitForTerminal(const std::string& order_id, std::chrono::seconds timeout) {
  v1::Order order;
  EXPECT_TRUE(WaitUntil([&] { return (order = Order(order_id)).status() != v1::ORDER_STATUS_PENDING; }, timeout))
      << order_id << " is still pending";
  return order;
}

std::map<v1::OrderStatus, int> ShopClient::Outcomes(const std::vector<std::string>& ids) {
  std::map<v1::OrderStatus, int> outcomes;
  for (const auto& id : ids) ++outcomes[WaitForTerminal(id, std::chrono::seconds(180)).status()];
  return outcomes;
}

v1::Stock ShopClient::Stock(const std::string& sku) {
  v1::GetStockRequest request;
  request.set_sku(sku);
  return Call(*inventory_, &v1::InventoryService::Stub::GetStock, request).stock();
}

v1::Account ShopClient::Account(const std::string& customer) {
  v1::GetAccountRequest request;
  request.set_customer_id(customer);
  request.set_currency("EUR");
  return Call(*payment_, &v1::PaymentService::Stub::GetAccount, request).account();
}

std::vector<v1::LedgerEntry> ShopClient::Ledger(const std::string& customer) {
  std::vector<v1::LedgerEntry> entries;
  v1::ListLedgerRequest request;
  request.set_customer_id(customer);
  do {
    const auto page = Call(*payment_, &v1::PaymentService::Stub::ListLedger, request);
    entries.insert(entries.end(), page.entries().begin(), page.entries().end());
    request.mutable_page()->set_page_token(page.next_page_token());
  } while (!request.page().page_token().empty());
  return entries;
}

v1::Saga ShopClient::Saga(const std::string& order_id) {
  v1::GetSagaRequest request;
  request.set_order_id(order_id);
  return Call(*sagas_, &v1::SagaService::Stub::GetSaga, request).saga();
}

bool ShopClient::Settled(const std::string& order_id) {
  v1::GetSagaRequest request;
  request.set_order_id(order_id);
  grpc::Status status;  // NOT_FOUND until the orchestrator has seen the order
  const v1::Saga saga = Call(*sagas_, &v1::SagaService::Stub::GetSaga, request, &status).saga();
  for (const auto& step : saga.steps()) {
    if (step.outcome() == v1::STEP_OUTCOME_PENDING) return false;
  }
  return !saga.steps().empty();
}

int StepsNamed(const v1::Saga& saga, const std::string& name) {
  return static_cast<int>(
      std::count_if(saga.steps().begin(), saga.steps().end(), [&](const auto& step) { return step.name() == name; }));
}

int StepsWithOutcome(const v1::Saga& saga, v1::StepOutcome outcome) {
  return static_cast<int>(std::count_if(saga.steps().begin(), saga.steps().end(),
                                        [&](const auto& step) { return step.outcome() == outcome; }));
}

}  // namespace orderly::testing
