#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orderly/tools/clients.h"

namespace orderly::loadgen {

enum class Mode { kOpenLoop, kClosedLoop, kBareVsPlace };

/// The command line, checked: every combination that ParseOptions returns can run.
struct Options {
  Mode mode = Mode::kOpenLoop;
  double rate = 0;  // orders/s, open loop
  int clients = 0;  // closed loop
  std::optional<double> duration_s;
  std::optional<int64_t> count;
  double drain_s = 30;
  int max_in_flight = 1000;  // PlaceOrder calls outstanding at once
  uint64_t seed = 1;

  // Shares of the outcome mix; the rest of the orders should confirm.
  double out_of_stock = 0;
  double poor = 0;
  double cancel = 0;

  // Existing catalog and customers; each one left empty is seeded.
  std::vector<std::string> skus;
  std::string empty_sku;
  std::vector<std::string> customers;
  std::vector<std::string> poor_customers;
  int catalog = 8;    // SKUs to seed
  int accounts = 32;  // funded customers to seed
  std::string currency = "EUR";

  int bare_vs_place = 0;  // calls of each kind
  bool json = false;
  bool quiet = false;
  bool help = false;
  /// config, order, inventory, payment, orchestrator, brokers: for tools::ResolveTargets.
  std::map<std::string, std::string> target_flags;
};

/// Parses argv[1..]. @throws tools::UsageError naming the flag at fault.
[[nodiscard]] Options ParseOptions(const std::vector<std::string>& args);

/// The --help text.
[[nodiscard]] std::string UsageText();

/// True for HOST:PORT (or a bare host) on loopback: 127.0.0.0/8, localhost or ::1, also as
/// [::1]:PORT and with a gRPC ipv4:/ipv6:/dns:/// scheme. Everything else, names included, is not.
[[nodiscard]] bool IsLoopback(std::string_view address);

/// "service address" of the first target (order, inventory, payment, then each Kafka broker) that
/// is not on loopback; nullopt if all are.
[[nodiscard]] std::optional<std::string> NonLoopbackTarget(const tools::Targets& targets);

}  // namespace orderly::loadgen
