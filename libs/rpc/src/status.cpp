#include "orderly/rpc/status.h"

#include <spdlog/spdlog.h>

namespace orderly::rpc {

grpc::StatusCode ToStatusCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return grpc::StatusCode::INVALID_ARGUMENT;
    case ErrorCode::kNotFound: return grpc::StatusCode::NOT_FOUND;
    case ErrorCode::kAlreadyExists: return grpc::StatusCode::ALREADY_EXISTS;
    case ErrorCode::kFailedPrecondition: return grpc::StatusCode::FAILED_PRECONDITION;
    case ErrorCode::kConflict: return grpc::StatusCode::ABORTED;
    case ErrorCode::kUnavailable: return grpc::StatusCode::UNAVAILABLE;
    case ErrorCode::kResourceExhausted: return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case ErrorCode::kUnauthenticated: return grpc::StatusCode::UNAUTHENTICATED;
    case ErrorCode::kPermissionDenied: return grpc::StatusCode::PERMISSION_DENIED;
    case ErrorCode::kInternal: return grpc::StatusCode::INTERNAL;
  }
  return grpc::StatusCode::INTERNAL;
}

grpc::Status ToGrpcStatus(const std::exception& error, grpc::ServerContextBase* context) {
  const auto* typed = dynamic_cast<const Error*>(&error);
  if (typed == nullptr || typed->code() == ErrorCode::kInternal) {
    spdlog::error("internal error answered as INTERNAL: {}", error.what());
    return grpc::Status(grpc::StatusCode::INTERNAL, "internal error; the server log has the details");
  }
  if (typed->code() == ErrorCode::kUnavailable) spdlog::warn("answered UNAVAILABLE: {}", error.what());
  if (const auto* refused = dynamic_cast<const ResourceExhausted*>(&error); refused != nullptr && context != nullptr) {
    context->AddTrailingMetadata(std::string(kRetryAfterMetadata), std::to_string(refused->retry_after().count()));
  }
  return grpc::Status(ToStatusCode(typed->code()), typed->what());
}

}  // namespace orderly::rpc
