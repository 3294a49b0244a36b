#pragma once

#include <gtest/gtest.h>

#include "orderly/inventory/inventory.h"
#include "orderly/messaging/topics.h"
#include "orderly/v1/inventory.grpc.pb.h"
#include "service_harness.h"

namespace orderly::inventory {

/// An inventory service of its own, a stub on it, and helpers for products, stock and commands.
class InventoryTest : public ::testing::Test {
 protected:
  InventoryTest() {
    service_.Start();
    stub_ = v1::InventoryService::NewStub(service_.Channel());
  }

  grpc::Status Upsert(const std::string& sku, int64_t price = 1250, const std::string& currency = "EUR");
  void AddProduct(const std::string& sku, int64_t on_hand);
  v1::Stock Stock(const std::string& sku);
  /// Sends ReserveStock for `order_id` with (sku, quantity) lines to inventory.commands.
  v1::Envelope Reserve(const std::string& order_id, const std::vector<std::pair<std::string, int>>& lines);
  v1::Envelope Release(const std::string& order_id);
  v1::Envelope Commit(const std::string& order_id);
  testing::TopicReader& Replies();

  testing::ServiceHarness service_{Definition()};
  std::unique_ptr<v1::InventoryService::Stub> stub_;
};

}  // namespace orderly::inventory
