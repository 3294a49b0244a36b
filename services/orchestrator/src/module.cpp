#include <spdlog/spdlog.h>

#include "orderly/common/periodic.h"
#include "orderly/orchestrator/orchestrator.h"

#include "grpc_service.h"
#include "orderly/messaging/topics.h"
#include "refund_sagas.h"
#include "reply_horizon.h"
#include "saga_engine.h"
#include "saga_stats.h"
#include "timer_sweeper.h"

namespace orderly::orchestrator {
namespace {

constexpr const char* kName = "orchestrator";

class Module final : public app::ServiceModule {
 public:
  explicit Module(app::Runtime& runtime)
      : cluster_(*runtime.cluster),
        stats_reporter_(runtime.settings.services.orchestrator.stats_interval,
                        [this, interval = runtime.settings.services.orchestrator.stats_interval] {
                          CountInFlight();
                          if (const std::string report = stats_.TakeReport(interval); !report.empty()) {
                            spdlog::info("{}", report);
                          }
                        }),
        engine_(runtime.settings.kafka, runtime.settings.services.orchestrator, SystemClock::Instance(), stats_),
        refunds_(engine_, stats_),
        grpc_(*runtime.cluster, runtime.settings.services.orchestrator.stuck_after_attempts),
        offsets_(runtime.settings.kafka),
        // Asked apart from the consumer: on its handle, each refresh held up the consumption of replies.
        horizon_([this, group = runtime.settings.kafka.Group(messaging::ConsumerGroupOf(kName).name()),
                  topic = runtime.settings.kafka.Topic(messaging::kSagaReplies)] {
                   return offsets_.Progress(group, {topic});
                 },
                 SystemClock::Instance()),
        sweeper_(*runtime.cluster, engine_, horizon_, runtime.settings.services.orchestrator.sweep_interval),
        consumer_(app::MakeCommandConsumer(
            runtime, kName, [this](pg::Transaction& tx, const v1::Envelope& envelope) {
              if (RefundSagas::Handles(envelope.type())) {
                refunds_.Handle(tx, envelope);
              } else if (envelope.type().rfind("orderly.v1.Order", 0) == 0) {
                engine_.OnOrderEvent(tx, envelope);
              } else {
                engine_.OnReply(tx, envelope);
              }
            })),
        horizon_refresher_(runtime.settings.services.orchestrator.sweep_interval, [this] { RefreshHorizon(); }) {}

  std::vector<HostedService> GrpcServices() override {
    return {{&grpc_, v1::SagaService::service_full_name(), GrpcService::Access()}};
  }
  void Stop() override {
    horizon_refresher_.Stop();
    consumer_->Stop();
    sweeper_.Stop();
    stats_reporter_.Stop();
  }

 private:
  void RefreshHorizon() {
    try {
      horizon_.Refresh();
    } catch (const std::exception& e) {
      spdlog::warn("step timers wait: cannot see how far saga.replies has been consumed: {}", e.what());
    }
  }

  // The sagas_in_flight gauge: unfinished sagas on every shard, counted at each stats interval.
  void CountInFlight() {
    try {
      int64_t count = 0;
      pg::TxOptions read_only;
      read_only.read_only = true;
      for (size_t shard = 0; shard < cluster_.shard_count(); ++shard) {
        count += cluster_.Transact(
            shard,
            [](pg::Transaction& tx) {
              // The states as literals, so the planner matches the partial indexes saga_instances_running
              // and refund_sagas_running.
              return tx.Exec("SELECT (SELECT count(*) FROM saga_instances WHERE state NOT IN "
                             "('SAGA_STATE_CONFIRMED', 'SAGA_STATE_REJECTED', 'SAGA_STATE_CANCELLED')) + "
                             "(SELECT count(*) FROM refund_sagas WHERE state = 'SAGA_STATE_REFUNDING')")
                  .One()
                  .Int(0);
            },
            read_only);
      }
      stats_.SetInFlight(count);
    } catch (const std::exception& e) {
      spdlog::warn("cannot count the sagas in flight: {}", e.what());
    }
  }

  pg::Cluster& cluster_;
  SagaStats stats_;
  PeriodicThread stats_reporter_;
  SagaEngine engine_;
  RefundSagas refunds_;
  GrpcService grpc_;
  messaging::TopicAdmin offsets_;  // only the horizon refresher's thread uses it
  ReplyHorizon horizon_;
  TimerSweeper sweeper_;
  std::unique_ptr<messaging::Consumer> consumer_;  // stops before what its handler uses goes away
  PeriodicThread horizon_refresher_;               // last: it asks the consumer
};

}  // namespace

app::ServiceDefinition Definition() {
  return app::DefineService<Module>(kName, kName, Migrations(), [](const app::PlatformSettings& settings) {
    return settings.services.orchestrator.server;
  });
}

}  // namespace orderly::orchestrator
