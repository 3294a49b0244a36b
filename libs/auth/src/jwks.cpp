#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base64url.h"
#include "openssl_keys.h"
#include "orderly/auth/jwt.h"
#include "orderly/common/errors.h"

namespace orderly::auth {
namespace {

std::string Member(const nlohmann::json& jwk, const std::string& where, const char* name) {
  const auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) throw InvalidArgument(where + "." + name, "missing or not a string");
  return it->get<std::string>();
}

std::string DecodedMember(const nlohmann::json& jwk, const std::string& where, const char* name) {
  const auto bytes = Base64UrlDecode(Member(jwk, where, name));
  if (!bytes || bytes->empty()) throw InvalidArgument(where + "." + name, "not base64url");
  return *bytes;
}

}  // namespace

std::string_view AlgorithmName(Algorithm algorithm) { return algorithm == Algorithm::kRs256 ? "RS256" : "ES256"; }

bool Claims::HasScope(std::string_view scope) const {
  for (const auto& s : scopes) {
    if (s == scope) return true;
  }
  return false;
}

Jwks Jwks::Parse(std::string_view json) {
  const nlohmann::json document = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) throw InvalidArgument("jwks", "not a JSON object");
  const auto keys = document.find("keys");
  if (keys == document.end() || !keys->is_array()) throw InvalidArgument("jwks.keys", "missing or not an array");
  Jwks jwks;
  for (size_t i = 0; i < keys->size(); ++i) {
    const nlohmann::json& jwk = (*keys)[i];
    const std::string where = "jwks.keys[" + std::to_string(i) + "]";
    if (!jwk.is_object()) throw InvalidArgument(where, "not an object");
    const std::string kid = Member(jwk, where, "kid");
    const std::string kty = Member(jwk, where, "kty");
    Key key{Algorithm::kRs256, {}};
    if (kty == "RSA") {
      key.public_pem = openssl::PublicPemFromMembers(Algorithm::kRs256, DecodedMember(jwk, where, "n"),
                                                     DecodedMember(jwk, where, "e"));
    } else if (kty == "EC") {
      if (Member(jwk, where, "crv") != "P-256") throw InvalidArgument(where + ".crv", "only P-256 (ES256) is accepted");
      key.algorithm = Algorithm::kEs256;
      key.public_pem = openssl::PublicPemFromMembers(Algorithm::kEs256, DecodedMember(jwk, where, "x"),
                                                     DecodedMember(jwk, where, "y"));
    } else {
      throw InvalidArgument(where + ".kty", "'" + kty + "' is not accepted; use RSA (RS256) or EC P-256 (ES256)");
    }
    // A key's alg, when stated, must be the one its type implies: no key verifies two algorithms.
    if (jwk.contains("alg") && Member(jwk, where, "alg") != AlgorithmName(key.algorithm)) {
      throw InvalidArgument(where + ".alg", "must be " + std::string(AlgorithmName(key.algorithm)) + " for kty " + kty);
    }
    if (!jwks.keys_.emplace(kid, std::move(key)).second) throw InvalidArgument(where + ".kid", "'" + kid + "' twice");
  }
  if (jwks.keys_.empty()) throw InvalidArgument("jwks.keys", "lists no key");
  return jwks;
}

Jwks Jwks::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InvalidArgument("auth.jwks_file", "cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return Parse(text.str());
  } catch (const InvalidArgument& e) {
    throw InvalidArgument("auth.jwks_file", path + ": " + e.what());
  }
}

const Jwks::Key* Jwks::Find(std::string_view kid) const {
  const auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace orderly::auth
