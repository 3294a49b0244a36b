#include "inventory_fixture.h"

namespace orderly::inventory {

grpc::Status InventoryTest::Upsert(const std::string& sku, int64_t price, const std::string& currency) {
  v1::UpsertProductRequest request;
  request.mutable_product()->set_sku(sku);
  request.mutable_product()->set_name("Product " + sku);
  request.mutable_product()->mutable_unit_price()->set_minor_units(price);
  request.mutable_product()->mutable_unit_price()->set_currency(currency);
  v1::UpsertProductResponse response;
  grpc::ClientContext context;
  return stub_->UpsertProduct(&context, request, &response);
}

void InventoryTest::AddProduct(const std::string& sku, int64_t on_hand) {
  ASSERT_TRUE(Upsert(sku).ok());
  if (on_hand == 0) return;
  v1::RestockRequest request;
  request.set_sku(sku);
  request.set_quantity(on_hand);
  v1::RestockResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->Restock(&context, request, &response).ok());
}

v1::Stock InventoryTest::Stock(const std::string& sku) {
  v1::GetStockRequest request;
  request.set_sku(sku);
  v1::GetStockResponse response;
  grpc::ClientContext context;
  const grpc::Status status = stub_->GetStock(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.stock();
}

v1::Envelope InventoryTest::Reserve(const std::string& order_id, const std::vector<std::pair<std::string, int>>& lines) {
  v1::ReserveStock command;
  command.set_order_id(order_id);
  for (const auto& [sku, quantity] : lines) {
    auto* line = command.add_lines();
    line->set_sku(sku);
    line->set_quantity(quantity);
  }
  return service_.Send(messaging::kInventoryCommands, order_id, command);
}

v1::Envelope InventoryTest::Release(const std::string& order_id) {
  v1::ReleaseStock command;
  command.set_order_id(order_id);
  return service_.Send(messaging::kInventoryCommands, order_id, command);
}

v1::Envelope InventoryTest::Commit(const std::string& order_id) {
  v1::CommitStock command;
  command.set_order_id(order_id);
  return service_.Send(messaging::kInventoryCommands, order_id, command);
}

testing::TopicReader& InventoryTest::Replies() { return service_.Reader(messaging::kSagaReplies); }

}  // namespace orderly::inventory
