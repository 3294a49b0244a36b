#include "inventory_fixture.h"
#include "test_env.h"

namespace orderly::inventory {
namespace {

TEST_F(InventoryTest, ProductLifecycle) {
  ASSERT_TRUE(Upsert("SKU-1", 1999).ok());
  v1::GetProductRequest get;
  get.set_sku("SKU-1");
  v1::GetProductResponse product;
  grpc::ClientContext get_context;
  ASSERT_TRUE(stub_->GetProduct(&get_context, get, &product).ok());
  EXPECT_EQ(product.product().name(), "Product SKU-1");
  EXPECT_EQ(product.product().unit_price().minor_units(), 1999);
  EXPECT_EQ(product.product().unit_price().currency(), "EUR");
  EXPECT_EQ(Stock("SKU-1").on_hand(), 0);

  v1::RestockRequest restock;
  restock.set_sku("SKU-1");
  restock.set_quantity(7);
  v1::RestockResponse restocked;
  grpc::ClientContext restock_context;
  ASSERT_TRUE(stub_->Restock(&restock_context, restock, &restocked).ok());
  EXPECT_EQ(restocked.stock().on_hand(), 7);
  EXPECT_EQ(restocked.stock().available(), 7);
  EXPECT_EQ(Stock("SKU-1").reserved(), 0);
}

TEST_F(InventoryTest, RestockWithTheSameKeyAppliesOnce) {
  AddProduct("SKU-1", 0);
  v1::RestockRequest request;
  request.set_sku("SKU-1");
  request.set_quantity(5);
  request.set_idempotency_key("delivery-42");
  for (int i = 0; i < 3; ++i) {
    v1::RestockResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->Restock(&context, request, &response).ok());
    EXPECT_EQ(response.stock().on_hand(), 5);
    EXPECT_EQ(response.stock().restocked(), 5);
  }
  request.set_quantity(6);
  v1::RestockResponse response;
  grpc::ClientContext context;
  EXPECT_EQ(stub_->Restock(&context, request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(InventoryTest, UnknownSkuIsNotFound) {
  v1::GetProductRequest get;
  get.set_sku("NOPE");
  v1::GetProductResponse product;
  grpc::ClientContext get_context;
  EXPECT_EQ(stub_->GetProduct(&get_context, get, &product).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::RestockRequest restock;
  restock.set_sku("NOPE");
  restock.set_quantity(1);
  v1::RestockResponse restocked;
  grpc::ClientContext restock_context;
  EXPECT_EQ(stub_->Restock(&restock_context, restock, &restocked).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::GetStockRequest stock;
  stock.set_sku("NOPE");
  v1::GetStockResponse stock_response;
  grpc::ClientContext stock_context;
  EXPECT_EQ(stub_->GetStock(&stock_context, stock, &stock_response).error_code(), grpc::StatusCode::NOT_FOUND);
}

struct BadProduct {
  std::string sku;
  std::string name;
  int64_t price;
  std::string currency;
  std::string field;
};

TEST_F(InventoryTest, BadProductsAreRejectedNamingTheFieldAndNothingIsWritten) {
  const std::vector<BadProduct> cases = {
      {"", "Mug", 100, "EUR", "product.sku"},
      {"has space", "Mug", 100, "EUR", "product.sku"},
      {std::string(65, 'A'), "Mug", 100, "EUR", "product.sku"},
      {"SKU-1", "", 100, "EUR", "product.name"},
      {"SKU-1", "Mug", -1, "EUR", "product.unit_price.minor_units"},
      {"SKU-1", "Mug", 100, "XXX", "product.unit_price.currency"},
      {"SKU-1", "Mug", 100, "", "product.unit_price.currency"},
  };
  for (const auto& bad : cases) {
    v1::UpsertProductRequest request;
    request.mutable_product()->set_sku(bad.sku);
    request.mutable_product()->set_name(bad.name);
    request.mutable_product()->mutable_unit_price()->set_minor_units(bad.price);
    request.mutable_product()->mutable_unit_price()->set_currency(bad.currency);
    v1::UpsertProductResponse response;
    grpc::ClientContext context;
    const grpc::Status status = stub_->UpsertProduct(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad.field;
    EXPECT_EQ(status.error_message().rfind(bad.field + ": ", 0), 0u) << status.error_message();
  }
  v1::ListProductsResponse listed;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->ListProducts(&context, v1::ListProductsRequest(), &listed).ok());
  EXPECT_EQ(listed.products_size(), 0);
}

TEST_F(InventoryTest, BadRestocksAndPagesAreRejectedNamingTheField) {
  AddProduct("SKU-1", 0);
  for (const auto& [quantity, key] : std::vector<std::pair<int64_t, std::string>>{{0, ""}, {-3, ""}, {1, "bad key"}}) {
    v1::RestockRequest request;
    request.set_sku("SKU-1");
    request.set_quantity(quantity);
    request.set_idempotency_key(key);
    v1::RestockResponse response;
    grpc::ClientContext context;
    const grpc::Status status = stub_->Restock(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message().rfind(key.empty() ? "quantity: " : "idempotency_key: ", 0), 0u)
        << status.error_message();
  }
  EXPECT_EQ(Stock("SKU-1").on_hand(), 0);
  for (int size : {-1, 501}) {
    v1::ListProductsRequest request;
    request.mutable_page()->set_page_size(size);
    v1::ListProductsResponse response;
    grpc::ClientContext context;
    const grpc::Status status = stub_->ListProducts(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message().rfind("page.page_size: ", 0), 0u) << status.error_message();
  }
}

TEST_F(InventoryTest, ListPagesThroughEveryShardInSkuOrder) {
  std::vector<std::string> skus;
  for (int i = 0; i < 23; ++i) {
    char sku[16];
    std::snprintf(sku, sizeof sku, "SKU-%03d", i);
    skus.emplace_back(sku);
    ASSERT_TRUE(Upsert(sku).ok());
  }
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    v1::ListProductsRequest request;
    request.mutable_page()->set_page_size(10);
    request.mutable_page()->set_page_token(token);
    v1::ListProductsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->ListProducts(&context, request, &response).ok());
    for (const auto& product : response.products()) seen.push_back(product.sku());
    token = response.next_page_token();
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, skus);
}

TEST_F(InventoryTest, ProductCacheIsInvalidatedOnChange) {
  ASSERT_TRUE(Upsert("SKU-1", 100).ok());
  const auto price = [&] {
    v1::GetProductRequest request;
    request.set_sku("SKU-1");
    v1::GetProductResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(stub_->GetProduct(&context, request, &response).ok());
    return response.product().unit_price().minor_units();
  };
  EXPECT_EQ(price(), 100);  // now cached
  ASSERT_TRUE(Upsert("SKU-1", 250).ok());
  EXPECT_EQ(price(), 250);
}

TEST(InventoryRedisDownTest, ServiceStillAnswersWithRedisStopped) {
  testing::ServiceHarness service(Definition());
  service.settings().redis.port = testing::FreePort();  // no Redis there
  service.Start();
  auto stub = v1::InventoryService::NewStub(service.Channel());
  v1::UpsertProductRequest upsert;
  upsert.mutable_product()->set_sku("SKU-1");
  upsert.mutable_product()->set_name("Mug");
  upsert.mutable_product()->mutable_unit_price()->set_minor_units(100);
  upsert.mutable_product()->mutable_unit_price()->set_currency("EUR");
  v1::UpsertProductResponse upserted;
  grpc::ClientContext upsert_context;
  ASSERT_TRUE(stub->UpsertProduct(&upsert_context, upsert, &upserted).ok());
  for (int i = 0; i < 3; ++i) {
    v1::GetProductRequest request;
    request.set_sku("SKU-1");
    v1::GetProductResponse response;
    grpc::ClientContext context;
    const grpc::Status status = stub->GetProduct(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.product().name(), "Mug");
  }
}

}  // namespace
}  // namespace orderly::inventory
