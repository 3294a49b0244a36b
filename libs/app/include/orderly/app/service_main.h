#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/impl/codegen/service_type.h>

#include "orderly/app/platform_settings.h"
#include "orderly/auth/token_minter.h"
#include "orderly/cache/redis_client.h"
#include "orderly/messaging/consumer.h"
#include "orderly/messaging/inbox_handler.h"
#include "orderly/messaging/outbox_relay.h"
#include "orderly/messaging/producer.h"
#include "orderly/pg/cluster.h"
#include "orderly/pg/migrations.h"
#include "orderly/rpc/access.h"
#include "orderly/rpc/edge.h"
#include "orderly/rpc/server.h"

namespace orderly::app {

/// The infrastructure one service process shares, built in this order and destroyed in reverse.
struct Runtime {
  PlatformSettings settings;
  std::unique_ptr<pg::Cluster> cluster;
  std::unique_ptr<cache::RedisClient> redis;
  std::unique_ptr<messaging::Producer> producer;
  std::unique_ptr<messaging::OutboxRelay> relay;
  // Tokens (scope service) for calls to other services, minted from auth.service_key_file; null
  // when none is configured.
  std::shared_ptr<auth::TokenSource> service_tokens;

  /// Connects to every shard (and applies `migrations` plus the outbox/inbox tables), Redis and
  /// Kafka, and starts the outbox relay. @throws on the first thing that cannot start.
  Runtime(PlatformSettings platform, const std::string& schema, std::vector<pg::MigrationSet> migrations);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
};

/// The consumer of a service's input topics: its messaging::ConsumerGroupOf(service), group and
/// topics with kafka.prefix; each message runs `handle` in an inbox transaction on
/// shard(shard_key(message)). `batch_linger`, if given, replaces kafka.batch_linger for it.
[[nodiscard]] std::unique_ptr<messaging::Consumer> MakeCommandConsumer(
    Runtime& runtime, const std::string& service, messaging::EnvelopeHandler handle,
    messaging::ShardKey shard_key = nullptr, std::optional<std::chrono::milliseconds> batch_linger = std::nullopt);

/// A service's own parts, built on the runtime.
class ServiceModule {
 public:
  virtual ~ServiceModule() = default;
  /// One gRPC service to serve, and its full proto name for the health service.
  struct HostedService {
    grpc::Service* service;
    std::string name;
    rpc::AccessTable access;  // who may call each of its methods; a method missing is refused
  };
  /// The gRPC services to serve; they live as long as the module.
  [[nodiscard]] virtual std::vector<HostedService> GrpcServices() = 0;
  /// Stops consuming; called after in-flight calls drained, before the runtime goes away.
  virtual void Stop() = 0;
};

/// Serves `module`'s services on `server` behind the edge interceptor chain (rpc::InterceptorChain:
/// request id and access log, authentication, authorization by the services' access tables, rate
/// limit), followed by `trailing` (the metrics stage). Call before server.Start().
/// @throws InvalidArgument if auth is on and its JWKS cannot be loaded.
void HostModule(rpc::Server& server, Runtime& runtime, ServiceModule& module, rpc::InterceptorFactories trailing = {});

/// What makes one service.
struct ServiceDefinition {
  std::string name;    // process and log name
  std::string schema;  // its PostgreSQL schema (not every name is a valid identifier: "order")
  std::vector<pg::MigrationSet> migrations;
  std::function<rpc::ServerSettings(const PlatformSettings&)> server_settings;
  std::function<std::unique_ptr<ServiceModule>(Runtime&)> build;
};

/// The definition of a service whose module is `Module`, constructed from the runtime.
template <typename Module>
ServiceDefinition DefineService(std::string name, std::string schema, pg::MigrationSet migrations,
                                std::function<rpc::ServerSettings(const PlatformSettings&)> server_settings) {
  return ServiceDefinition{std::move(name), std::move(schema), {std::move(migrations)}, std::move(server_settings),
                           [](Runtime& runtime) -> std::unique_ptr<ServiceModule> {
                             return std::make_unique<Module>(runtime);
                           }};
}

/// main() of every service: config (--config/ORDERLY_CONFIG), logging, runtime, module, gRPC
/// server; serves until SIGTERM/SIGINT, then drains calls, stops consumers, the relay and the
/// producer, in that order. Returns 0 after a clean shutdown; 1 with one log line if start-up
/// failed (bad config, unreachable shard, port in use).
int RunService(int argc, char** argv, const ServiceDefinition& definition);

}  // namespace orderly::app
