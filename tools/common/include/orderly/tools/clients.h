#pragma once

#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "orderly/auth/token_minter.h"
#include "orderly/messaging/settings.h"
#include "orderly/v1/analytics.grpc.pb.h"
#include "orderly/v1/inventory.grpc.pb.h"
#include "orderly/v1/order.grpc.pb.h"
#include "orderly/v1/payment.grpc.pb.h"
#include "orderly/v1/saga.grpc.pb.h"

namespace orderly::tools {

/// A usage mistake: the tool prints it with its usage and exits 2.
struct UsageError {
  std::string message;
};

/// A failed call: printed as "error: <service>: <message>", exit code 1 (3 if unreachable).
struct CallError {
  std::string message;
  bool unreachable = false;
};

/// Where each service listens, and the Kafka cluster with its settings (prefix included).
struct Targets {
  std::string order, inventory, payment, orchestrator, analytics;
  messaging::KafkaSettings kafka;
  std::shared_ptr<auth::TokenSource> tokens;  // what every call carries; null: no token
  std::string tls_ca_file;                    // TLS to the services when set
  auth::Settings auth;                        // the config's auth section (token mint signs with its key)
};

/// Resolves the targets from a tool's flags (name without "--" → value): each service's address
/// from its flag (`order`, `inventory`, `payment`, `orchestrator`, `analytics`), else ORDERLY_<SERVICE>_ADDR,
/// else the services section of the config file (`config` flag, else $ORDERLY_CONFIG, else
/// config/local.yaml if it exists, else the local stack's default ports); Kafka from the config's
/// kafka section, its brokers replaced by the `brokers` flag if given. Calls carry $ORDERLY_TOKEN, else
/// an admin token minted from the config's auth.service_key_file (the local stack's key), else none;
/// they use TLS with the `tls-ca` flag's CA (else $ORDERLY_TLS_CA).
/// @throws UsageError if a named config file does not exist; config::ConfigError if it is invalid.
[[nodiscard]] Targets ResolveTargets(const std::map<std::string, std::string>& flags);

/// Stubs for every service, one call deadline for all, and where Kafka is. The stubs are
/// thread-safe (gRPC's); the struct itself is not meant to be reassigned while calls run.
class Clients final {
 public:
  explicit Clients(const Targets& targets);
  std::unique_ptr<v1::OrderService::Stub> order;
  std::unique_ptr<v1::InventoryService::Stub> inventory;
  std::unique_ptr<v1::PaymentService::Stub> payment;
  std::unique_ptr<v1::SagaService::Stub> sagas;
  std::unique_ptr<v1::AnalyticsService::Stub> analytics;
  messaging::KafkaSettings kafka;
  auth::Settings auth;

  /// Runs a unary call with the deadline (blocking); throws CallError naming `service` unless it is OK.
  template <typename Stub, typename Request, typename Response>
  Response Call(const std::string& service, Stub& stub,
                grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*), const Request& request) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    Response response;
    Check(service, (stub.*method)(&context, request, &response));
    return response;
  }

  /// @throws CallError naming `service` unless `status` is OK; unreachable for UNAVAILABLE and DEADLINE_EXCEEDED.
  static void Check(const std::string& service, const grpc::Status& status);
};

/// For a tool's last catch (...): prints the exception in flight as "error: <message>" on stderr and
/// returns the exit code, 3 if a service or the broker is unreachable (CallError::unreachable,
/// orderly::Unavailable), else 1. Must be called while an exception is being handled.
[[nodiscard]] int ReportFailure();

/// Parses a whole number argument; throws UsageError naming `what`.
[[nodiscard]] int64_t ParseInt(const std::string& text, const std::string& what);

}  // namespace orderly::tools
