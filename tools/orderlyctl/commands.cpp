// The orderlyctl commands except audit: one small function per "group command".
#include <cstdio>
#include <thread>

#include "cli.h"
#include "orderly/common/hash.h"
#include "token_command.h"

namespace orderly::ctl {
namespace {

using Args = std::vector<std::string>;

void Need(const Args& args, size_t count) {
  if (args.size() != count) throw UsageError{"expected " + std::to_string(count) + " arguments"};
}

std::vector<std::string> StockRow(const v1::Stock& stock) {
  return {stock.sku(),
          std::to_string(stock.on_hand()),
          std::to_string(stock.reserved()),
          std::to_string(stock.available()),
          std::to_string(stock.restocked()),
          std::to_string(stock.committed()),
          std::to_string(stock.returned())};
}

void PrintStock(const Output& out, const v1::Stock& stock, const google::protobuf::Message& message) {
  out.Print(message, [&] {
    Output::Table({"SKU", "ON_HAND", "RESERVED", "AVAILABLE", "RESTOCKED", "COMMITTED", "RETURNED"}, {StockRow(stock)});
  });
}

void PrintAccount(const Output& out, const v1::Account& account, const google::protobuf::Message& message) {
  out.Print(message, [&] {
    Output::Table({"CUSTOMER", "AVAILABLE", "HELD"},
                  {{account.customer_id(), FormatMoney(account.available()), FormatMoney(account.held())}});
  });
}

std::vector<std::string> OrderRow(const v1::Order& order) {
  std::string reason = order.reject_reason() == v1::REJECT_REASON_UNSPECIFIED
                           ? ""
                           : v1::RejectReason_Name(order.reject_reason()).substr(std::string("REJECT_REASON_").size());
  return {order.order_id(), order.customer_id(), v1::OrderStatus_Name(order.status()).substr(13),
          FormatMoney(order.total()), reason + (order.reject_detail().empty() ? "" : " (" + order.reject_detail() + ")")};
}

const std::vector<std::string> kOrderHeader = {"ORDER", "CUSTOMER", "STATUS", "TOTAL", "REASON"};

void ProductsAdd(Clients& c, const Output& out, const Args& args) {
  Need(args, 4);
  v1::UpsertProductRequest request;
  request.mutable_product()->set_sku(args[0]);
  request.mutable_product()->set_name(args[1]);
  request.mutable_product()->mutable_unit_price()->set_minor_units(ParseInt(args[2], "price (minor units)"));
  request.mutable_product()->mutable_unit_price()->set_currency(args[3]);
  const auto response = c.Call("inventory", *c.inventory, &v1::InventoryService::Stub::UpsertProduct, request);
  out.Print(response, [&] {
    Output::Table({"SKU", "NAME", "PRICE"}, {{response.product().sku(), response.product().name(),
                                              FormatMoney(response.product().unit_price())}});
  });
}

void ProductsList(Clients& c, const Output& out, const Args& args) {
  Need(args, 0);
  v1::ListProductsResponse all;
  v1::ListProductsRequest request;
  do {
    const auto page = c.Call("inventory", *c.inventory, &v1::InventoryService::Stub::ListProducts, request);
    all.mutable_products()->MergeFrom(page.products());
    request.mutable_page()->set_page_token(page.next_page_token());
  } while (!request.page().page_token().empty());
  out.Print(all, [&] {
    std::vector<std::vector<std::string>> rows;
    for (const auto& product : all.products()) {
      rows.push_back({product.sku(), product.name(), FormatMoney(product.unit_price())});
    }
    Output::Table({"SKU", "NAME", "PRICE"}, rows);
  });
}

void StockRestock(Clients& c, const Output& out, const Args& args) {
  Need(args, 2);
  v1::RestockRequest request;
  request.set_sku(args[0]);
  request.set_quantity(ParseInt(args[1], "quantity"));
  const auto response = c.Call("inventory", *c.inventory, &v1::InventoryService::Stub::Restock, request);
  PrintStock(out, response.stock(), response);
}

void StockGet(Clients& c, const Output& out, const Args& args) {
  Need(args, 1);
  v1::GetStockRequest request;
  request.set_sku(args[0]);
  const auto response = c.Call("inventory", *c.inventory, &v1::InventoryService::Stub::GetStock, request);
  PrintStock(out, response.stock(), response);
}

void AccountsOpen(Clients& c, const Output& out, const Args& args) {
  Need(args, 2);
  v1::OpenAccountRequest request;
  request.set_customer_id(args[0]);
  request.set_currency(args[1]);
  const auto response = c.Call("payment", *c.payment, &v1::PaymentService::Stub::OpenAccount, request);
  PrintAccount(out, response.account(), response);
}

void AccountsDeposit(Clients& c, const Output& out, const Args& args) {
  Need(args, 3);
  v1::DepositRequest request;
  request.set_customer_id(args[0]);
  request.mutable_amount()->set_minor_units(ParseInt(args[1], "amount (minor units)"));
  request.mutable_amount()->set_currency(args[2]);
  const auto response = c.Call("payment", *c.payment, &v1::PaymentService::Stub::Deposit, request);
  PrintAccount(out, response.account(), response);
}

void AccountsGet(Clients& c, const Output& out, const Args& args) {
  Need(args, 2);
  v1::GetAccountRequest request;
  request.set_customer_id(args[0]);
  request.set_currency(args[1]);
  const auto response = c.Call("payment", *c.payment, &v1::PaymentService::Stub::GetAccount, request);
  PrintAccount(out, response.account(), response);
}

// "SKU:QTY" as an order line.
v1::OrderLine ParseLine(const std::string& arg) {
  const size_t colon = arg.rfind(':');
  if (colon == std::string::npos) throw UsageError{"lines are SKU:QTY, got '" + arg + "'"};
  v1::OrderLine line;
  line.set_sku(arg.substr(0, colon));
  line.set_quantity(static_cast<int32_t>(ParseInt(arg.substr(colon + 1), "quantity")));
  return line;
}

std::string FormatLines(const google::protobuf::RepeatedPtrField<v1::OrderLine>& lines) {
  std::string text;
  for (const auto& line : lines) text += (text.empty() ? "" : " ") + line.sku() + ":" + std::to_string(line.quantity());
  return text;
}

const std::vector<std::string> kRefundHeader = {"REFUND", "STATUS", "AMOUNT", "LINES", "REASON"};

std::vector<std::string> RefundRow(const v1::Refund& refund) {
  const std::string reason = refund.reason() + (refund.failure().empty() ? "" : " (" + refund.failure() + ")");
  return {refund.refund_id(), v1::RefundStatus_Name(refund.status()).substr(std::string("REFUND_STATUS_").size()),
          FormatMoney(refund.amount()), FormatLines(refund.lines()), reason};
}

// The order, and its refunds below it if it has any.
void PrintOrder(const Output& out, const v1::Order& order, const google::protobuf::Message& message) {
  out.Print(message, [&] {
    Output::Table(kOrderHeader, {OrderRow(order)});
    if (order.refunds().empty()) return;
    std::vector<std::vector<std::string>> rows;
    for (const auto& refund : order.refunds()) rows.push_back(RefundRow(refund));
    std::printf("\n");
    Output::Table(kRefundHeader, rows);
  });
}

void OrdersPlace(Clients& c, const Output& out, const Args& args) {
  if (args.size() < 4) throw UsageError{"expected KEY CUSTOMER CURRENCY SKU:QTY..."};
  v1::PlaceOrderRequest request;
  request.set_idempotency_key(args[0]);
  request.set_customer_id(args[1]);
  request.set_currency(args[2]);
  for (size_t i = 3; i < args.size(); ++i) *request.add_lines() = ParseLine(args[i]);
  const auto response = c.Call("order", *c.order, &v1::OrderService::Stub::PlaceOrder, request);
  out.Print(response, [&] { Output::Table(kOrderHeader, {OrderRow(response.order())}); });
}

void OrdersRefund(Clients& c, const Output& out, const Args& args) {
  v1::RefundOrderRequest request;
  for (size_t i = 0; i < args.size(); ++i) {
    const bool flag = args[i] == "--reason" || args[i] == "--key";
    if (flag && i + 1 >= args.size()) throw UsageError{args[i] + " needs a value"};
    if (args[i] == "--reason") {
      request.set_reason(args[++i]);
    } else if (args[i] == "--key") {
      request.set_idempotency_key(args[++i]);
    } else if (request.order_id().empty()) {
      request.set_order_id(args[i]);
    } else {
      *request.add_lines() = ParseLine(args[i]);
    }
  }
  if (request.lines().empty() || request.reason().empty()) throw UsageError{"expected ORDER_ID SKU:QTY... --reason"};
  // Without --key the request names itself, so running the same command again refunds once.
  if (request.idempotency_key().empty()) {
    request.set_idempotency_key(NameBasedUuid(request.order_id() + "\n" + FormatLines(request.lines()) + "\n" +
                                              request.reason()));
  }
  const auto response = c.Call("order", *c.order, &v1::OrderService::Stub::RefundOrder, request);
  out.Print(response, [&] {
    Output::Table(kOrderHeader, {OrderRow(response.order())});
    std::printf("\n");
    Output::Table(kRefundHeader, {RefundRow(response.refund())});
  });
}

void OrdersGet(Clients& c, const Output& out, const Args& args) {
  Need(args, 1);
  v1::GetOrderRequest request;
  request.set_order_id(args[0]);
  const auto response = c.Call("order", *c.order, &v1::OrderService::Stub::GetOrder, request);
  PrintOrder(out, response.order(), response);
}

void OrdersList(Clients& c, const Output& out, const Args& args) {
  Need(args, 1);
  v1::ListOrdersRequest request;
  request.set_customer_id(args[0]);
  v1::ListOrdersResponse all;
  do {
    const auto page = c.Call("order", *c.order, &v1::OrderService::Stub::ListOrders, request);
    all.mutable_orders()->MergeFrom(page.orders());
    request.mutable_page()->set_page_token(page.next_page_token());
  } while (!request.page().page_token().empty());
  out.Print(all, [&] {
    std::vector<std::vector<std::string>> rows;
    for (const auto& order : all.orders()) rows.push_back(OrderRow(order));
    Output::Table(kOrderHeader, rows);
  });
}

void OrdersCancel(Clients& c, const Output& out, const Args& args) {
  Need(args, 1);
  v1::CancelOrderRequest request;
  request.set_order_id(args[0]);
  const auto response = c.Call("order", *c.order, &v1::OrderService::Stub::CancelOrder, request);
  out.Print(response, [&] { Output::Table(kOrderHeader, {OrderRow(response.order())}); });
}

void OrdersWatch(Clients& c, const Output& out, const Args& args) {
  Need(args, 1);
  v1::WatchOrderRequest request;
  request.set_order_id(args[0]);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
  auto reader = c.order->WatchOrder(&context, request);
  v1::WatchOrderResponse update;
  while (reader->Read(&update)) {
    out.Print(update, [&] { Output::Table(kOrderHeader, {OrderRow(update.order())}); });
    std::fflush(stdout);
  }
  Clients::Check("order", reader->Finish());
}

void PrintSagas(const Output& out, const google::protobuf::RepeatedPtrField<v1::Saga>& sagas,
                const google::protobuf::Message& message) {
  out.Print(message, [&] {
    for (const auto& saga : sagas) {
      std::printf("saga %s  order %s  %s\n", saga.saga_id().c_str(), saga.order_id().c_str(),
                  v1::SagaState_Name(saga.state()).substr(11).c_str());
      std::vector<std::vector<std::string>> rows;
      for (const auto& step : saga.steps()) {
        rows.push_back({"  " + std::to_string(step.sequence()), step.name() + (step.compensation() ? " (undo)" : ""),
                        v1::StepOutcome_Name(step.outcome()).substr(13), std::to_string(step.attempts()),
                        step.reply_type().empty() ? "-" : step.reply_type().substr(11), step.detail()});
      }
      Output::Table({"  #", "STEP", "OUTCOME", "SENT", "REPLY", "DETAIL"}, rows);
    }
  });
}

void SagasGet(Clients& c, const Output& out, const Args& args) {
  Need(args, 1);
  v1::GetSagaRequest request;
  request.set_order_id(args[0]);
  const auto response = c.Call("orchestrator", *c.sagas, &v1::SagaService::Stub::GetSaga, request);
  v1::ListSagasResponse one;
  *one.add_sagas() = response.saga();
  PrintSagas(out, one.sagas(), response);
}

void SagasList(Clients& c, const Output& out, const Args& args) {
  v1::ListSagasRequest request;
  Args states;
  for (const auto& arg : args) {
    if (arg == "--stuck") {
      request.set_stuck(true);
    } else {
      states.push_back(arg);
    }
  }
  if (states.size() > 1) throw UsageError{"expected at most a STATE"};
  if (!states.empty()) {
    v1::SagaState state = v1::SAGA_STATE_UNSPECIFIED;
    if (!v1::SagaState_Parse("SAGA_STATE_" + states[0], &state)) throw UsageError{"unknown saga state " + states[0]};
    request.set_state(state);
  }
  v1::ListSagasResponse all;
  do {
    const auto page = c.Call("orchestrator", *c.sagas, &v1::SagaService::Stub::ListSagas, request);
    all.mutable_sagas()->MergeFrom(page.sagas());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  PrintSagas(out, all.sagas(), all);
}

}  // namespace

void RunAudit(Clients& clients, const Output& out, const std::vector<std::string>& args);
void AddKafkaCommands(std::map<std::string, CommandSpec>& commands);
void AddAnalyticsCommands(std::map<std::string, CommandSpec>& commands);

std::map<std::string, CommandSpec> AllCommands() {
  std::map<std::string, CommandSpec> commands = {
      {"products add", {"products add SKU NAME PRICE_MINOR_UNITS CURRENCY", ProductsAdd}},
      {"products list", {"products list", ProductsList}},
      {"stock restock", {"stock restock SKU QUANTITY", StockRestock}},
      {"stock get", {"stock get SKU", StockGet}},
      {"accounts open", {"accounts open CUSTOMER CURRENCY", AccountsOpen}},
      {"accounts deposit", {"accounts deposit CUSTOMER AMOUNT_MINOR_UNITS CURRENCY", AccountsDeposit}},
      {"accounts get", {"accounts get CUSTOMER CURRENCY", AccountsGet}},
      {"orders place", {"orders place IDEMPOTENCY_KEY CUSTOMER CURRENCY SKU:QTY...", OrdersPlace}},
      {"orders get", {"orders get ORDER_ID", OrdersGet}},
      {"orders list", {"orders list CUSTOMER", OrdersList}},
      {"orders cancel", {"orders cancel ORDER_ID", OrdersCancel}},
      {"orders refund", {"orders refund ORDER_ID SKU:QTY... --reason TEXT [--key IDEMPOTENCY_KEY]   (return units of "
                         "a confirmed order; the same key refunds once)",
                         OrdersRefund}},
      {"orders watch", {"orders watch ORDER_ID", OrdersWatch}},
      {"orders trace", OrdersTraceCommand()},
      {"sagas get", {"sagas get ORDER_ID", SagasGet}},
      {"sagas list", {"sagas list [STATE] [--stuck]   (e.g. CONFIRMED, REJECTED, RESERVING_STOCK; --stuck: a step "
                      "still unanswered after several sends)",
                      SagasList}},
      {"audit", {"audit   check invariants across all shards; exit 1 naming each violation", RunAudit}},
      {"token mint", {"token mint --sub SUB --scope orders|admin|service[,...] [--ttl SECONDS]", TokenMint}},
  };
  AddKafkaCommands(commands);
  AddAnalyticsCommands(commands);
  return commands;
}

}  // namespace orderly::ctl
