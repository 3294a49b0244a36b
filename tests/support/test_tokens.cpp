#include "test_tokens.h"

#include "orderly/common/clock.h"
#include "test_env.h"

namespace orderly::testing {
const auth::SigningKey& TestSigningKey() {
  static const auth::SigningKey key = [] {
    const auth::Settings& settings = TestPlatform().edge.auth;
    return auth::SigningKey::LoadFile(settings.service_key_file, settings.service_key_id);
  }();
  return key;
}

std::shared_ptr<auth::TokenSource> AdminTokens() {
  static const auto tokens = [] {
    const auth::Settings& settings = TestPlatform().edge.auth;
    auth::TokenRequest request{"test-admin",
                               {std::string(auth::kScopeAdmin)},
                               settings.verifier.issuer,
                               settings.verifier.audience,
                               std::chrono::hours(1)};
    return std::make_shared<auth::MintingTokenSource>(TestSigningKey(), std::move(request), SystemClock::Instance());
  }();
  return tokens;
}

std::string TestToken(const std::string& subject, const std::vector<std::string>& scopes, std::chrono::seconds ttl) {
  const auth::Settings& settings = TestPlatform().edge.auth;
  return auth::MintToken(TestSigningKey(), {subject, scopes, settings.verifier.issuer, settings.verifier.audience, ttl},
                         SystemClock::Instance());
}

}  // namespace orderly::testing
