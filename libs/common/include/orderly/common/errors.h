#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

namespace orderly {

/// The kinds of failure Orderly code reports; libs/rpc maps each to one gRPC status code.
enum class ErrorCode {
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kConflict,
  kUnavailable,
  kResourceExhausted,
  kUnauthenticated,
  kPermissionDenied,
  kInternal,
};

/// Base of every typed error. The message is for humans and says how to fix the problem.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  [[nodiscard]] ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

/// Bad input; `field()` names the offending field (e.g. "lines[2].quantity" or "rpc.listen").
class InvalidArgument : public Error {
 public:
  InvalidArgument(std::string field, const std::string& message)
      : Error(ErrorCode::kInvalidArgument, field + ": " + message), field_(std::move(field)) {}
  [[nodiscard]] const std::string& field() const noexcept { return field_; }

 private:
  std::string field_;
};

class NotFound : public Error {
 public:
  explicit NotFound(const std::string& message) : Error(ErrorCode::kNotFound, message) {}
};

class AlreadyExists : public Error {
 public:
  explicit AlreadyExists(const std::string& message) : Error(ErrorCode::kAlreadyExists, message) {}
};

/// The operation is valid but not in the current state (e.g. confirming a cancelled order).
class FailedPrecondition : public Error {
 public:
  explicit FailedPrecondition(const std::string& message) : Error(ErrorCode::kFailedPrecondition, message) {}
};

/// A concurrent writer won (optimistic concurrency); retrying the whole operation may succeed.
class Conflict : public Error {
 public:
  explicit Conflict(const std::string& message) : Error(ErrorCode::kConflict, message) {}
};

/// A dependency (database, cache, broker, peer service) cannot be reached; retryable.
class Unavailable : public Error {
 public:
  explicit Unavailable(const std::string& message) : Error(ErrorCode::kUnavailable, message) {}
};

/// Refused for load: nothing was done, and the same request may succeed after `retry_after()`.
class ResourceExhausted : public Error {
 public:
  ResourceExhausted(const std::string& message, std::chrono::milliseconds retry_after)
      : Error(ErrorCode::kResourceExhausted, message), retry_after_(retry_after) {}
  [[nodiscard]] std::chrono::milliseconds retry_after() const noexcept { return retry_after_; }

 private:
  std::chrono::milliseconds retry_after_;
};

/// The caller's credentials are missing or fail a check; `check()` names it ("missing", "signature",
/// "expired", "audience", ...) so logs and tests can tell them apart. The message never holds the token.
class Unauthenticated : public Error {
 public:
  Unauthenticated(std::string check, const std::string& message)
      : Error(ErrorCode::kUnauthenticated, check + ": " + message), check_(std::move(check)) {}
  [[nodiscard]] const std::string& check() const noexcept { return check_; }

 private:
  std::string check_;
};

/// The caller is known but may not do this (wrong scope, or another customer's order or account).
class PermissionDenied : public Error {
 public:
  explicit PermissionDenied(const std::string& message) : Error(ErrorCode::kPermissionDenied, message) {}
};

/// A bug or broken invariant; never retried.
class Internal : public Error {
 public:
  explicit Internal(const std::string& message) : Error(ErrorCode::kInternal, message) {}
};

}  // namespace orderly
