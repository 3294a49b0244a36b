#include "grpc_service.h"

#include "orderly/common/validate.h"
#include "orderly/rpc/status.h"

namespace orderly::inventory {
namespace {

constexpr int64_t kMaxPriceMinor = 1'000'000'000'000;  // 10^12 minor units
constexpr int64_t kMaxRestock = 1'000'000'000;

}  // namespace

rpc::AccessTable GrpcService::Access() {
  using rpc::Access;
  using rpc::RateGroup;
  return rpc::ServiceAccess(v1::InventoryService::service_full_name(),
                            {{"UpsertProduct", {Access::kAdmin, RateGroup::kWrite}},
                             {"GetProduct", {Access::kAnyCaller, RateGroup::kRead}},
                             {"ListProducts", {Access::kAnyCaller, RateGroup::kRead}},
                             {"Restock", {Access::kAdmin, RateGroup::kWrite}},
                             {"GetStock", {Access::kAdmin, RateGroup::kWrite}}});
}

grpc::ServerUnaryReactor* GrpcService::UpsertProduct(grpc::CallbackServerContext* context,
                                                     const v1::UpsertProductRequest* request,
                                                     v1::UpsertProductResponse* response) {
  return rpc::FinishUnary(context, [&] {
    const v1::Product& product = request->product();
    validate::Identifier("product.sku", product.sku());
    validate::Text("product.name", product.name(), 200);
    validate::Range("product.unit_price.minor_units", product.unit_price().minor_units(), 0, kMaxPriceMinor);
    validate::Currency("product.unit_price.currency", product.unit_price().currency());
    *response->mutable_product() = catalog_.Upsert(product);
    products_.Invalidate(product.sku());
  });
}

grpc::ServerUnaryReactor* GrpcService::GetProduct(grpc::CallbackServerContext* context,
                                                  const v1::GetProductRequest* request,
                                                  v1::GetProductResponse* response) {
  return rpc::FinishUnary(context, [&] {
    validate::Identifier("sku", request->sku());
    const std::string bytes =
        products_.GetOrLoad(request->sku(), [&] { return catalog_.Get(request->sku()).SerializeAsString(); });
    if (!response->mutable_product()->ParseFromString(bytes)) throw Internal("corrupt cached product " + request->sku());
  });
}

grpc::ServerUnaryReactor* GrpcService::ListProducts(grpc::CallbackServerContext* context,
                                                    const v1::ListProductsRequest* request,
                                                    v1::ListProductsResponse* response) {
  return rpc::FinishUnary(context, [&] {
    const int size = validate::PageSize("page.page_size", request->page().page_size());
    const std::string& after = request->page().page_token();
    if (!after.empty()) validate::Identifier("page.page_token", after);
    auto products = catalog_.List(after, size + 1);  // one extra tells whether a next page exists
    if (products.size() > static_cast<size_t>(size)) {
      products.resize(static_cast<size_t>(size));
      response->set_next_page_token(products.back().sku());
    }
    for (auto& product : products) *response->add_products() = std::move(product);
  });
}

grpc::ServerUnaryReactor* GrpcService::Restock(grpc::CallbackServerContext* context, const v1::RestockRequest* request,
                                               v1::RestockResponse* response) {
  return rpc::FinishUnary(context, [&] {
    validate::Identifier("sku", request->sku());
    validate::Range("quantity", request->quantity(), 1, kMaxRestock);
    if (!request->idempotency_key().empty()) validate::Identifier("idempotency_key", request->idempotency_key(), 128);
    *response->mutable_stock() = catalog_.Restock(request->sku(), request->quantity(), request->idempotency_key());
  });
}

grpc::ServerUnaryReactor* GrpcService::GetStock(grpc::CallbackServerContext* context, const v1::GetStockRequest* request,
                                                v1::GetStockResponse* response) {
  return rpc::FinishUnary(context, [&] {
    validate::Identifier("sku", request->sku());
    *response->mutable_stock() = catalog_.GetStock(request->sku());
  });
}

}  // namespace orderly::inventory
