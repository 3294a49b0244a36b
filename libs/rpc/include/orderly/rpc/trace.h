#pragma once

#include <string>
#include <string_view>

#include <grpcpp/server_context.h>

namespace orderly::rpc {

/// The W3C trace context metadata key.
inline constexpr std::string_view kTraceparentMetadata = "traceparent";

/// The traceparent a server call works under: a child of the client's `traceparent` metadata when it
/// is valid, else a new trace (the edge). "" when `context` is null.
[[nodiscard]] std::string IncomingTraceparent(const grpc::ServerContextBase* context);

}  // namespace orderly::rpc
