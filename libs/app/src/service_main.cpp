#include "orderly/app/service_main.h"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "orderly/messaging/outbox.h"
#include "orderly/metrics/http_server.h"
#include "orderly/metrics/process_metrics.h"
#include "orderly/messaging/topics.h"
#include "orderly/rpc/server.h"

namespace orderly::app {

Runtime::Runtime(PlatformSettings platform, const std::string& schema, std::vector<pg::MigrationSet> migrations)
    : settings(std::move(platform)) {
  cluster = std::make_unique<pg::Cluster>(settings.postgres, schema);
  migrations.insert(migrations.begin(), messaging::SchemaMigrations());
  pg::ApplyMigrations(*cluster, migrations);
  redis = std::make_unique<cache::RedisClient>(settings.redis);
  producer = std::make_unique<messaging::Producer>(settings.kafka);
  relay = std::make_unique<messaging::OutboxRelay>(*cluster, *producer, settings.outbox);
  const auth::Settings& auth = settings.edge.auth;
  if (!auth.service_key_file.empty()) {
    auth::TokenRequest request{"orderly-" + schema, {std::string(auth::kScopeService)}, auth.verifier.issuer,
                               auth.verifier.audience, auth.service_token_ttl};
    service_tokens = std::make_shared<auth::MintingTokenSource>(
        auth::SigningKey::LoadFile(auth.service_key_file, auth.service_key_id), std::move(request),
        SystemClock::Instance());
  }
}

Runtime::~Runtime() = default;

std::unique_ptr<messaging::Consumer> MakeCommandConsumer(Runtime& runtime, const std::string& service,
                                                         messaging::EnvelopeHandler handle, messaging::ShardKey shard_key,
                                                         std::optional<std::chrono::milliseconds> batch_linger) {
  messaging::KafkaSettings kafka = runtime.settings.kafka;
  if (batch_linger) kafka.batch_linger = *batch_linger;
  const messaging::ConsumerGroup& group = messaging::ConsumerGroupOf(service);
  std::vector<std::string> topics;
  for (std::string_view topic : group.topics) topics.push_back(kafka.Topic(topic));
  return std::make_unique<messaging::Consumer>(
      kafka, kafka.Group(group.name()), std::move(topics),
      messaging::MakeInboxHandlers(*runtime.cluster, service, std::move(handle), std::move(shard_key)),
      *runtime.producer);
}  // members go in reverse: the relay stops before the producer flushes

void HostModule(rpc::Server& server, Runtime& runtime, ServiceModule& module, rpc::InterceptorFactories trailing) {
  rpc::AccessTable access;
  for (auto& hosted : module.GrpcServices()) {
    server.AddService(hosted.service, hosted.name);
    access.merge(hosted.access);
  }
  for (auto& stage : rpc::InterceptorChain(runtime.settings.edge, std::move(access), runtime.redis.get(),
                                           SystemClock::Instance(), std::move(trailing))) {
    server.AddInterceptor(std::move(stage));
  }
}

int RunService(int argc, char** argv, const ServiceDefinition& definition) {
  rpc::ShutdownSignal signal;  // before any thread starts
  const std::vector<std::string> args(argv + 1, argv + argc);
  PlatformSettings settings;
  try {
    settings = LoadPlatformSettings(ConfigPath(args, "config/local.yaml"));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: config error: %s\n", definition.name.c_str(), e.what());
    return 1;
  }
  log::Init(settings.log, definition.name);
  try {
    const rpc::ServerSettings server_settings = definition.server_settings(settings);
    metrics::ProcessMetrics process_metrics(metrics::DefaultRegistry());
    metrics::HttpServer metrics_server(metrics::DefaultRegistry(), server_settings.metrics_listen);
    Runtime runtime(std::move(settings), definition.schema, definition.migrations);
    const std::unique_ptr<ServiceModule> module = definition.build(runtime);
    rpc::Server server(server_settings);
    rpc::InterceptorFactories trailing;  // the chain's last stages, after the rate limit (metrics)
    HostModule(server, runtime, *module, std::move(trailing));
    server.OnShutdown([&] {
      runtime.relay->Stop();
      spdlog::info("outbox relay stopped");
    });
    server.OnShutdown([&] {  // hooks run last-added first
      module->Stop();
      spdlog::info("consumers stopped");
    });
    server.Start();
    return rpc::ServeUntilSignal(server, signal);
  } catch (const std::exception& e) {
    spdlog::critical("{} cannot start: {}", definition.name, e.what());
    return 1;
  }
}

}  // namespace orderly::app
