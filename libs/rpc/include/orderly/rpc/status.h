#pragma once

#include <exception>
#include <utility>

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include "orderly/common/errors.h"

namespace orderly::rpc {

/// The one mapping from Orderly's typed errors to gRPC status codes.
[[nodiscard]] grpc::StatusCode ToStatusCode(ErrorCode code);

/// The status for an exception caught at the edge. Typed errors keep their message (it names the
/// field or says how to fix the request); Internal and unknown exceptions are logged and answered
/// with a generic INTERNAL, so no server detail leaks to clients.
[[nodiscard]] grpc::Status ToGrpcStatus(const std::exception& error);

/// Runs a handler body and converts whatever it throws into a status, so a handler never lets an
/// exception escape into gRPC. `body` returns nothing; OK is returned when it completes.
template <typename Body>
[[nodiscard]] grpc::Status Guard(Body&& body) noexcept {
  try {
    std::forward<Body>(body)();
    return grpc::Status::OK;
  } catch (const std::exception& error) {
    return ToGrpcStatus(error);
  } catch (...) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "internal error");
  }
}

/// Runs a unary callback handler's body and finishes the call with its mapped status:
///   return rpc::FinishUnary(context, [&] { ...fill *response or throw... });
template <typename Body>
grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* context, Body&& body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(Guard(std::forward<Body>(body)));
  return reactor;
}

}  // namespace orderly::rpc
