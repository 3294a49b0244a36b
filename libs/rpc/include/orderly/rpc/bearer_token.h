#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/support/client_interceptor.h>

#include <memory>

#include "orderly/auth/token_minter.h"
#include "orderly/rpc/settings.h"

namespace orderly::rpc {

/// A client interceptor that sends `authorization: Bearer <token>` on every call, the token taken
/// from `tokens` per call (so a minting source renews it in time).
[[nodiscard]] std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> BearerTokenInterceptor(
    std::shared_ptr<auth::TokenSource> tokens);

/// CreateChannel's channel whose calls carry a token from `tokens`; exactly CreateChannel when null.
[[nodiscard]] std::shared_ptr<grpc::Channel> CreateChannel(const ClientSettings& settings,
                                                           std::shared_ptr<auth::TokenSource> tokens);

}  // namespace orderly::rpc
