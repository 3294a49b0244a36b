#include "orderly/auth/settings.h"

namespace orderly::auth {

Settings Settings::Parse(const config::Node& section) {
  Settings s;
  s.enabled = section.Bool("enabled", s.enabled);
  s.jwks_file = section.String("jwks_file", s.jwks_file);
  if (s.enabled && s.jwks_file.empty()) section.Fail("jwks_file", "is required when auth.enabled is true");
  s.verifier.issuer = section.String("issuer", s.verifier.issuer);
  s.verifier.audience = section.String("audience", s.verifier.audience);
  s.verifier.clock_skew = std::chrono::seconds(section.Int("clock_skew_s", s.verifier.clock_skew.count(), 0, 600));
  s.service_key_file = section.String("service_key_file", s.service_key_file);
  s.service_key_id = section.String("service_key_id", s.service_key_id);
  if (!s.service_key_file.empty() && s.service_key_id.empty()) {
    section.Fail("service_key_id", "is required with service_key_file (the key's kid in the JWKS)");
  }
  s.service_token_ttl =
      std::chrono::seconds(section.Int("service_token_ttl_s", s.service_token_ttl.count(), 10, 86'400));
  return s;
}

}  // namespace orderly::auth
