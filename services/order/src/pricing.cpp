#include "pricing.h"

#include "orderly/common/errors.h"
#include "orderly/rpc/bearer_token.h"
#include "orderly/rpc/channel.h"

namespace orderly::order {

InventoryPricer::InventoryPricer(const rpc::ClientSettings& settings, int breaker_failures,
                                 std::chrono::milliseconds breaker_open, std::shared_ptr<auth::TokenSource> tokens,
                                 ProductCache& cache)
    : settings_(settings),
      stub_(v1::InventoryService::NewStub(rpc::CreateChannel(settings, std::move(tokens)))),
      breaker_("inventory", breaker_failures, breaker_open),
      cache_(cache) {}

v1::Product InventoryPricer::Product(const std::string& sku, const std::string& field) {
  if (auto cached = cache_.Get(sku)) return *std::move(cached);
  if (!breaker_.Allow()) {
    throw Unavailable("inventory at " + settings_.target + " is failing; circuit open, retry shortly");
  }
  v1::GetProductRequest request;
  request.set_sku(sku);
  v1::GetProductResponse response;
  const auto context = rpc::MakeContext(settings_);
  const grpc::Status status = stub_->GetProduct(context.get(), request, &response);
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      breaker_.RecordSuccess();
      cache_.Put(response.product());
      return response.product();
    case grpc::StatusCode::NOT_FOUND:
      breaker_.RecordSuccess();
      throw NotFound(field + ": unknown sku '" + sku + "'");
    case grpc::StatusCode::INVALID_ARGUMENT:
      breaker_.RecordSuccess();
      throw InvalidArgument(field, status.error_message());
    default:
      breaker_.RecordFailure();
      throw Unavailable("inventory at " + settings_.target + ": " + status.error_message());
  }
}

}  // namespace orderly::order
