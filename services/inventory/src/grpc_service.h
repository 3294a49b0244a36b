#pragma once

#include "catalog.h"
#include "orderly/cache/cache_aside.h"
#include "orderly/rpc/access.h"
#include "orderly/v1/inventory.grpc.pb.h"

namespace orderly::inventory {

/// InventoryService over gRPC: validates requests (INVALID_ARGUMENT naming the field), serves
/// GetProduct through the cache and invalidates it after every committed change.
class GrpcService final : public v1::InventoryService::CallbackService {
 public:
  GrpcService(Catalog& catalog, cache::CacheAside& products) : catalog_(catalog), products_(products) {}

  /// Who may call each method: any caller reads the catalog; writes, restock and stock need admin.
  [[nodiscard]] static rpc::AccessTable Access();

  grpc::ServerUnaryReactor* UpsertProduct(grpc::CallbackServerContext* context, const v1::UpsertProductRequest* request,
                                          v1::UpsertProductResponse* response) override;
  grpc::ServerUnaryReactor* GetProduct(grpc::CallbackServerContext* context, const v1::GetProductRequest* request,
                                       v1::GetProductResponse* response) override;
  grpc::ServerUnaryReactor* ListProducts(grpc::CallbackServerContext* context, const v1::ListProductsRequest* request,
                                         v1::ListProductsResponse* response) override;
  grpc::ServerUnaryReactor* Restock(grpc::CallbackServerContext* context, const v1::RestockRequest* request,
                                    v1::RestockResponse* response) override;
  grpc::ServerUnaryReactor* GetStock(grpc::CallbackServerContext* context, const v1::GetStockRequest* request,
                                     v1::GetStockResponse* response) override;

 private:
  Catalog& catalog_;
  cache::CacheAside& products_;
};

}  // namespace orderly::inventory
