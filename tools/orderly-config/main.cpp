// orderly-config: checks an Orderly config file, exports the local stack's endpoints to scripts and
// lists the Kafka topics deployments create.
#include <cstdio>
#include <string>
#include <vector>

#include "orderly/app/platform_settings.h"
#include "orderly/cache/redis_client.h"
#include "orderly/messaging/topics.h"
#include "orderly/pg/cluster.h"

namespace {

constexpr const char* kUsage =
    "usage: orderly-config check [--connect] FILE   validate FILE (and reach every shard and Redis)\n"
    "       orderly-config stack-env FILE           print the local stack's endpoints as shell variables\n"
    "       orderly-config topics                   print every Kafka topic, dead-letter topics included, one a line\n";

void CheckConnections(const orderly::app::PlatformSettings& settings) {
  // A cluster connects to every shard on construction; the schema does not matter for a check.
  orderly::pg::Cluster cluster(settings.postgres, "public");
  orderly::cache::RedisClient redis(settings.redis);
  redis.Command({"PING"});
}

void PrintStackEnv(const orderly::app::PlatformSettings& settings) {
  std::string shards;
  for (const auto& shard : settings.postgres.shards) {
    shards += (shards.empty() ? "" : " ") + shard.name + ":" + shard.host + ":" + std::to_string(shard.port) + ":" +
              shard.dbname;
  }
  std::printf("ORDERLY_PG_SHARDS='%s'\n", shards.c_str());
  std::printf("ORDERLY_REDIS_HOST='%s'\nORDERLY_REDIS_PORT='%d'\n", settings.redis.host.c_str(), settings.redis.port);
  std::printf("ORDERLY_KAFKA_BROKERS='%s'\n", settings.kafka.brokers.c_str());
  // How long a handled record may wait for its offset commit: the soak allows that much consumer lag.
  std::printf("ORDERLY_KAFKA_COMMIT_INTERVAL_MS='%lld'\n",
              static_cast<long long>(settings.kafka.commit_interval.count()));
  // Start order: order prices through inventory, so inventory comes first.
  const auto& services = settings.services;
  std::printf("ORDERLY_SERVICES='inventory=%s payment=%s order=%s orchestrator=%s analytics=%s'\n",
              services.inventory.server.listen.c_str(), services.payment.server.listen.c_str(),
              services.order.server.listen.c_str(), services.orchestrator.server.listen.c_str(),
              services.analytics.server.listen.c_str());
  std::printf("ORDERLY_METRICS='inventory=%s payment=%s order=%s orchestrator=%s analytics=%s'\n",
              services.inventory.server.metrics_listen.c_str(), services.payment.server.metrics_listen.c_str(),
              services.order.server.metrics_listen.c_str(), services.orchestrator.server.metrics_listen.c_str(),
              services.analytics.server.metrics_listen.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  if (command == "topics" && args.size() == 1) {
    // Without kafka.prefix: the names docker-compose.yml and deploy/k8s create (tests/deploy compares them).
    for (const auto& topic : orderly::messaging::AllTopics()) std::printf("%s\n", topic.c_str());
    return 0;
  }
  const bool connect = args.size() > 2 && args[1] == "--connect";
  if ((command != "check" && command != "stack-env") || args.size() != (connect ? 3u : 2u)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  try {
    const auto settings = orderly::app::LoadPlatformSettings(args.back());
    if (command == "stack-env") {
      PrintStackEnv(settings);
      return 0;
    }
    if (connect) CheckConnections(settings);
    std::printf("config %s: ok\n", args.back().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "config error: %s\n", e.what());
    return 1;
  }
}
