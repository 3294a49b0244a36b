// Bad input on every RPC and field, against the real services: each call is answered with the
// precise code (INVALID_ARGUMENT naming the field, NOT_FOUND for what does not exist), nothing is
// written, and every service still serves afterwards.
#include <gtest/gtest.h>

#include <climits>
#include <functional>

#include "orderly/v1/inventory.grpc.pb.h"
#include "orderly/v1/order.grpc.pb.h"
#include "orderly/v1/payment.grpc.pb.h"
#include "orderly/v1/saga.grpc.pb.h"
#include "process_stack.h"
#include "shop_client.h"
#include "test_tokens.h"

namespace orderly::testing {
namespace {

struct Stubs {
  std::unique_ptr<v1::OrderService::Stub> orders;
  std::unique_ptr<v1::InventoryService::Stub> inventory;
  std::unique_ptr<v1::PaymentService::Stub> payment;
  std::unique_ptr<v1::SagaService::Stub> sagas;
};

template <typename Stub, typename Request, typename Response>
grpc::Status Unary(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                   const Request& request) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  Response response;
  return (stub.*method)(&context, request, &response);
}

grpc::Status Watch(v1::OrderService::Stub& stub, const v1::WatchOrderRequest& request) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto reader = stub.WatchOrder(&context, request);
  v1::WatchOrderResponse update;
  while (reader->Read(&update)) {
  }
  return reader->Finish();
}

// One bad call: what is wrong, the call, the code it must get and the field its message must name.
struct Case {
  std::string what;
  std::function<grpc::Status(Stubs&)> call;
  grpc::StatusCode code = grpc::StatusCode::INVALID_ARGUMENT;
  std::string field;
};

constexpr char kSku[] = "BADINPUT-SKU";
constexpr char kCustomer[] = "badinput-customer";
const std::string kTooLong(129, 'a');  // identifiers take at most 128 characters (SKUs 64)

v1::PlaceOrderRequest GoodOrder() {
  v1::PlaceOrderRequest request;
  request.set_idempotency_key("bad-input");
  request.set_customer_id(kCustomer);
  request.set_currency("EUR");
  auto* line = request.add_lines();
  line->set_sku(kSku);
  line->set_quantity(1);
  return request;
}

Case Place(std::string what, const std::function<void(v1::PlaceOrderRequest&)>& spoil, std::string field) {
  v1::PlaceOrderRequest request = GoodOrder();
  spoil(request);
  return {std::move(what), [request](Stubs& s) { return Unary(*s.orders, &v1::OrderService::Stub::PlaceOrder, request); },
          grpc::StatusCode::INVALID_ARGUMENT, std::move(field)};
}

v1::RefundOrderRequest GoodRefund(const std::string& order_id) {
  v1::RefundOrderRequest request;
  request.set_order_id(order_id);
  request.set_idempotency_key("bad-input");
  request.set_reason("damaged");
  auto* line = request.add_lines();
  line->set_sku(kSku);
  line->set_quantity(1);
  return request;
}

// Fields are checked before the order is looked up, so the order need not exist.
Case Refund(std::string what, const std::function<void(v1::RefundOrderRequest&)>& spoil, std::string field) {
  v1::RefundOrderRequest request = GoodRefund("no-such-order");
  spoil(request);
  return {"RefundOrder: " + std::move(what),
          [request](Stubs& s) { return Unary(*s.orders, &v1::OrderService::Stub::RefundOrder, request); },
          grpc::StatusCode::INVALID_ARGUMENT, std::move(field)};
}

v1::UpsertProductRequest GoodProduct() {
  v1::UpsertProductRequest request;
  request.mutable_product()->set_sku("BADINPUT-NEW");
  request.mutable_product()->set_name("A product");
  request.mutable_product()->mutable_unit_price()->set_minor_units(100);
  request.mutable_product()->mutable_unit_price()->set_currency("EUR");
  return request;
}

Case Upsert(std::string what, const std::function<void(v1::Product&)>& spoil, std::string field) {
  v1::UpsertProductRequest request = GoodProduct();
  spoil(*request.mutable_product());
  return {std::move(what),
          [request](Stubs& s) { return Unary(*s.inventory, &v1::InventoryService::Stub::UpsertProduct, request); },
          grpc::StatusCode::INVALID_ARGUMENT, std::move(field)};
}

