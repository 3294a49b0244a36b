#pragma once

#include <exception>
#include <string_view>
#include <utility>

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include "orderly/common/errors.h"
#include "orderly/log/trace.h"
#include "orderly/rpc/trace.h"

namespace orderly::rpc {

/// The one mapping from Orderly's typed errors to gRPC status codes.
[[nodiscard]] grpc::StatusCode ToStatusCode(ErrorCode code);

/// Trailing metadata of a RESOURCE_EXHAUSTED answer: after how many milliseconds to retry.
inline constexpr std::string_view kRetryAfterMetadata = "retry-after-ms";

/// The status for an exception caught at the edge. Typed errors keep their message (it names the
/// field or says how to fix the request); Internal and unknown exceptions are logged and answered
/// with a generic INTERNAL, so no server detail leaks to clients. A ResourceExhausted error also
/// puts its retry delay in `context`'s trailing metadata (kRetryAfterMetadata), when given.
[[nodiscard]] grpc::Status ToGrpcStatus(const std::exception& error, grpc::ServerContextBase* context = nullptr);

/// Throws what the server interceptor chain refused the call `context` serves for (Unauthenticated,
/// PermissionDenied, ResourceExhausted); returns when it was let through, had no chain, or `context`
/// is null. Guard calls it first, so a refused call never runs its handler's body.
void ThrowIfRefused(const grpc::ServerContextBase* context);

/// Runs a handler body and converts whatever it throws into a status, so a handler never lets an
/// exception escape into gRPC. `body` returns nothing; OK is returned when it completes. With the
/// call's `context`, a refusal by the interceptor chain is answered instead of running `body`, and a
/// refusal for load tells the client when to retry.
template <typename Body>
[[nodiscard]] grpc::Status Guard(grpc::ServerContextBase* context, Body&& body) noexcept {
  // The call's trace (its client's traceparent, or a new one) for its log lines and the envelopes it writes.
  const log::ScopedTrace trace(IncomingTraceparent(context));
  try {
    ThrowIfRefused(context);
    std::forward<Body>(body)();
    return grpc::Status::OK;
  } catch (const std::exception& error) {
    return ToGrpcStatus(error, context);
  } catch (...) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "internal error");
  }
}

template <typename Body>
[[nodiscard]] grpc::Status Guard(Body&& body) noexcept {
  return Guard(nullptr, std::forward<Body>(body));
}

/// Runs a unary callback handler's body and finishes the call with its mapped status:
///   return rpc::FinishUnary(context, [&] { ...fill *response or throw... });
template <typename Body>
grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* context, Body&& body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(Guard(context, std::forward<Body>(body)));
  return reactor;
}

}  // namespace orderly::rpc
