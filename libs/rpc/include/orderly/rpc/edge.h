#pragma once

#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <vector>

#include "orderly/auth/settings.h"
#include "orderly/cache/redis_client.h"
#include "orderly/common/clock.h"
#include "orderly/common/config.h"
#include "orderly/rpc/access.h"
#include "orderly/rpc/rate_limit.h"

namespace orderly::rpc {

/// Which calls the access log records.
enum class AccessLog { kAll, kErrors, kOff };

/// The `edge` section, plus `auth` and `rate_limit`: everything the server interceptor chain needs.
struct EdgeSettings {
  AccessLog access_log = AccessLog::kAll;
  auth::Settings auth;
  RateLimitSettings rate_limit;

  /// Reads `edge` (access_log) from `edge`, and the `auth` and `rate_limit` sections.
  static EdgeSettings Parse(const config::Node& edge, const config::Node& auth, const config::Node& rate_limit);
};

using InterceptorFactories = std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>;

/// The server interceptor chain, in order: request id and access log; authentication (bearer JWT,
/// when auth.enabled); authorization by `access`; rate limit (when rate_limit.enabled); then
/// `trailing` in the order given (the metrics stage). A refusal is recorded for the call and
/// answered by Guard (and by the first stage, should a handler answer OK anyway), so later stages
/// see it and the handler body never runs. `redis` (may be null) and `clock` must outlive the
/// server. @throws InvalidArgument if the JWKS file cannot be loaded.
[[nodiscard]] InterceptorFactories InterceptorChain(const EdgeSettings& settings, AccessTable access,
                                                    cache::RedisClient* redis, const Clock& clock,
                                                    InterceptorFactories trailing = {});

}  // namespace orderly::rpc
