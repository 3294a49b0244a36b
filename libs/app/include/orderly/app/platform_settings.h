#pragma once

#include <string>
#include <vector>

#include "orderly/cache/redis_client.h"
#include "orderly/common/config.h"
#include "orderly/log/log.h"
#include "orderly/messaging/settings.h"
#include "orderly/pg/settings.h"
#include "orderly/rpc/edge.h"
#include "orderly/rpc/settings.h"

namespace orderly::app {

/// `services.inventory`.
struct InventorySettings {
  rpc::ServerSettings server;

  static InventorySettings Parse(const config::Node& section);
};

/// `services.payment`.
struct PaymentSettings {
  rpc::ServerSettings server;
  // Authorizations above this many minor units are declined (OVER_ORDER_LIMIT).
  int64_t max_order_minor_units = 100'000'000;

  static PaymentSettings Parse(const config::Node& section);
};

/// `services.order`.
struct OrderSettings {
  rpc::ServerSettings server;
  rpc::ClientSettings inventory;  // where prices come from
  int breaker_failures = 5;  // consecutive inventory failures that open the circuit breaker
  std::chrono::milliseconds breaker_open{2000};
  // Products inventory answered are kept this long (0: not at all), at most product_cache_size of
  // them: a price change reaches new orders within this time.
  std::chrono::milliseconds product_cache_ttl{1000};
  int64_t product_cache_size = 10'000;
  std::chrono::milliseconds watch_poll{100};  // how often WatchOrder looks for a change
  // PlaceOrder is refused (RESOURCE_EXHAUSTED, retry delay) while this many orders are PENDING: the
  // in-flight saga backlog that the pipeline finishes well within a step timeout.
  int64_t max_pending = 1000;
  std::chrono::milliseconds pending_count_interval{100};  // how often PENDING orders are counted

  static OrderSettings Parse(const config::Node& section);
};

/// `services.orchestrator`.
struct OrchestratorSettings {
  rpc::ServerSettings server;
  // A step (reserve stock, authorize payment) not answered within this, counted from when its command
  // was published and only while every reply up to then has been consumed, aborts its saga: a
  // business deadline that a restart or a short outage of a participant fits into.
  std::chrono::milliseconds step_timeout{60'000};
  // How often each shard's due timers and resends are looked for (and the reply horizon refreshed):
  // a second is nothing against a deadline of a minute, while each look walks the resend index
  // past the entries of settled steps that vacuum has not removed yet (about 5 ms at 227 sagas/s).
  std::chrono::milliseconds sweep_interval{1'000};
  // A step (any: compensations too) whose command was published this long ago without a reply is
  // sent again; the wait doubles with every try, up to resend_max_interval. A reply lost with a
  // broker's log, or a command lost before it was handled, so cannot leave a saga half-done.
  std::chrono::milliseconds resend_after{30'000};
  std::chrono::milliseconds resend_max_interval{600'000};
  // From this many sends on, a step is reported stuck (log, metric, audit, `sagas list --stuck`).
  int64_t stuck_after_attempts = 5;
  // How often saga throughput, durations and step latencies are logged (when sagas ended).
  std::chrono::milliseconds stats_interval{10'000};

  static OrchestratorSettings Parse(const config::Node& section);
};

/// `services.analytics`.
struct AnalyticsSettings {
  rpc::ServerSettings server;
  // An event is counted in its one-minute window while that window ended less than this before the
  // newest event time seen; later it only counts as dropped late (metric, log, the window's
  // late_dropped). Event time, not wall time: a consumer that was down drops nothing for it.
  std::chrono::milliseconds late_allowance{300'000};
  std::chrono::milliseconds watch_poll{500};  // how often WatchSales looks for changed windows
  // Its consumer's kafka.batch_linger: windows change a little later, in fewer, larger transactions.
  std::chrono::milliseconds batch_linger{100};

  static AnalyticsSettings Parse(const config::Node& section);
};

/// The `services` section: every service's own settings, so one file configures the whole stack.
struct ServicesSettings {
  InventorySettings inventory;
  PaymentSettings payment;
  OrderSettings order;
  OrchestratorSettings orchestrator;
  AnalyticsSettings analytics;

  static ServicesSettings Parse(const config::Node& section);
};

/// The sections every Orderly process shares: log, postgres, redis, kafka, outbox, services, and the
/// gRPC edge's edge, auth and rate_limit.
struct PlatformSettings {
  log::Settings log;
  pg::Settings postgres;
  cache::Settings redis;
  messaging::KafkaSettings kafka;
  messaging::OutboxSettings outbox;
  ServicesSettings services;
  rpc::EdgeSettings edge;

  static PlatformSettings Parse(const config::Node& root);
};

/// The config file to use: `--config FILE` in argv, else $ORDERLY_CONFIG, else `fallback`.
[[nodiscard]] std::string ConfigPath(const std::vector<std::string>& args, const std::string& fallback);

/// Loads `file` with ORDERLY_* overrides, parses the platform sections and rejects unknown keys.
/// @throws config::ConfigError (one line, naming the key).
[[nodiscard]] PlatformSettings LoadPlatformSettings(const std::string& file);

}  // namespace orderly::app
