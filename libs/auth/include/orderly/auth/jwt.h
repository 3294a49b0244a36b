#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "orderly/auth/settings.h"
#include "orderly/common/clock.h"

namespace orderly::auth {

/// The only signature algorithms Orderly accepts: asymmetric, so a service that verifies tokens
/// holds no secret that could mint them. `none` and HMAC are refused.
enum class Algorithm { kRs256, kEs256 };

/// "RS256" or "ES256".
[[nodiscard]] std::string_view AlgorithmName(Algorithm algorithm);

/// What a verified token says about its bearer.
struct Claims {
  std::string subject;              // `sub`: the customer id (or a service's name)
  std::vector<std::string> scopes;  // `scope`, space-separated: orders, admin, service
  Clock::TimePoint expires_at;

  [[nodiscard]] bool HasScope(std::string_view scope) const;
};

/// Scope names.
inline constexpr std::string_view kScopeOrders = "orders";
inline constexpr std::string_view kScopeAdmin = "admin";
inline constexpr std::string_view kScopeService = "service";

/// The public keys tokens may be signed with, by `kid`, from a JWKS document (RFC 7517): RSA keys
/// (kty RSA, n, e) verify RS256 and P-256 keys (kty EC, crv P-256, x, y) ES256. Listing several keys
/// lets signing keys rotate. Immutable after Parse; thread-safe.
class Jwks final {
 public:
  struct Key {
    Algorithm algorithm;
    std::string public_pem;
  };

  /// @throws InvalidArgument naming the offending key: not JSON, no `keys`, a key without kid, an
  /// unsupported kty/crv, an `alg` that does not match the key type, or a duplicate kid.
  [[nodiscard]] static Jwks Parse(std::string_view json);
  /// @throws InvalidArgument as Parse, or if `path` cannot be read.
  [[nodiscard]] static Jwks LoadFile(const std::string& path);

  [[nodiscard]] const Key* Find(std::string_view kid) const;
  [[nodiscard]] size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, Key, std::less<>> keys_;
};

/// Verifies bearer tokens: structure, algorithm (RS256/ES256 and the one the key's type implies),
/// kid, signature, `iss`, `aud`, `exp` and `nbf` (within the clock skew) and `sub`. Thread-safe;
/// `clock` must outlive it.
class JwtVerifier final {
 public:
  JwtVerifier(Jwks keys, VerifierSettings settings, const Clock& clock);

  /// The token's claims. Tokens longer than kMaxTokenBytes are refused unread.
  /// @throws Unauthenticated whose check() names the failed check: malformed, algorithm, key,
  /// signature, issuer, audience, expired, not_yet_valid, subject. Messages never quote the token.
  [[nodiscard]] Claims Verify(std::string_view token) const;

  static constexpr size_t kMaxTokenBytes = 8 * 1024;
  /// Tokens whose signature is remembered as verified; when full, the memory starts over.
  static constexpr size_t kMaxVerifiedTokens = 4096;

 private:
  [[nodiscard]] bool SignatureVerified(const std::string& token) const;
  void RememberVerified(const std::string& token) const;

  Jwks keys_;
  VerifierSettings settings_;
  const Clock& clock_;
  // A client sends one token for many calls and OpenSSL 3 decodes the key anew for every signature
  // check (about 2 ms): a token seen verified skips it. The claims are still checked on every call.
  mutable std::mutex verified_mutex_;
  mutable std::unordered_set<std::string> verified_;
};

}  // namespace orderly::auth