Case Restock(std::string what, std::string sku, int64_t quantity, std::string key, std::string field) {
  v1::RestockRequest request;
  request.set_sku(std::move(sku));
  request.set_quantity(quantity);
  request.set_idempotency_key(std::move(key));
  return {std::move(what), [request](Stubs& s) { return Unary(*s.inventory, &v1::InventoryService::Stub::Restock, request); },
          grpc::StatusCode::INVALID_ARGUMENT, std::move(field)};
}

Case Deposit(std::string what, std::string customer, int64_t amount, std::string currency, std::string field,
             grpc::StatusCode code = grpc::StatusCode::INVALID_ARGUMENT) {
  v1::DepositRequest request;
  request.set_customer_id(std::move(customer));
  request.mutable_amount()->set_minor_units(amount);
  request.mutable_amount()->set_currency(std::move(currency));
  return {std::move(what), [request](Stubs& s) { return Unary(*s.payment, &v1::PaymentService::Stub::Deposit, request); },
          code, std::move(field)};
}

template <typename Request>
Request WithId(const std::string& id) {
  Request request;
  request.set_order_id(id);
  return request;
}

std::vector<Case> OrderCases() {
  std::vector<Case> cases = {
      Place("no idempotency key", [](auto& r) { r.clear_idempotency_key(); }, "idempotency_key"),
      Place("idempotency key too long", [](auto& r) { r.set_idempotency_key(kTooLong); }, "idempotency_key"),
      Place("no customer", [](auto& r) { r.clear_customer_id(); }, "customer_id"),
      Place("customer with a space", [](auto& r) { r.set_customer_id("a b"); }, "customer_id"),
      Place("customer too long", [](auto& r) { r.set_customer_id(kTooLong); }, "customer_id"),
      Place("no currency", [](auto& r) { r.clear_currency(); }, "currency"),
      Place("lowercase currency", [](auto& r) { r.set_currency("eur"); }, "currency"),
      Place("unknown currency", [](auto& r) { r.set_currency("XYZ"); }, "currency"),
      Place("no lines", [](auto& r) { r.clear_lines(); }, "lines"),
      Place("51 lines", [](auto& r) { for (int i = 1; i <= 50; ++i) r.add_lines()->set_sku("S" + std::to_string(i)); },
            "lines"),
      Place("5000 lines", [](auto& r) { for (int i = 1; i < 5000; ++i) r.add_lines()->set_sku("S" + std::to_string(i)); },
            "lines"),
      Place("line without sku", [](auto& r) { r.mutable_lines(0)->clear_sku(); }, "lines[0].sku"),
      Place("sku with a slash", [](auto& r) { r.mutable_lines(0)->set_sku("A/B"); }, "lines[0].sku"),
      Place("sku too long", [](auto& r) { r.mutable_lines(0)->set_sku(std::string(65, 'S')); }, "lines[0].sku"),
      Place("zero quantity", [](auto& r) { r.mutable_lines(0)->set_quantity(0); }, "lines[0].quantity"),
      Place("negative quantity", [](auto& r) { r.mutable_lines(0)->set_quantity(-1); }, "lines[0].quantity"),
      Place("quantity at int32 max", [](auto& r) { r.mutable_lines(0)->set_quantity(INT32_MAX); }, "lines[0].quantity"),
      Place("one sku on two lines", [](auto& r) { *r.add_lines() = r.lines(0); }, "lines[1].sku"),
      Place("unknown sku", [](auto& r) { r.mutable_lines(0)->set_sku("NO-SUCH-SKU"); }, "NO-SUCH-SKU"),
  };
  cases.back().code = grpc::StatusCode::NOT_FOUND;
  for (Case refund : {
           Refund("no idempotency key", [](auto& r) { r.clear_idempotency_key(); }, "idempotency_key"),
           Refund("idempotency key too long", [](auto& r) { r.set_idempotency_key(kTooLong); }, "idempotency_key"),
           Refund("no reason", [](auto& r) { r.clear_reason(); }, "reason"),
           Refund("reason too long", [](auto& r) { r.set_reason(std::string(501, 'r')); }, "reason"),
           Refund("no lines", [](auto& r) { r.clear_lines(); }, "lines"),
           Refund("sku with a slash", [](auto& r) { r.mutable_lines(0)->set_sku("A/B"); }, "lines[0].sku"),
           Refund("zero quantity", [](auto& r) { r.mutable_lines(0)->set_quantity(0); }, "lines[0].quantity"),
           Refund("one sku on two lines", [](auto& r) { *r.add_lines() = r.lines(0); }, "lines[1].sku"),
       }) {
    cases.push_back(std::move(refund));
  }
  for (const auto& [what, id, code] : std::vector<std::tuple<std::string, std::string, grpc::StatusCode>>{
           {"empty", "", grpc::StatusCode::INVALID_ARGUMENT},
           {"too long", kTooLong, grpc::StatusCode::INVALID_ARGUMENT},
           {"with a quote", "a'b", grpc::StatusCode::INVALID_ARGUMENT},
           {"unknown", "no-such-order", grpc::StatusCode::NOT_FOUND}}) {
    const std::string field = code == grpc::StatusCode::NOT_FOUND ? id : "order_id";
    cases.push_back({"GetOrder: order_id " + what,
                     [id](Stubs& s) {
                       return Unary(*s.orders, &v1::OrderService::Stub::GetOrder, WithId<v1::GetOrderRequest>(id));
                     },
                     code, field});
    cases.push_back({"CancelOrder: order_id " + what,
                     [id](Stubs& s) {
                       return Unary(*s.orders, &v1::OrderService::Stub::CancelOrder, WithId<v1::CancelOrderRequest>(id));
                     },
                     code, field});
    cases.push_back({"RefundOrder: order_id " + what,
                     [id](Stubs& s) { return Unary(*s.orders, &v1::OrderService::Stub::RefundOrder, GoodRefund(id)); },
                     code, field});
    cases.push_back({"WatchOrder: order_id " + what,
                     [id](Stubs& s) { return Watch(*s.orders, WithId<v1::WatchOrderRequest>(id)); }, code, field});
    cases.push_back({"GetPayment: order_id " + what,
                     [id](Stubs& s) {
                       return Unary(*s.payment, &v1::PaymentService::Stub::GetPayment, WithId<v1::GetPaymentRequest>(id));
                     },
                     code, field});
    cases.push_back({"GetSaga: order_id " + what,
                     [id](Stubs& s) {
                       return Unary(*s.sagas, &v1::SagaService::Stub::GetSaga, WithId<v1::GetSagaRequest>(id));
                     },
                     code, field});
  }
  return cases;
}

