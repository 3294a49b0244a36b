#include "orderly/auth/token_minter.h"

#include <jwt.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base64url.h"
#include "openssl_keys.h"
#include "orderly/common/errors.h"

namespace orderly::auth {
namespace {

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};

int64_t UnixSeconds(Clock::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string text;
  for (const auto& scope : scopes) text += (text.empty() ? "" : " ") + scope;
  return text;
}

}  // namespace

SigningKey SigningKey::Generate(Algorithm algorithm, std::string kid) {
  return SigningKey{algorithm, std::move(kid), openssl::GeneratePrivatePem(algorithm)};
}

SigningKey SigningKey::LoadFile(const std::string& path, std::string kid) {
  std::ifstream in(path);
  if (!in) throw InvalidArgument("signing key", "cannot read " + path);
  std::stringstream pem;
  pem << in.rdbuf();
  SigningKey key{Algorithm::kEs256, std::move(kid), pem.str()};
  key.algorithm = openssl::AlgorithmOfPrivatePem(key.private_pem);
  return key;
}

std::string JwksJson(const std::vector<SigningKey>& keys) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& key : keys) {
    const auto members = openssl::PublicMembers(key.private_pem);
    if (key.algorithm == Algorithm::kRs256) {
      list.push_back({{"kty", "RSA"},
                      {"kid", key.kid},
                      {"alg", "RS256"},
                      {"use", "sig"},
                      {"n", members.first},
                      {"e", members.second}});
    } else {
      list.push_back({{"kty", "EC"},
                      {"kid", key.kid},
                      {"alg", "ES256"},
                      {"use", "sig"},
                      {"crv", "P-256"},
                      {"x", members.first},
                      {"y", members.second}});
    }
  }
  return nlohmann::json{{"keys", list}}.dump(2) + "\n";
}

std::string MintToken(const SigningKey& key, const TokenRequest& request, const Clock& clock) {
  if (request.subject.empty()) throw InvalidArgument("sub", "a token needs a subject");
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw Internal("jwt_new failed");
  const std::unique_ptr<jwt_t, JwtFree> jwt(raw);
  const int64_t now = UnixSeconds(clock.Now());
  const nlohmann::json grants = {{"sub", request.subject},
                                 {"scope", JoinScopes(request.scopes)},
                                 {"iss", request.issuer},
                                 {"aud", request.audience},
                                 {"iat", now},
                                 {"nbf", now},
                                 {"exp", now + request.ttl.count()}};
  const jwt_alg_t alg = key.algorithm == Algorithm::kRs256 ? JWT_ALG_RS256 : JWT_ALG_ES256;
  if (jwt_add_grants_json(jwt.get(), grants.dump().c_str()) != 0 ||
      jwt_add_header(jwt.get(), "kid", key.kid.c_str()) != 0 ||
      jwt_set_alg(jwt.get(), alg, reinterpret_cast<const unsigned char*>(key.private_pem.data()),
                  static_cast<int>(key.private_pem.size())) != 0) {
    throw Internal("cannot prepare a token for signing with key '" + key.kid + "'");
  }
  const std::unique_ptr<char, decltype(&std::free)> token(jwt_encode_str(jwt.get()), &std::free);
  if (!token) throw Internal("signing a token with key '" + key.kid + "' failed");
  return token.get();
}

MintingTokenSource::MintingTokenSource(SigningKey key, TokenRequest request, const Clock& clock)
    : key_(std::move(key)), request_(std::move(request)), clock_(clock) {}

std::string MintingTokenSource::Token() {
  std::lock_guard lock(mutex_);
  const Clock::TimePoint now = clock_.Now();
  if (token_.empty() || now >= renew_at_) {
    token_ = MintToken(key_, request_, clock_);
    renew_at_ = now + request_.ttl / 2;
  }
  return token_;
}

}  // namespace orderly::auth
