#include "token_command.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "orderly/auth/token_minter.h"
#include "orderly/common/clock.h"

namespace orderly::ctl {
namespace {

constexpr int64_t kMaxTtlSeconds = 7 * 24 * 3600;

std::vector<std::string> SplitScopes(const std::string& text) {
  std::vector<std::string> scopes;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(',', start), text.size());
    const std::string scope = text.substr(start, end - start);
    if (scope != auth::kScopeOrders && scope != auth::kScopeAdmin && scope != auth::kScopeService) {
      throw UsageError{"scope '" + scope + "' is not one of orders, admin, service"};
    }
    scopes.push_back(scope);
    start = end + 1;
  }
  return scopes;
}

}  // namespace

void TokenMint(Clients& clients, const Output&, const std::vector<std::string>& args) {
  std::map<std::string, std::string> options;
  for (size_t i = 0; i < args.size(); i += 2) {
    if (i + 1 >= args.size() || (args[i] != "--sub" && args[i] != "--scope" && args[i] != "--ttl")) {
      throw UsageError{"expected --sub SUB --scope SCOPE[,SCOPE...] [--ttl SECONDS]"};
    }
    options[args[i].substr(2)] = args[i + 1];
  }
  if (!options.count("sub") || !options.count("scope")) throw UsageError{"--sub and --scope are required"};
  const auth::Settings& settings = clients.auth;
  if (settings.service_key_file.empty()) {
    throw UsageError{"the config names no auth.service_key_file to sign with (scripts/dev up makes one)"};
  }
  auth::TokenRequest request{options.at("sub"), SplitScopes(options.at("scope")), settings.verifier.issuer,
                             settings.verifier.audience, std::chrono::seconds(3600)};
  if (options.count("ttl")) request.ttl = std::chrono::seconds(ParseInt(options.at("ttl"), "--ttl"));
  if (request.ttl.count() < 1 || request.ttl.count() > kMaxTtlSeconds) throw UsageError{"--ttl is 1..604800 seconds"};
  const auto key = auth::SigningKey::LoadFile(settings.service_key_file, settings.service_key_id);
  // The token goes to stdout only, for the caller to capture; it is never logged.
  std::printf("%s\n", auth::MintToken(key, request, SystemClock::Instance()).c_str());
}

}  // namespace orderly::ctl
