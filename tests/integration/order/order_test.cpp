#include <gtest/gtest.h>

#include <thread>

#include "orderly/inventory/inventory.h"
#include "orderly/messaging/envelope.h"
#include "orderly/messaging/topics.h"
#include "orderly/order/order.h"
#include "orderly/v1/inventory.grpc.pb.h"
#include "orderly/v1/order.grpc.pb.h"
#include "service_harness.h"
#include "test_env.h"

namespace orderly::order {
namespace {

using messaging::Payload;

class OrderTest : public ::testing::Test {
 protected:
  OrderTest() {
    inventory_.Start();
    auto catalog = v1::InventoryService::NewStub(inventory_.Channel());
    for (const auto& [sku, price] : std::vector<std::pair<std::string, int64_t>>{{"MUG", 1200}, {"TEA", 450}}) {
      v1::UpsertProductRequest request;
      request.mutable_product()->set_sku(sku);
      request.mutable_product()->set_name(sku);
      request.mutable_product()->mutable_unit_price()->set_minor_units(price);
      request.mutable_product()->mutable_unit_price()->set_currency("EUR");
      v1::UpsertProductResponse response;
      grpc::ClientContext context;
      EXPECT_TRUE(catalog->UpsertProduct(&context, request, &response).ok());
    }
    auto& order = service_.settings().services.order;
    order.inventory.target = inventory_.Address();
    order.inventory.deadline = std::chrono::milliseconds(500);
    order.breaker_failures = 2;
    order.breaker_open = std::chrono::seconds(30);
    order.watch_poll = std::chrono::milliseconds(20);
    service_.Start();
    stub_ = v1::OrderService::NewStub(service_.Channel());
  }

  v1::PlaceOrderRequest Request(const std::string& key, const std::string& customer = "alice") {
    v1::PlaceOrderRequest request;
    request.set_idempotency_key(key);
    request.set_customer_id(customer);
    request.set_currency("EUR");
    auto* mug = request.add_lines();
    mug->set_sku("MUG");
    mug->set_quantity(2);
    auto* tea = request.add_lines();
    tea->set_sku("TEA");
    tea->set_quantity(1);
    return request;
  }

  grpc::Status Place(const v1::PlaceOrderRequest& request, v1::Order* order = nullptr) {
    v1::PlaceOrderResponse response;
    grpc::ClientContext context;
    const grpc::Status status = stub_->PlaceOrder(&context, request, &response);
    if (order != nullptr) *order = response.order();
    return status;
  }

