#pragma once

// A fixture for many orders through the whole stack as processes (the `stack` fixture's services).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "orderly/rpc/channel.h"
#include "orderly/v1/inventory.grpc.pb.h"
#include "orderly/v1/order.grpc.pb.h"
#include "orderly/v1/payment.grpc.pb.h"
#include "test_env.h"

namespace orderly {

using testing::RequiredEnv;
using testing::TestPlatform;
using testing::UniqueName;
using testing::WaitUntil;

template <typename Service>
std::unique_ptr<typename Service::Stub> Connect(const std::string& address) {
  rpc::ClientSettings settings;
  settings.target = address;
  settings.deadline = std::chrono::seconds(10);
  return Service::NewStub(rpc::CreateChannel(settings));
}

inline bool Ok(const std::function<grpc::Status(grpc::ClientContext*)>& call) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return call(&context).ok();
}

class LoadTest : public ::testing::Test {
 protected:
  // A product with `units` in stock and `count` customers who can each pay for one unit.
  void Seed(int units, int count) {
    v1::UpsertProductRequest product;
    product.mutable_product()->set_sku(sku_);
    product.mutable_product()->set_name("Limited edition");
    product.mutable_product()->mutable_unit_price()->set_minor_units(100);
    product.mutable_product()->mutable_unit_price()->set_currency("EUR");
    v1::UpsertProductResponse upserted;
    ASSERT_TRUE(Ok([&](auto* c) { return inventory_->UpsertProduct(c, product, &upserted); }));
    v1::RestockRequest restock;
    restock.set_sku(sku_);
    restock.set_quantity(units);
    v1::RestockResponse restocked;
    ASSERT_TRUE(Ok([&](auto* c) { return inventory_->Restock(c, restock, &restocked); }));
    for (int i = 0; i < count; ++i) {
      customers_.push_back(UniqueName("buyer"));
      v1::OpenAccountRequest open;
      open.set_customer_id(customers_.back());
      open.set_currency("EUR");
      v1::OpenAccountResponse opened;
      ASSERT_TRUE(Ok([&](auto* c) { return payment_->OpenAccount(c, open, &opened); }));
      v1::DepositRequest deposit;
      deposit.set_customer_id(customers_.back());
      deposit.mutable_amount()->set_minor_units(1000);
      deposit.mutable_amount()->set_currency("EUR");
      v1::DepositResponse deposited;
      ASSERT_TRUE(Ok([&](auto* c) { return payment_->Deposit(c, deposit, &deposited); }));
    }
  }

  // Places one unit for customer `i`, retrying while a service is down; the key makes retries safe.
  std::string Place(size_t i) {
    v1::PlaceOrderRequest place;
    place.set_idempotency_key("burst");
    place.set_customer_id(customers_[i]);
    place.set_currency("EUR");
    place.add_lines()->set_sku(sku_);
    place.mutable_lines(0)->set_quantity(1);
    v1::PlaceOrderResponse placed;
    EXPECT_TRUE(WaitUntil([&] { return Ok([&](auto* c) { return orders_->PlaceOrder(c, place, &placed); }); },
                          std::chrono::seconds(60)));
    return placed.order().order_id();
  }

  // Waits until no order is pending; the count of each final status.
  std::map<v1::OrderStatus, int> Outcomes(const std::vector<std::string>& ids) {
    std::map<v1::OrderStatus, int> outcomes;
    EXPECT_TRUE(WaitUntil(
        [&] {
          outcomes.clear();
          for (const auto& id : ids) {
            v1::GetOrderRequest get;
            get.set_order_id(id);
            v1::GetOrderResponse response;
            Ok([&](auto* c) { return orders_->GetOrder(c, get, &response); });
            ++outcomes[response.order().status()];
          }
          return outcomes[v1::ORDER_STATUS_PENDING] == 0;
        },
        std::chrono::seconds(180)));
    return outcomes;
  }

  v1::Stock Stock() {
    v1::GetStockRequest request;
    request.set_sku(sku_);
    v1::GetStockResponse response;
    Ok([&](auto* c) { return inventory_->GetStock(c, request, &response); });
    return response.stock();
  }

  const app::ServicesSettings& services_ = TestPlatform().services;
  std::unique_ptr<v1::InventoryService::Stub> inventory_ = Connect<v1::InventoryService>(services_.inventory.server.listen);
  std::unique_ptr<v1::PaymentService::Stub> payment_ = Connect<v1::PaymentService>(services_.payment.server.listen);
  std::unique_ptr<v1::OrderService::Stub> orders_ = Connect<v1::OrderService>(services_.order.server.listen);
  const std::string sku_ = UniqueName("SKU");
  std::vector<std::string> customers_;
};

}  // namespace orderly
