#include <jwt.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "base64url.h"
#include "orderly/auth/jwt.h"
#include "orderly/common/errors.h"

namespace orderly::auth {
namespace {

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};

nlohmann::json DecodeSegment(std::string_view segment, const char* what) {
  const auto bytes = Base64UrlDecode(segment);
  if (!bytes) throw Unauthenticated("malformed", std::string("the token's ") + what + " is not base64url");
  nlohmann::json json = nlohmann::json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    throw Unauthenticated("malformed", std::string("the token's ") + what + " is not a JSON object");
  }
  return json;
}

std::string StringClaim(const nlohmann::json& json, const char* name) {
  const auto it = json.find(name);
  return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// A NumericDate claim (seconds since the epoch); std::nullopt when absent.
std::optional<Clock::TimePoint> TimeClaim(const nlohmann::json& json, const char* name) {
  const auto it = json.find(name);
  if (it == json.end()) return std::nullopt;
  if (!it->is_number()) throw Unauthenticated("malformed", std::string("claim ") + name + " is not a number");
  return Clock::TimePoint(std::chrono::seconds(static_cast<int64_t>(it->get<double>())));
}

bool AudienceMatches(const nlohmann::json& payload, const std::string& audience) {
  const auto it = payload.find("aud");
  if (it == payload.end()) return false;
  if (it->is_string()) return it->get<std::string>() == audience;
  if (!it->is_array()) return false;
  for (const auto& entry : *it) {
    if (entry.is_string() && entry.get<std::string>() == audience) return true;
  }
  return false;
}

std::vector<std::string> Scopes(const nlohmann::json& payload) {
  std::vector<std::string> scopes;
  const std::string text = StringClaim(payload, "scope");
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find(' ', start), text.size());
    if (end > start) scopes.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return scopes;
}

}  // namespace

JwtVerifier::JwtVerifier(Jwks keys, VerifierSettings settings, const Clock& clock)
    : keys_(std::move(keys)), settings_(std::move(settings)), clock_(clock) {}

Claims JwtVerifier::Verify(std::string_view token) const {
  if (token.empty()) throw Unauthenticated("missing", "no bearer token");
  if (token.size() > kMaxTokenBytes) throw Unauthenticated("malformed", "the token is longer than 8 KiB");
  const size_t first_dot = token.find('.');
  const size_t second_dot = first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos ||
      second_dot + 1 == token.size()) {
    throw Unauthenticated("malformed", "a JWT is three base64url parts joined by dots, the last a signature");
  }
  // The header is read before the signature is checked only to choose the key; the algorithm must
  // be the one that key's type implies, so an RSA public key can never be used as an HMAC secret.
  const nlohmann::json header = DecodeSegment(token.substr(0, first_dot), "header");
  const std::string alg = StringClaim(header, "alg");
  if (alg != "RS256" && alg != "ES256") {
    throw Unauthenticated("algorithm", "'" + alg + "' is not accepted; tokens are signed with RS256 or ES256");
  }
  const std::string kid = StringClaim(header, "kid");
  const Jwks::Key* key = keys_.Find(kid);
  if (key == nullptr) throw Unauthenticated("key", "no key with kid '" + kid + "' in the JWKS");
  if (alg != AlgorithmName(key->algorithm)) {
    throw Unauthenticated(
        "algorithm", alg + " does not match key '" + kid + "' (" + std::string(AlgorithmName(key->algorithm)) + ")");
  }
  const std::string text(token);
  if (!SignatureVerified(text)) {
    jwt_t* raw = nullptr;
    const int rc = jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(key->public_pem.data()),
                              static_cast<int>(key->public_pem.size()));
    const std::unique_ptr<jwt_t, JwtFree> jwt(raw);
    const jwt_alg_t expected = key->algorithm == Algorithm::kRs256 ? JWT_ALG_RS256 : JWT_ALG_ES256;
    if (rc != 0 || !jwt || jwt_get_alg(jwt.get()) != expected) {
      throw Unauthenticated("signature", "the signature does not verify with key '" + kid + "'");
    }
    RememberVerified(text);
  }

  const nlohmann::json payload = DecodeSegment(token.substr(first_dot + 1, second_dot - first_dot - 1), "payload");
  if (StringClaim(payload, "iss") != settings_.issuer) {
    throw Unauthenticated("issuer", "the token is not from issuer '" + settings_.issuer + "'");
  }
  if (!AudienceMatches(payload, settings_.audience)) {
    throw Unauthenticated("audience", "the token is not for audience '" + settings_.audience + "'");
  }
  const Clock::TimePoint now = clock_.Now();
  const auto expires = TimeClaim(payload, "exp");
  if (!expires) throw Unauthenticated("expired", "the token has no exp claim");
  if (now > *expires + settings_.clock_skew) throw Unauthenticated("expired", "the token has expired");
  if (const auto not_before = TimeClaim(payload, "nbf"); not_before && now + settings_.clock_skew < *not_before) {
    throw Unauthenticated("not_yet_valid", "the token is not valid yet (nbf)");
  }
  Claims claims{StringClaim(payload, "sub"), Scopes(payload), *expires};
  if (claims.subject.empty()) throw Unauthenticated("subject", "the token has no sub claim");
  return claims;
}

bool JwtVerifier::SignatureVerified(const std::string& token) const {
  const std::lock_guard lock(verified_mutex_);
  return verified_.contains(token);
}

void JwtVerifier::RememberVerified(const std::string& token) const {
  const std::lock_guard lock(verified_mutex_);
  if (verified_.size() >= kMaxVerifiedTokens) verified_.clear();
  verified_.insert(token);
}

}  // namespace orderly::auth
