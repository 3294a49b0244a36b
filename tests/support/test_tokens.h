#pragma once

// Tokens for tests, signed with the test environment's key (auth.service_key_file of the config
// `scripts/dev testenv up` writes; generated at test-environment start, never committed).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "orderly/auth/token_minter.h"
#include "orderly/rpc/bearer_token.h"

namespace orderly::testing {

/// The test environment's signing key (kid test-1), to mint tokens with odd claims.
[[nodiscard]] const auth::SigningKey& TestSigningKey();

/// Admin tokens (sub "test-admin"), one source shared by the whole test process.
[[nodiscard]] std::shared_ptr<auth::TokenSource> AdminTokens();

/// A token for `subject` with `scopes`, valid for `ttl` from now.
[[nodiscard]] std::string TestToken(const std::string& subject, const std::vector<std::string>& scopes,
                                    std::chrono::seconds ttl = std::chrono::hours(1));

/// A stub of `Service` at `target` whose calls carry `tokens` (admin by default).
template <typename Service>
[[nodiscard]] std::unique_ptr<typename Service::Stub> TokenStub(
    const std::string& target, std::shared_ptr<auth::TokenSource> tokens = AdminTokens()) {
  rpc::ClientSettings settings;
  settings.target = target;
  return Service::NewStub(rpc::CreateChannel(settings, std::move(tokens)));
}

}  // namespace orderly::testing
