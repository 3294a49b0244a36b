#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "orderly/auth/jwt.h"
#include "orderly/common/clock.h"

namespace orderly::auth {

/// A private key that signs tokens, with its kid. Holds the PEM in memory; never log it.
struct SigningKey {
  Algorithm algorithm = Algorithm::kEs256;
  std::string kid;
  std::string private_pem;

  /// A fresh key (RSA 2048 for RS256, P-256 for ES256): for tests and the local stack.
  [[nodiscard]] static SigningKey Generate(Algorithm algorithm, std::string kid);
  /// The algorithm follows the key type (RSA: RS256, EC P-256: ES256).
  /// @throws InvalidArgument if the file cannot be read or holds no usable private key.
  [[nodiscard]] static SigningKey LoadFile(const std::string& path, std::string kid);
};

/// The JWKS document (public parts only) of `keys`, for a verifier's jwks_file.
[[nodiscard]] std::string JwksJson(const std::vector<SigningKey>& keys);

/// What a minted token asserts.
struct TokenRequest {
  std::string subject;
  std::vector<std::string> scopes;
  std::string issuer = "orderly";
  std::string audience = "orderly";
  std::chrono::seconds ttl{3600};
};

/// A signed JWT (header alg and kid from `key`; iat, nbf and exp from `clock`).
/// @throws InvalidArgument for an empty subject; Internal if signing fails.
[[nodiscard]] std::string MintToken(const SigningKey& key, const TokenRequest& request, const Clock& clock);

/// Tokens a process attaches to its outgoing calls. Thread-safe.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  /// The bearer token to send now.
  [[nodiscard]] virtual std::string Token() = 0;
};

/// One fixed token (e.g. $ORDERLY_TOKEN).
class StaticTokenSource final : public TokenSource {
 public:
  explicit StaticTokenSource(std::string token) : token_(std::move(token)) {}
  [[nodiscard]] std::string Token() override { return token_; }

 private:
  const std::string token_;
};

/// Mints tokens from a key and renews each once half its lifetime has passed.
class MintingTokenSource final : public TokenSource {
 public:
  MintingTokenSource(SigningKey key, TokenRequest request, const Clock& clock);
  [[nodiscard]] std::string Token() override;

 private:
  const SigningKey key_;
  const TokenRequest request_;
  const Clock& clock_;
  std::mutex mutex_;
  std::string token_ ABSL_GUARDED_BY(mutex_);
  Clock::TimePoint renew_at_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace orderly::auth
