#include "orderly/tools/clients.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "orderly/app/platform_settings.h"
#include "orderly/common/errors.h"
#include "orderly/common/clock.h"
#include "orderly/rpc/bearer_token.h"
#include "orderly/rpc/channel.h"

namespace orderly::tools {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

/// $ORDERLY_TOKEN, else admin tokens minted from the local signing key, else none.
std::shared_ptr<auth::TokenSource> Tokens(const auth::Settings& auth) {
  if (!Env("ORDERLY_TOKEN").empty()) return std::make_shared<auth::StaticTokenSource>(Env("ORDERLY_TOKEN"));
  if (auth.service_key_file.empty() || !std::filesystem::exists(auth.service_key_file)) return nullptr;
  auth::TokenRequest request{"orderlyctl", {std::string(auth::kScopeAdmin)}, auth.verifier.issuer,
                             auth.verifier.audience, std::chrono::minutes(10)};
  return std::make_shared<auth::MintingTokenSource>(auth::SigningKey::LoadFile(auth.service_key_file, auth.service_key_id),
                                                    std::move(request), SystemClock::Instance());
}

template <typename Service>
std::unique_ptr<typename Service::Stub> Stub(const Targets& targets, const std::string& target) {
  rpc::ClientSettings settings;
  settings.target = target;
  settings.tls_ca_file = targets.tls_ca_file;
  return Service::NewStub(rpc::CreateChannel(settings, targets.tokens));
}

}  // namespace

Targets ResolveTargets(const std::map<std::string, std::string>& flags) {
  Targets targets{"127.0.0.1:17001", "127.0.0.1:17002", "127.0.0.1:17003", "127.0.0.1:17004", "127.0.0.1:17005",
                  {}, {}, {}, {}};
  targets.kafka.brokers = "127.0.0.1:19092";
  const std::string config = flags.count("config")            ? flags.at("config")
                             : !Env("ORDERLY_CONFIG").empty() ? Env("ORDERLY_CONFIG")
                                                              : "config/local.yaml";
  const bool named = flags.count("config") || !Env("ORDERLY_CONFIG").empty();
  if (named && !std::filesystem::exists(config)) throw UsageError{"config file " + config + " does not exist"};
  if (std::filesystem::exists(config)) {
    const auto settings = app::LoadPlatformSettings(config);
    const auto& services = settings.services;
    targets = {services.order.server.listen, services.inventory.server.listen, services.payment.server.listen,
               services.orchestrator.server.listen, services.analytics.server.listen, settings.kafka, {}, {},
               settings.edge.auth};
  }
  const auto pick = [&](std::string& target, const std::string& service, const char* env) {
    if (!Env(env).empty()) target = Env(env);
    if (flags.count(service)) target = flags.at(service);
  };
  pick(targets.order, "order", "ORDERLY_ORDER_ADDR");
  pick(targets.inventory, "inventory", "ORDERLY_INVENTORY_ADDR");
  pick(targets.payment, "payment", "ORDERLY_PAYMENT_ADDR");
  pick(targets.orchestrator, "orchestrator", "ORDERLY_ORCHESTRATOR_ADDR");
  pick(targets.analytics, "analytics", "ORDERLY_ANALYTICS_ADDR");
  if (flags.count("brokers")) targets.kafka.brokers = flags.at("brokers");
  targets.tls_ca_file = flags.count("tls-ca") ? flags.at("tls-ca") : Env("ORDERLY_TLS_CA");
  targets.tokens = Tokens(targets.auth);
  return targets;
}

Clients::Clients(const Targets& targets)
    : order(Stub<v1::OrderService>(targets, targets.order)),
      inventory(Stub<v1::InventoryService>(targets, targets.inventory)),
      payment(Stub<v1::PaymentService>(targets, targets.payment)),
      sagas(Stub<v1::SagaService>(targets, targets.orchestrator)),
      analytics(Stub<v1::AnalyticsService>(targets, targets.analytics)),
      kafka(targets.kafka),
      auth(targets.auth) {}

void Clients::Check(const std::string& service, const grpc::Status& status) {
  if (status.ok()) return;
  const bool unreachable = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                           status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
  throw CallError{service + ": " + status.error_message(), unreachable};
}

int ReportFailure() {
  try {
    throw;
  } catch (const CallError& e) {
    std::fprintf(stderr, "error: %s\n", e.message.c_str());
    return e.unreachable ? 3 : 1;
  } catch (const Unavailable& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  } catch (...) {
    std::fprintf(stderr, "error: unknown failure\n");
    return 1;
  }
}

int64_t ParseInt(const std::string& text, const std::string& what) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    throw UsageError{what + " must be a whole number, got '" + text + "'"};
  }
  return value;
}

}  // namespace orderly::tools
