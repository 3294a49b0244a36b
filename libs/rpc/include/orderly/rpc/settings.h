#pragma once

#include <chrono>
#include <string>

#include "orderly/common/config.h"

namespace orderly::rpc {

/// A service's `server` config: where it listens and how it stops.
struct ServerSettings {
  std::string listen = "127.0.0.1:0";  // port 0 picks a free port (tests)
  // Where Prometheus scrapes GET /metrics over HTTP (host:port; port 0 picks a free port).
  std::string metrics_listen = "127.0.0.1:0";
  // In-flight calls get this long to finish after SIGTERM before they are cancelled.
  std::chrono::milliseconds shutdown_grace{5000};
  int max_message_bytes = 4 * 1024 * 1024;
  // TLS when both are set (PEM files); with tls_client_ca_file too, clients must present a
  // certificate signed by that CA (mTLS).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;

  static ServerSettings Parse(const config::Node& section);
};

/// How a client calls a peer service.
struct ClientSettings {
  std::string target;  // host:port
  std::chrono::milliseconds deadline{2000};  // per call, retries included
  int max_attempts = 3;  // UNAVAILABLE calls are retried by gRPC up to this many attempts
  std::chrono::milliseconds initial_backoff{50};
  std::chrono::milliseconds max_backoff{500};
  // gRPC's policy over the target's addresses: "pick_first" (one connection) or "round_robin"
  // (every address the resolver returns, e.g. a headless Service's pods through dns:///).
  std::string load_balancing = "pick_first";
  // TLS when set: the CA (PEM) the peer's certificate must chain to. tls_cert_file and tls_key_file
  // add our client certificate, for servers that require one (mTLS).
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;

  /// `default_target` applies when the section names none.
  static ClientSettings Parse(const config::Node& section, std::string_view default_target);
};

}  // namespace orderly::rpc
