#include "orderly/analytics/analytics.h"
#include "orderly/metrics/registry.h"

#include "event_recorder.h"
#include "grpc_service.h"
#include "sales_reader.h"

namespace orderly::analytics {
namespace {

constexpr const char* kName = "analytics";

class Module final : public app::ServiceModule {
 public:
  explicit Module(app::Runtime& runtime)
      : settings_(runtime.settings.services.analytics),
        recorder_(settings_.late_allowance, metrics::DefaultRegistry()),
        reader_(*runtime.cluster),
        grpc_(reader_, settings_.watch_poll, SystemClock::Instance()),
        consumer_(app::MakeCommandConsumer(
            runtime, kName,
            [this](pg::Transaction& tx, const v1::Envelope& envelope) { recorder_.Record(tx, envelope); },
            // Every event on the windows' shard: its inbox row commits with the window it changes.
            [](const v1::Envelope&) { return std::string(kShardKey); }, settings_.batch_linger)) {}

  std::vector<HostedService> GrpcServices() override {
    return {{&grpc_, v1::AnalyticsService::service_full_name(), GrpcService::Access()}};
  }
  void Stop() override { consumer_->Stop(); }

 private:
  const app::AnalyticsSettings settings_;
  const EventRecorder recorder_;
  const SalesReader reader_;
  GrpcService grpc_;
  std::unique_ptr<messaging::Consumer> consumer_;  // last: stops before what its handler uses goes away
};

}  // namespace

app::ServiceDefinition Definition() {
  return app::DefineService<Module>(kName, kName, Migrations(), [](const app::PlatformSettings& settings) {
    return settings.services.analytics.server;
  });
}

}  // namespace orderly::analytics