// ListOrders, ListProducts and ListLedger share PageRequest; ListSagas has its own fields.
std::vector<Case> PageCases() {
  std::vector<Case> cases;
  for (const auto& [what, size, token, field] : std::vector<std::tuple<std::string, int32_t, std::string, std::string>>{
           {"negative page size", -1, "", "page.page_size"},
           {"page size past the limit", 100'000, "", "page.page_size"},
           {"garbage page token", 10, "%%garbage%%", "page.page_token"},
           {"page token too long", 10, std::string(5000, 'x'), "page.page_token"}}) {
    v1::PageRequest page;
    page.set_page_size(size);
    page.set_page_token(token);
    v1::ListOrdersRequest orders;
    orders.set_customer_id(kCustomer);
    *orders.mutable_page() = page;
    cases.push_back({"ListOrders: " + what,
                     [orders](Stubs& s) { return Unary(*s.orders, &v1::OrderService::Stub::ListOrders, orders); },
                     grpc::StatusCode::INVALID_ARGUMENT, field});
    v1::ListProductsRequest products;
    *products.mutable_page() = page;
    cases.push_back({"ListProducts: " + what,
                     [products](Stubs& s) {
                       return Unary(*s.inventory, &v1::InventoryService::Stub::ListProducts, products);
                     },
                     grpc::StatusCode::INVALID_ARGUMENT, field});
    v1::ListLedgerRequest ledger;
    ledger.set_customer_id(kCustomer);
    *ledger.mutable_page() = page;
    cases.push_back({"ListLedger: " + what,
                     [ledger](Stubs& s) { return Unary(*s.payment, &v1::PaymentService::Stub::ListLedger, ledger); },
                     grpc::StatusCode::INVALID_ARGUMENT, field});
    v1::ListSagasRequest sagas;
    sagas.set_page_size(size);
    sagas.set_page_token(token);
    cases.push_back({"ListSagas: " + what,
                     [sagas](Stubs& s) { return Unary(*s.sagas, &v1::SagaService::Stub::ListSagas, sagas); },
                     grpc::StatusCode::INVALID_ARGUMENT, field.substr(field.find('.') + 1)});
  }
  v1::ListOrdersRequest no_customer;
  cases.push_back({"ListOrders: no customer",
                   [no_customer](Stubs& s) { return Unary(*s.orders, &v1::OrderService::Stub::ListOrders, no_customer); },
                   grpc::StatusCode::INVALID_ARGUMENT, "customer_id"});
  v1::ListLedgerRequest no_owner;
  cases.push_back({"ListLedger: no customer",
                   [no_owner](Stubs& s) { return Unary(*s.payment, &v1::PaymentService::Stub::ListLedger, no_owner); },
                   grpc::StatusCode::INVALID_ARGUMENT, "customer_id"});
  v1::ListSagasRequest unknown_state;
  unknown_state.set_state(static_cast<v1::SagaState>(99));
  cases.push_back({"ListSagas: unknown state",
                   [unknown_state](Stubs& s) { return Unary(*s.sagas, &v1::SagaService::Stub::ListSagas, unknown_state); },
                   grpc::StatusCode::INVALID_ARGUMENT, "state"});
  v1::GetSagaRequest neither;
  cases.push_back({"GetSaga: neither saga_id nor order_id",
                   [neither](Stubs& s) { return Unary(*s.sagas, &v1::SagaService::Stub::GetSaga, neither); },
                   grpc::StatusCode::INVALID_ARGUMENT, "order_id"});
  return cases;
}

std::vector<Case> InventoryCases() {
  std::vector<Case> cases = {
      Upsert("no sku", [](auto& p) { p.clear_sku(); }, "product.sku"),
      Upsert("sku too long", [](auto& p) { p.set_sku(std::string(65, 'S')); }, "product.sku"),
      Upsert("no name", [](auto& p) { p.clear_name(); }, "product.name"),
      Upsert("name too long", [](auto& p) { p.set_name(std::string(201, 'n')); }, "product.name"),
      Upsert("name with a control character", [](auto& p) { p.set_name("bell\a"); }, "product.name"),
      Upsert("negative price", [](auto& p) { p.mutable_unit_price()->set_minor_units(-1); },
             "product.unit_price.minor_units"),
      Upsert("price at int64 max", [](auto& p) { p.mutable_unit_price()->set_minor_units(INT64_MAX); },
             "product.unit_price.minor_units"),
      Upsert("lowercase currency", [](auto& p) { p.mutable_unit_price()->set_currency("eur"); },
             "product.unit_price.currency"),
      Upsert("no price", [](auto& p) { p.clear_unit_price(); }, "product.unit_price.currency"),
      Restock("Restock: no sku", "", 1, "", "sku"),
      Restock("Restock: zero", kSku, 0, "", "quantity"),
      Restock("Restock: negative", kSku, -5, "", "quantity"),
      Restock("Restock: int64 max", kSku, INT64_MAX, "", "quantity"),
      Restock("Restock: key too long", kSku, 1, kTooLong, "idempotency_key"),
      Restock("Restock: unknown sku", "NO-SUCH-SKU", 1, "", "NO-SUCH-SKU"),
  };
  cases.back().code = grpc::StatusCode::NOT_FOUND;
  for (const auto& [what, sku, code] : std::vector<std::tuple<std::string, std::string, grpc::StatusCode>>{
           {"empty", "", grpc::StatusCode::INVALID_ARGUMENT},
           {"too long", std::string(65, 'S'), grpc::StatusCode::INVALID_ARGUMENT},
           {"unknown", "NO-SUCH-SKU", grpc::StatusCode::NOT_FOUND}}) {
    const std::string field = code == grpc::StatusCode::NOT_FOUND ? sku : "sku";
    v1::GetProductRequest product;
    product.set_sku(sku);
    cases.push_back({"GetProduct: sku " + what,
                     [product](Stubs& s) { return Unary(*s.inventory, &v1::InventoryService::Stub::GetProduct, product); },
                     code, field});
    v1::GetStockRequest stock;
    stock.set_sku(sku);
    cases.push_back({"GetStock: sku " + what,
                     [stock](Stubs& s) { return Unary(*s.inventory, &v1::InventoryService::Stub::GetStock, stock); },
                     code, field});
  }
  return cases;
}

std::vector<Case> PaymentCases() {
  std::vector<Case> cases = {
      Deposit("Deposit: no customer", "", 100, "EUR", "customer_id"),
      Deposit("Deposit: zero", kCustomer, 0, "EUR", "amount.minor_units"),
      Deposit("Deposit: negative", kCustomer, -100, "EUR", "amount.minor_units"),
      Deposit("Deposit: int64 max", kCustomer, INT64_MAX, "EUR", "amount.minor_units"),
      Deposit("Deposit: lowercase currency", kCustomer, 100, "eur", "amount.currency"),
      Deposit("Deposit: no account in that currency", kCustomer, 100, "USD", "USD", grpc::StatusCode::NOT_FOUND),
      Deposit("Deposit: unknown customer", "no-such-customer", 100, "EUR", "no-such-customer",
              grpc::StatusCode::NOT_FOUND),
  };
  for (const auto& [what, customer, currency, field] : std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {"no customer", "", "EUR", "customer_id"},
           {"customer too long", kTooLong, "EUR", "customer_id"},
           {"no currency", kCustomer, "", "currency"},
           {"unknown currency", kCustomer, "ABC", "currency"}}) {
    v1::OpenAccountRequest open;
    open.set_customer_id(customer);
    open.set_currency(currency);
    cases.push_back({"OpenAccount: " + what,
                     [open](Stubs& s) { return Unary(*s.payment, &v1::PaymentService::Stub::OpenAccount, open); },
                     grpc::StatusCode::INVALID_ARGUMENT, field});
    v1::GetAccountRequest get;
    get.set_customer_id(customer);
    get.set_currency(currency);
    cases.push_back({"GetAccount: " + what,
                     [get](Stubs& s) { return Unary(*s.payment, &v1::PaymentService::Stub::GetAccount, get); },
                     grpc::StatusCode::INVALID_ARGUMENT, field});
  }
  return cases;
}

