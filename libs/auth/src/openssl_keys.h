#pragma once

// The OpenSSL work behind SigningKey and Jwks: generating keys, reading PEM, and converting
// between PEM and the JWK members (RFC 7518 §6). OpenSSL headers stay in this directory.
#include <string>

#include "orderly/auth/jwt.h"

namespace orderly::auth::openssl {

/// A PEM private key of `algorithm`'s type.
[[nodiscard]] std::string GeneratePrivatePem(Algorithm algorithm);
/// The algorithm `private_pem`'s key type implies. @throws InvalidArgument for anything else.
[[nodiscard]] Algorithm AlgorithmOfPrivatePem(const std::string& private_pem);

/// The public JWK members: {"n","e"} for RSA, {"x","y"} for P-256, base64url.
struct JwkMembers {
  std::string first;
  std::string second;
};
[[nodiscard]] JwkMembers PublicMembers(const std::string& private_pem);
/// The PEM public key (SubjectPublicKeyInfo) of raw JWK members (already base64url-decoded).
/// @throws InvalidArgument if OpenSSL refuses them (e.g. a point off the curve).
[[nodiscard]] std::string PublicPemFromMembers(Algorithm algorithm, const std::string& first,
                                               const std::string& second);

}  // namespace orderly::auth::openssl
