#include "pricing.h"

#include <spdlog/spdlog.h>

#include "orderly/common/errors.h"
#include "orderly/rpc/bearer_token.h"
#include "orderly/rpc/channel.h"

namespace orderly::order {

// What a background read needs kept until its callback ran.
struct InventoryPricer::Refresh {
  std::unique_ptr<grpc::ClientContext> context;
  v1::GetProductRequest request;
  v1::GetProductResponse response;
};

InventoryPricer::InventoryPricer(const rpc::ClientSettings& settings, int breaker_failures,
                                 std::chrono::milliseconds breaker_open, std::shared_ptr<auth::TokenSource> tokens,
                                 ProductCache& cache)
    : settings_(settings),
      stub_(v1::InventoryService::NewStub(rpc::CreateChannel(settings, std::move(tokens)))),
      breaker_("inventory", breaker_failures, breaker_open),
      cache_(cache) {}

InventoryPricer::~InventoryPricer() {
  std::unique_lock lock(mutex_);
  refreshes_done_.wait(lock, [this] { return refreshes_out_ == 0; });
}

v1::Product InventoryPricer::Product(const std::string& sku, const std::string& field) {
  if (auto cached = cache_.Get(sku)) {
    if (cache_.ClaimRefresh(sku)) RefreshInBackground(sku);
    return *std::move(cached);
  }
  if (!breaker_.Allow()) {
    throw Unavailable("inventory at " + settings_.target + " is failing; circuit open, retry shortly");
  }
  const Answer answer = Load(sku);
  switch (answer.status.error_code()) {
    case grpc::StatusCode::OK:
      return answer.product;
    case grpc::StatusCode::NOT_FOUND:
      throw NotFound(field + ": unknown sku '" + sku + "'");
    case grpc::StatusCode::INVALID_ARGUMENT:
      throw InvalidArgument(field, answer.status.error_message());
    default:
      throw Unavailable("inventory at " + settings_.target + ": " + answer.status.error_message());
  }
}

InventoryPricer::Answer InventoryPricer::Load(const std::string& sku) {
  std::promise<Answer> promise;
  std::shared_future<Answer> flight;
  {
    std::lock_guard lock(flights_mutex_);
    // Checked again under the lock: a call that just ended put its product before it left.
    if (auto cached = cache_.Get(sku)) return {grpc::Status::OK, *std::move(cached)};
    if (const auto it = flights_.find(sku); it != flights_.end()) {
      flight = it->second;
    } else {
      flights_.emplace(sku, promise.get_future().share());
    }
  }
  if (flight.valid()) return flight.get();
  Answer answer;
  v1::GetProductRequest request;
  request.set_sku(sku);
  v1::GetProductResponse response;
  const auto context = rpc::MakeContext(settings_);
  answer.status = stub_->GetProduct(context.get(), request, &response);
  Record(answer.status);
  if (answer.status.ok()) {
    answer.product = response.product();
    cache_.Put(answer.product);
  }
  {
    std::lock_guard lock(flights_mutex_);
    flights_.erase(sku);
  }
  promise.set_value(answer);
  return answer;
}

void InventoryPricer::RefreshInBackground(const std::string& sku) {
  if (!breaker_.Allow()) return cache_.RefreshFailed(sku);
  auto refresh = std::make_shared<Refresh>();
  refresh->context = rpc::MakeContext(settings_);
  refresh->request.set_sku(sku);
  {
    std::lock_guard lock(mutex_);
    ++refreshes_out_;
  }
  stub_->async()->GetProduct(
      refresh->context.get(), &refresh->request, &refresh->response, [this, refresh](const grpc::Status& status) {
        Record(status);
        if (status.ok()) {
          cache_.Put(refresh->response.product());
        } else {
          cache_.RefreshFailed(refresh->request.sku());
          spdlog::warn("cannot read product {} again from inventory (orders keep the cached one): {}",
                       refresh->request.sku(), status.error_message());
        }
        std::lock_guard lock(mutex_);
        if (--refreshes_out_ == 0) refreshes_done_.notify_all();
      });
}

void InventoryPricer::Record(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::INVALID_ARGUMENT:
      breaker_.RecordSuccess();
      return;
    default:
      breaker_.RecordFailure();
  }
}

}  // namespace orderly::order
