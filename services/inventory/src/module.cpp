#include "orderly/cache/cache_aside.h"
#include "orderly/inventory/inventory.h"

#include "catalog.h"
#include "command_handler.h"
#include "grpc_service.h"
#include "reservations.h"

namespace orderly::inventory {
namespace {

constexpr const char* kName = "inventory";

class Module final : public app::ServiceModule {
 public:
  explicit Module(app::Runtime& runtime)
      : catalog_(*runtime.cluster),
        reservations_(*runtime.cluster),
        // Keyed by schema too, so deployments sharing one Redis never read each other's entries.
        products_(*runtime.redis, "orderly:" + runtime.cluster->schema() + ":product:", runtime.settings.redis.cache_ttl),
        grpc_(catalog_, products_),
        commands_(reservations_, runtime.settings.kafka, SystemClock::Instance()),
        consumer_(app::MakeCommandConsumer(
            runtime, kName, [this](pg::Transaction& tx, const v1::Envelope& envelope) { commands_.Handle(tx, envelope); },
            [this](const v1::Envelope& envelope) { return commands_.ShardKey(envelope); })) {}

  std::vector<HostedService> GrpcServices() override {
    return {{&grpc_, v1::InventoryService::service_full_name(), GrpcService::Access()}};
  }
  void Stop() override { consumer_->Stop(); }

 private:
  Catalog catalog_;
  Reservations reservations_;
  cache::CacheAside products_;
  GrpcService grpc_;
  CommandHandler commands_;
  std::unique_ptr<messaging::Consumer> consumer_;  // last: stops before what its handler uses goes away
};

}  // namespace

app::ServiceDefinition Definition() {
  return app::DefineService<Module>(kName, kName, Migrations(), [](const app::PlatformSettings& settings) {
    return settings.services.inventory.server;
  });
}

}  // namespace orderly::inventory
