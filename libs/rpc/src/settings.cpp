#include "orderly/rpc/settings.h"

namespace orderly::rpc {

ServerSettings ServerSettings::Parse(const config::Node& section) {
  ServerSettings s;
  s.listen = section.HostPort("listen", s.listen, 0);
  s.metrics_listen = section.HostPort("metrics_listen", s.metrics_listen, 0);
  s.shutdown_grace = std::chrono::milliseconds(section.Int("shutdown_grace_ms", s.shutdown_grace.count(), 0, 600'000));
  s.max_message_bytes = static_cast<int>(section.Int("max_message_bytes", s.max_message_bytes, 1024, 64 << 20));
  s.tls_cert_file = section.String("tls_cert_file", "");
  s.tls_key_file = section.String("tls_key_file", "");
  s.tls_client_ca_file = section.String("tls_client_ca_file", "");
  if (s.tls_cert_file.empty() != s.tls_key_file.empty()) section.Fail("tls_cert_file", "and tls_key_file go together");
  if (!s.tls_client_ca_file.empty() && s.tls_cert_file.empty()) {
    section.Fail("tls_client_ca_file", "needs tls_cert_file and tls_key_file (mTLS is TLS plus client certificates)");
  }
  return s;
}

ClientSettings ClientSettings::Parse(const config::Node& section, std::string_view default_target) {
  ClientSettings s;
  s.target = section.HostPort("target", default_target);
  s.deadline = std::chrono::milliseconds(section.Int("deadline_ms", s.deadline.count(), 1, 600'000));
  // gRPC caps retry attempts at 5.
  s.max_attempts = static_cast<int>(section.Int("max_attempts", s.max_attempts, 1, 5));
  s.initial_backoff = std::chrono::milliseconds(section.Int("initial_backoff_ms", s.initial_backoff.count(), 1, 60'000));
  s.max_backoff = std::chrono::milliseconds(section.Int("max_backoff_ms", s.max_backoff.count(), 1, 600'000));
  s.load_balancing = section.OneOf("load_balancing", s.load_balancing, {"pick_first", "round_robin"});
  s.tls_ca_file = section.String("tls_ca_file", "");
  s.tls_cert_file = section.String("tls_cert_file", "");
  s.tls_key_file = section.String("tls_key_file", "");
  if (s.tls_cert_file.empty() != s.tls_key_file.empty()) section.Fail("tls_cert_file", "and tls_key_file go together");
  if (!s.tls_cert_file.empty() && s.tls_ca_file.empty()) section.Fail("tls_cert_file", "needs tls_ca_file (TLS)");
  return s;
}

}  // namespace orderly::rpc
