#include "orderly/app/platform_settings.h"

#include <cstdlib>

namespace orderly::app {

InventorySettings InventorySettings::Parse(const config::Node& section) {
  return InventorySettings{rpc::ServerSettings::Parse(section)};
}

PaymentSettings PaymentSettings::Parse(const config::Node& section) {
  PaymentSettings settings;
  settings.server = rpc::ServerSettings::Parse(section);
  settings.max_order_minor_units =
      section.Int("max_order_minor_units", settings.max_order_minor_units, 1, 1'000'000'000'000'000);
  return settings;
}

OrderSettings OrderSettings::Parse(const config::Node& section) {
  OrderSettings settings;
  settings.server = rpc::ServerSettings::Parse(section);
  settings.inventory = rpc::ClientSettings::Parse(section.Section("inventory"), "127.0.0.1:17002");
  settings.breaker_failures = static_cast<int>(section.Int("breaker_failures", settings.breaker_failures, 1, 1000));
  settings.breaker_open =
      std::chrono::milliseconds(section.Int("breaker_open_ms", settings.breaker_open.count(), 1, 600'000));
  settings.product_cache_ttl = std::chrono::milliseconds(
      section.Int("product_cache_ms", settings.product_cache_ttl.count(), 0, 3'600'000));
  settings.product_cache_size = section.Int("product_cache_size", settings.product_cache_size, 1, 10'000'000);
  settings.watch_poll = std::chrono::milliseconds(section.Int("watch_poll_ms", settings.watch_poll.count(), 1, 60'000));
  settings.max_pending = section.Int("max_pending", settings.max_pending, 1, 10'000'000);
  settings.pending_count_interval = std::chrono::milliseconds(
      section.Int("pending_count_interval_ms", settings.pending_count_interval.count(), 1, 60'000));
  return settings;
}

OrchestratorSettings OrchestratorSettings::Parse(const config::Node& section) {
  OrchestratorSettings settings;
  settings.server = rpc::ServerSettings::Parse(section);
  settings.step_timeout =
      std::chrono::milliseconds(section.Int("step_timeout_ms", settings.step_timeout.count(), 1, 3'600'000));
  settings.sweep_interval =
      std::chrono::milliseconds(section.Int("sweep_interval_ms", settings.sweep_interval.count(), 1, 600'000));
  settings.resend_after =
      std::chrono::milliseconds(section.Int("resend_after_ms", settings.resend_after.count(), 1, 86'400'000));
  settings.resend_max_interval = std::chrono::milliseconds(
      section.Int("resend_max_interval_ms", settings.resend_max_interval.count(), settings.resend_after.count(),
                  86'400'000));
  settings.stuck_after_attempts = section.Int("stuck_after_attempts", settings.stuck_after_attempts, 2, 1'000);
  settings.stats_interval =
      std::chrono::milliseconds(section.Int("stats_interval_ms", settings.stats_interval.count(), 100, 3'600'000));
  return settings;
}

AnalyticsSettings AnalyticsSettings::Parse(const config::Node& section) {
  AnalyticsSettings settings;
  settings.server = rpc::ServerSettings::Parse(section);
  settings.late_allowance =
      std::chrono::milliseconds(section.Int("late_allowance_ms", settings.late_allowance.count(), 0, 86'400'000));
  settings.watch_poll = std::chrono::milliseconds(section.Int("watch_poll_ms", settings.watch_poll.count(), 1, 60'000));
  settings.batch_linger =
      std::chrono::milliseconds(section.Int("batch_linger_ms", settings.batch_linger.count(), 0, 60'000));
  return settings;
}

ServicesSettings ServicesSettings::Parse(const config::Node& section) {
  ServicesSettings settings;
  settings.inventory = InventorySettings::Parse(section.Section("inventory"));
  settings.payment = PaymentSettings::Parse(section.Section("payment"));
  settings.order = OrderSettings::Parse(section.Section("order"));
  settings.orchestrator = OrchestratorSettings::Parse(section.Section("orchestrator"));
  settings.analytics = AnalyticsSettings::Parse(section.Section("analytics"));
  return settings;
}

PlatformSettings PlatformSettings::Parse(const config::Node& root) {
  PlatformSettings settings;
  settings.log = log::Settings::Parse(root.Section("log"));
  settings.postgres = pg::Settings::Parse(root.Section("postgres"));
  settings.redis = cache::Settings::Parse(root.Section("redis"));
  settings.kafka = messaging::KafkaSettings::Parse(root.Section("kafka"));
  settings.outbox = messaging::OutboxSettings::Parse(root.Section("outbox"));
  settings.services = ServicesSettings::Parse(root.Section("services"));
  settings.edge = rpc::EdgeSettings::Parse(root.Section("edge"), root.Section("auth"), root.Section("rate_limit"));
  return settings;
}

std::string ConfigPath(const std::vector<std::string>& args, const std::string& fallback) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--config") return args[i + 1];
  }
  if (const char* env = std::getenv("ORDERLY_CONFIG"); env != nullptr && *env != '\0') return env;
  return fallback;
}

PlatformSettings LoadPlatformSettings(const std::string& file) {
  const auto document = config::Document::LoadFile(file, config::ProcessEnvironment());
  PlatformSettings settings = PlatformSettings::Parse(document.Root());
  document.RejectUnknownKeys();
  return settings;
}

}  // namespace orderly::app
