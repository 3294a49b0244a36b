// The whole stack as processes (started by the `stack` fixture), driven the way any client would:
// gRPC stubs generated from the protos, and envelopes on the Kafka topics.
#include <gtest/gtest.h>

#include <map>

#include "orderly/messaging/envelope.h"
#include "orderly/messaging/producer.h"
#include "orderly/messaging/topics.h"
#include "orderly/rpc/channel.h"
#include "orderly/v1/inventory.grpc.pb.h"
#include "orderly/v1/order.grpc.pb.h"
#include "orderly/v1/payment.grpc.pb.h"
#include "rpc_assert.h"
#include "test_tokens.h"
#include "service_harness.h"
#include "test_env.h"

namespace orderly {
namespace {

using testing::TestPlatform;
using testing::UniqueName;

class StackTest : public ::testing::Test {
 protected:
  const app::ServicesSettings& services_ = TestPlatform().services;
  std::unique_ptr<v1::InventoryService::Stub> inventory_ =
      testing::TokenStub<v1::InventoryService>(services_.inventory.server.listen);
  std::unique_ptr<v1::PaymentService::Stub> payment_ =
      testing::TokenStub<v1::PaymentService>(services_.payment.server.listen);
  std::unique_ptr<v1::OrderService::Stub> orders_ = testing::TokenStub<v1::OrderService>(services_.order.server.listen);
};

TEST_F(StackTest, ProtoOnlyClientPlacesAnOrderThatEndsConfirmedAndDrivesCommandsByHand) {
  const std::string sku = UniqueName("SKU");
  const std::string customer = UniqueName("customer");
  v1::UpsertProductRequest product;
  product.mutable_product()->set_sku(sku);
  product.mutable_product()->set_name("Teapot");
  product.mutable_product()->mutable_unit_price()->set_minor_units(2500);
  product.mutable_product()->mutable_unit_price()->set_currency("EUR");
  v1::UpsertProductResponse upserted;
  ASSERT_RPC_OK(inventory_->UpsertProduct(&context, product, &upserted));
  v1::RestockRequest restock;
  restock.set_sku(sku);
  restock.set_quantity(5);
  v1::RestockResponse restocked;
  ASSERT_RPC_OK(inventory_->Restock(&context, restock, &restocked));
  v1::OpenAccountRequest open;
  open.set_customer_id(customer);
  open.set_currency("EUR");
  v1::OpenAccountResponse opened;
  ASSERT_RPC_OK(payment_->OpenAccount(&context, open, &opened));
  v1::DepositRequest deposit;
  deposit.set_customer_id(customer);
  deposit.mutable_amount()->set_minor_units(10'000);
  deposit.mutable_amount()->set_currency("EUR");
  v1::DepositResponse deposited;
  ASSERT_RPC_OK(payment_->Deposit(&context, deposit, &deposited));

  testing::TopicReader events(TestPlatform().kafka, std::string(messaging::kOrderEvents));
  testing::TopicReader replies(TestPlatform().kafka, std::string(messaging::kSagaReplies));
  v1::PlaceOrderRequest place;
  place.set_idempotency_key("checkout-1");
  place.set_customer_id(customer);
  place.set_currency("EUR");
  place.add_lines()->set_sku(sku);
  place.mutable_lines(0)->set_quantity(2);
  v1::PlaceOrderResponse placed;
  ASSERT_RPC_OK(orders_->PlaceOrder(&context, place, &placed));
  const v1::Order& order = placed.order();
  EXPECT_EQ(order.status(), v1::ORDER_STATUS_PENDING);
  EXPECT_EQ(order.total().minor_units(), 5000);
  ASSERT_TRUE(events.WaitFor("orderly.v1.OrderPlaced", order.order_id()));

  // The orchestrator drives the saga to the end.
  v1::GetOrderRequest get;
  get.set_order_id(order.order_id());
  v1::GetOrderResponse current;
  ASSERT_TRUE(testing::WaitUntil([&] {
    grpc::ClientContext context;
    return orders_->GetOrder(&context, get, &current).ok() && current.order().status() != v1::ORDER_STATUS_PENDING;
  }));
  EXPECT_EQ(current.order().status(), v1::ORDER_STATUS_CONFIRMED);
  ASSERT_TRUE(events.WaitFor("orderly.v1.OrderConfirmed", order.order_id()));

  // Commands sent by hand, for an order no saga knows, get their replies too.
  const std::string manual = UniqueName("manual-order");
  UuidV7Generator ids(SystemClock::Instance());
  v1::ReserveStock reserve;
  reserve.set_order_id(manual);
  auto* line = reserve.add_lines();
  line->set_sku(sku);
  line->set_quantity(1);
  v1::AuthorizePayment authorize;
  authorize.set_order_id(manual);
  authorize.set_customer_id(customer);
  authorize.mutable_amount()->set_minor_units(1000);
  authorize.mutable_amount()->set_currency("EUR");
  const messaging::EnvelopeContext routing{manual, "", "", "", ""};
  const auto envelope = [&](const google::protobuf::Message& command) {
    return messaging::Encode(messaging::MakeEnvelope(command, routing, ids, SystemClock::Instance()));
  };
  messaging::Producer producer(TestPlatform().kafka);
  const auto results =
      producer.PublishBatch({{std::string(messaging::kInventoryCommands), manual, envelope(reserve), {}},
                             {std::string(messaging::kPaymentCommands), manual, envelope(authorize), {}}});
  for (const auto& result : results) ASSERT_TRUE(result.delivered) << result.error;
  ASSERT_TRUE(replies.WaitFor("orderly.v1.StockReserved", manual));
  ASSERT_TRUE(replies.WaitFor("orderly.v1.PaymentAuthorized", manual));

  // The confirmed order shipped and was charged; the manual one is reserved and held.
  v1::GetStockRequest stock;
  stock.set_sku(sku);
  v1::GetStockResponse stocked;
  ASSERT_TRUE(testing::WaitUntil([&] {
    grpc::ClientContext context;
    return inventory_->GetStock(&context, stock, &stocked).ok() && stocked.stock().on_hand() == 3;
  }));
  EXPECT_EQ(stocked.stock().reserved(), 1);
  v1::GetAccountRequest account;
  account.set_customer_id(customer);
  account.set_currency("EUR");
  v1::GetAccountResponse balance;
  ASSERT_TRUE(testing::WaitUntil([&] {
    grpc::ClientContext context;
    return payment_->GetAccount(&context, account, &balance).ok() && balance.account().held().minor_units() == 1000;
  }));
  EXPECT_EQ(balance.account().available().minor_units(), 10'000 - 5000 - 1000);

  // Undo the manual order by hand too, so the shared stack stays audit-clean.
  v1::ReleaseStock release;
  release.set_order_id(manual);
  v1::VoidPayment void_payment;
  void_payment.set_order_id(manual);
  void_payment.set_customer_id(customer);
  for (const auto& result :
       producer.PublishBatch({{std::string(messaging::kInventoryCommands), manual, envelope(release), {}},
                              {std::string(messaging::kPaymentCommands), manual, envelope(void_payment), {}}})) {
    ASSERT_TRUE(result.delivered) << result.error;
  }
  ASSERT_TRUE(replies.WaitFor("orderly.v1.StockReleased", manual));
  ASSERT_TRUE(replies.WaitFor("orderly.v1.PaymentVoided", manual));
}

}  // namespace
}  // namespace orderly