// Rows of every table a bad call could have written, summed over the shards.
int64_t RowsWritten(const ProcessStack& stack) {
  return stack.SumOverShards(
      "SELECT (SELECT count(*) FROM orders.orders) + (SELECT count(*) FROM orders.order_events) + "
      "(SELECT count(*) FROM inventory.products) + (SELECT count(*) FROM inventory.stock) + "
      "(SELECT count(*) FROM payment.accounts) + (SELECT count(*) FROM payment.ledger_entries) + "
      "(SELECT count(*) FROM orchestrator.saga_instances)");
}

TEST(BadInputTest, EveryRpcAnswersBadFieldsPreciselyWritesNothingAndKeepsServing) {
  ProcessStack stack;
  ShopClient shop(stack.settings().services);
  shop.AddProduct(kSku, 100, 10);
  shop.Fund(kCustomer, 1'000);
  const auto& services = stack.settings().services;
  Stubs stubs{TokenStub<v1::OrderService>(services.order.server.listen),
              TokenStub<v1::InventoryService>(services.inventory.server.listen),
              TokenStub<v1::PaymentService>(services.payment.server.listen),
              TokenStub<v1::SagaService>(services.orchestrator.server.listen)};
  const int64_t rows_before = RowsWritten(stack);

  std::vector<Case> cases = OrderCases();
  for (auto group : {PageCases(), InventoryCases(), PaymentCases()}) {
    cases.insert(cases.end(), group.begin(), group.end());
  }
  for (const Case& bad : cases) {
    const grpc::Status status = bad.call(stubs);
    EXPECT_EQ(status.error_code(), bad.code) << bad.what << ": " << status.error_message();
    EXPECT_NE(status.error_message().find(bad.field), std::string::npos)
        << bad.what << ": the message should name " << bad.field << ": " << status.error_message();
  }

  EXPECT_EQ(RowsWritten(stack), rows_before);
  const std::string order_id = shop.Place(kCustomer, kSku, 1, "after-bad-input");
  EXPECT_EQ(shop.WaitForTerminal(order_id).status(), v1::ORDER_STATUS_CONFIRMED);
}

}  // namespace
}  // namespace orderly::testing