  v1::Order Get(const std::string& order_id) {
    v1::GetOrderRequest request;
    request.set_order_id(order_id);
    v1::GetOrderResponse response;
    grpc::ClientContext context;
    const grpc::Status status = stub_->GetOrder(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.order();
  }

  void SendCommand(const std::string& order_id, const google::protobuf::Message& command) {
    service_.Send(messaging::kOrderCommands, order_id, command);
  }

  testing::TopicReader& Events() { return service_.Reader(messaging::kOrderEvents); }

  testing::ServiceHarness inventory_{inventory::Definition()};
  testing::ServiceHarness service_{Definition()};
  std::unique_ptr<v1::OrderService::Stub> stub_;
};

TEST_F(OrderTest, PlaceOrderPricesLinesAndPublishesOrderPlaced) {
  v1::Order order;
  ASSERT_TRUE(Place(Request("key-1"), &order).ok());
  EXPECT_EQ(order.status(), v1::ORDER_STATUS_PENDING);
  EXPECT_EQ(order.total().minor_units(), 2 * 1200 + 450);
  EXPECT_EQ(order.lines(0).unit_price().minor_units(), 1200);
  EXPECT_EQ(order.version(), 1);
  ASSERT_TRUE(Events().WaitFor(1));
  const v1::Envelope placed = Events().Received()[0];
  EXPECT_EQ(placed.type(), "orderly.v1.OrderPlaced");
  EXPECT_EQ(placed.order_id(), order.order_id());
  EXPECT_EQ(Payload<v1::OrderPlaced>(placed).total().minor_units(), 2850);
}

TEST_F(OrderTest, SameKeyAndRequestGiveTheSameOrderOnce) {
  v1::Order first;
  v1::Order second;
  ASSERT_TRUE(Place(Request("key-1"), &first).ok());
  ASSERT_TRUE(Place(Request("key-1"), &second).ok());
  EXPECT_EQ(first.order_id(), second.order_id());
  v1::PlaceOrderRequest different = Request("key-1");
  different.mutable_lines(0)->set_quantity(3);
  const grpc::Status status = Place(different);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("idempotency_key: ", 0), 0u) << status.error_message();
  Place(Request("key-2"));  // marker
  ASSERT_TRUE(Events().WaitFor(2));
  EXPECT_EQ(Events().Received().size(), 2u);
}

TEST_F(OrderTest, ConcurrentRetriesOfOneRequestMakeOneOrder) {
  std::vector<std::thread> clients;
  std::vector<std::string> ids(8);
  for (size_t i = 0; i < ids.size(); ++i) {
    clients.emplace_back([&, i] {
      v1::Order order;
      EXPECT_TRUE(Place(Request("key-race"), &order).ok());
      ids[i] = order.order_id();
    });
  }
  for (auto& client : clients) client.join();
  for (const auto& id : ids) EXPECT_EQ(id, ids[0]);
}

TEST_F(OrderTest, BadRequestsNameTheFieldAndWriteNothing) {
  const auto with = [&](const std::function<void(v1::PlaceOrderRequest&)>& edit) {
    v1::PlaceOrderRequest request = Request("key-bad");
    edit(request);
    return request;
  };
  const std::vector<std::pair<v1::PlaceOrderRequest, std::string>> cases = {
      {with([](auto& r) { r.set_idempotency_key(""); }), "idempotency_key"},
      {with([](auto& r) { r.set_customer_id(""); }), "customer_id"},
      {with([](auto& r) { r.set_currency("EURO"); }), "currency"},
      {with([](auto& r) { r.clear_lines(); }), "lines"},
      {with([](auto& r) { r.mutable_lines(1)->set_quantity(0); }), "lines[1].quantity"},
      {with([](auto& r) { r.mutable_lines(0)->set_quantity(-2); }), "lines[0].quantity"},
      {with([](auto& r) { r.mutable_lines(1)->set_sku(""); }), "lines[1].sku"},
      {with([](auto& r) { r.mutable_lines(1)->set_sku("MUG"); }), "lines[1].sku"},
      {with([](auto& r) {
         for (int i = 0; i < 60; ++i) r.add_lines()->set_sku("S" + std::to_string(i));
       }),
       "lines"},
  };
  for (const auto& [request, field] : cases) {
    const grpc::Status status = Place(request);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_EQ(status.error_message().rfind(field + ": ", 0), 0u) << status.error_message();
  }
  v1::PlaceOrderRequest unknown = Request("key-bad");
  unknown.mutable_lines(1)->set_sku("NOPE");
  EXPECT_EQ(Place(unknown).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::ListOrdersRequest list;
  list.set_customer_id("alice");
  v1::ListOrdersResponse listed;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->ListOrders(&context, list, &listed).ok());
  EXPECT_EQ(listed.orders_size(), 0);
}

TEST_F(OrderTest, DeadInventoryFailsFastWithUnavailable) {
  inventory_.Stop();
  for (int i = 0; i < 4; ++i) {
    const grpc::Status status = Place(Request("key-" + std::to_string(i)));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  }
  // The breaker is open: the call is refused without trying inventory at all.
  const grpc::Status status = Place(Request("key-open"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(status.error_message().find("circuit open"), std::string::npos) << status.error_message();
}

TEST_F(OrderTest, ConfirmFromTheTopicUpdatesTheCachedOrderOnce) {
  v1::Order order;
  ASSERT_TRUE(Place(Request("key-1"), &order).ok());
  EXPECT_EQ(Get(order.order_id()).status(), v1::ORDER_STATUS_PENDING);  // now cached
  v1::ConfirmOrder confirm;
  confirm.set_order_id(order.order_id());
  const v1::Envelope command = service_.Send(messaging::kOrderCommands, order.order_id(), confirm);
  service_.SendEnvelope(messaging::kOrderCommands, command);  // redelivered
  SendCommand(order.order_id(), confirm);                     // re-sent with a new id
  ASSERT_TRUE(testing::WaitUntil([&] { return Get(order.order_id()).status() == v1::ORDER_STATUS_CONFIRMED; }));
  ASSERT_TRUE(Events().WaitFor(2));
  Place(Request("key-marker"));
  ASSERT_TRUE(Events().WaitFor(3));
  int confirmed = 0;
  for (const auto& event : Events().Received()) confirmed += event.type() == "orderly.v1.OrderConfirmed" ? 1 : 0;
  EXPECT_EQ(confirmed, 1);
  EXPECT_EQ(Get(order.order_id()).version(), 2) << [&] {
    std::string types;
    for (const auto& event : Events().Received()) types += event.type() + "(" + event.order_id() + ") ";
    return types;
  }();
}

TEST_F(OrderTest, CancelRecordsTheRequestAndRejectEndsItCancelled) {
  v1::Order order;
  ASSERT_TRUE(Place(Request("key-1"), &order).ok());
  v1::CancelOrderRequest cancel;
  cancel.set_order_id(order.order_id());
  v1::CancelOrderResponse cancelled;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->CancelOrder(&context, cancel, &cancelled).ok());
  EXPECT_TRUE(cancelled.order().cancel_requested());
  EXPECT_EQ(cancelled.order().status(), v1::ORDER_STATUS_PENDING);
  ASSERT_TRUE(Events().WaitFor(2));
  EXPECT_EQ(Events().Received()[1].type(), "orderly.v1.OrderCancellationRequested");

  v1::RejectOrder reject;
  reject.set_order_id(order.order_id());
  reject.set_reason(v1::REJECT_REASON_CANCELLED_BY_CUSTOMER);
  SendCommand(order.order_id(), reject);
  ASSERT_TRUE(testing::WaitUntil([&] { return Get(order.order_id()).status() == v1::ORDER_STATUS_CANCELLED; }));
  grpc::ClientContext again;
  EXPECT_EQ(stub_->CancelOrder(&again, cancel, &cancelled).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  v1::CancelOrderRequest missing;
  missing.set_order_id("no-such-order");
  grpc::ClientContext missing_context;
  EXPECT_EQ(stub_->CancelOrder(&missing_context, missing, &cancelled).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(OrderTest, RedeliveredRejectHasOneEffect) {
  v1::Order order;
  ASSERT_TRUE(Place(Request("key-1"), &order).ok());
  v1::RejectOrder reject;
  reject.set_order_id(order.order_id());
  reject.set_reason(v1::REJECT_REASON_PAYMENT_DECLINED);
  reject.set_detail("insufficient funds");
  const v1::Envelope command = service_.Send(messaging::kOrderCommands, order.order_id(), reject);
  service_.SendEnvelope(messaging::kOrderCommands, command);
  SendCommand(order.order_id(), reject);
  ASSERT_TRUE(testing::WaitUntil([&] { return Get(order.order_id()).status() == v1::ORDER_STATUS_REJECTED; }));
  Place(Request("key-marker"));
  ASSERT_TRUE(Events().WaitFor(3));
  int rejected = 0;
  for (const auto& event : Events().Received()) rejected += event.type() == "orderly.v1.OrderRejected" ? 1 : 0;
  EXPECT_EQ(rejected, 1);
  const v1::Order final_order = Get(order.order_id());
  EXPECT_EQ(final_order.version(), 2);
  EXPECT_EQ(final_order.reject_reason(), v1::REJECT_REASON_PAYMENT_DECLINED);
  EXPECT_EQ(final_order.reject_detail(), "insufficient funds");
}

TEST_F(OrderTest, WatchStreamsChangesUntilTerminal) {
  v1::Order order;
  ASSERT_TRUE(Place(Request("key-1"), &order).ok());
  std::vector<v1::OrderStatus> seen;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::WatchOrderRequest watch;
  watch.set_order_id(order.order_id());
  auto reader = stub_->WatchOrder(&context, watch);
  v1::WatchOrderResponse update;
  ASSERT_TRUE(reader->Read(&update));
  seen.push_back(update.order().status());
  v1::RejectOrder reject;
  reject.set_order_id(order.order_id());
  reject.set_reason(v1::REJECT_REASON_OUT_OF_STOCK);
  SendCommand(order.order_id(), reject);
  while (reader->Read(&update)) seen.push_back(update.order().status());
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(seen, (std::vector<v1::OrderStatus>{v1::ORDER_STATUS_PENDING, v1::ORDER_STATUS_REJECTED}));
}

TEST_F(OrderTest, ListOrdersPagesNewestFirstAcrossShards) {
  std::vector<std::string> placed;
  for (int i = 0; i < 7; ++i) {
    v1::Order order;
    ASSERT_TRUE(Place(Request("key-" + std::to_string(i)), &order).ok());
    placed.insert(placed.begin(), order.order_id());  // newest first
  }
  Place(Request("key-other", "bob"));
  std::vector<std::string> listed;
  std::string token;
  do {
    v1::ListOrdersRequest request;
    request.set_customer_id("alice");
    request.mutable_page()->set_page_size(3);
    request.mutable_page()->set_page_token(token);
    v1::ListOrdersResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->ListOrders(&context, request, &response).ok());
    for (const auto& order : response.orders()) listed.push_back(order.order_id());
    token = response.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(listed, placed);
}

TEST_F(OrderTest, MalformedCommandGoesToTheDlqAndTheServiceGoesOn) {
  service_.SendRaw(messaging::kOrderCommands, "x", "garbage");
  v1::ConfirmOrder unknown;
  unknown.set_order_id("no-such-order");
  SendCommand("no-such-order", unknown);
  v1::Order order;
  ASSERT_TRUE(Place(Request("key-1"), &order).ok());
  v1::ConfirmOrder confirm;
  confirm.set_order_id(order.order_id());
  SendCommand(order.order_id(), confirm);
  EXPECT_TRUE(testing::WaitUntil([&] { return Get(order.order_id()).status() == v1::ORDER_STATUS_CONFIRMED; }));
}

}  // namespace
}  // namespace orderly::order
