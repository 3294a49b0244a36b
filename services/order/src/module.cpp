#include <spdlog/spdlog.h>

#include "orderly/cache/cache_aside.h"
#include "orderly/common/periodic.h"
#include "orderly/order/order.h"

#include "event_store.h"
#include "grpc_service.h"
#include "orders.h"
#include "pricing.h"

namespace orderly::order {
namespace {

constexpr const char* kName = "order";

class Module final : public app::ServiceModule {
 public:
  explicit Module(app::Runtime& runtime)
      : settings_(runtime.settings.services.order),
        store_(runtime.settings.kafka, SystemClock::Instance()),
        products_(settings_.product_cache_ttl, static_cast<size_t>(settings_.product_cache_size),
                  SystemClock::Instance()),
        pricer_(settings_.inventory, settings_.breaker_failures, settings_.breaker_open, runtime.service_tokens,
                products_),
        // Keyed by schema too, so deployments sharing one Redis never read each other's entries.
        cache_(*runtime.redis, "orderly:" + runtime.cluster->schema() + ":order:", runtime.settings.redis.cache_ttl),
        admission_(settings_.max_pending, SystemClock::Instance()),
        orders_(*runtime.cluster, store_, pricer_, cache_, admission_),
        pending_counter_(settings_.pending_count_interval, [this] { CountPending(); }),
        grpc_(orders_, settings_.watch_poll),
        consumer_(app::MakeCommandConsumer(
            runtime, kName,
            [this](pg::Transaction& tx, const v1::Envelope& envelope) { orders_.Handle(tx, envelope); })) {}

  std::vector<HostedService> GrpcServices() override {
    return {{&grpc_, v1::OrderService::service_full_name(), GrpcService::Access()}};
  }
  void Stop() override {
    consumer_->Stop();
    pending_counter_.Stop();
  }

 private:
  void CountPending() {
    try {
      admission_.Observe(orders_.CountPending());
    } catch (const std::exception& e) {
      spdlog::warn("cannot count pending orders for admission control: {}", e.what());
    }
  }

  const app::OrderSettings settings_;
  EventStore store_;
  ProductCache products_;
  InventoryPricer pricer_;
  cache::CacheAside cache_;
  AdmissionGate admission_;
  Orders orders_;
  PeriodicThread pending_counter_;
  GrpcService grpc_;
  std::unique_ptr<messaging::Consumer> consumer_;  // last: stops before what its handler uses goes away
};

}  // namespace

app::ServiceDefinition Definition() {
  // "order" is a reserved word in SQL
  return app::DefineService<Module>(kName, "orders", Migrations(), [](const app::PlatformSettings& settings) {
    return settings.services.order.server;
  });
}

}  // namespace orderly::order
