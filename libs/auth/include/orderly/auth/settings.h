#pragma once

#include <chrono>
#include <string>

#include "orderly/common/config.h"

namespace orderly::auth {

/// How tokens are checked (the `auth` section).
struct VerifierSettings {
  std::string issuer = "orderly";
  std::string audience = "orderly";
  // exp and nbf are accepted this far off, for clocks that drift between the issuer and us.
  std::chrono::seconds clock_skew{30};
};

/// The `auth` section: whether the edge asks for tokens, which keys verify them, and the key a
/// service signs its own `service` tokens with (for calls to other services).
struct Settings {
  bool enabled = false;
  std::string jwks_file;  // required when enabled
  VerifierSettings verifier;
  std::string service_key_file;  // PEM private key; empty: calls to other services carry no token
  std::string service_key_id;    // its kid in the JWKS
  std::chrono::seconds service_token_ttl{300};

  /// @throws config::ConfigError (naming the key) e.g. when enabled without a jwks_file.
  static Settings Parse(const config::Node& section);
};

}  // namespace orderly::auth
