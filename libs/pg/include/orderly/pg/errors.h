#pragma once

#include <string>

#include "orderly/common/errors.h"

namespace orderly::pg {

/// An error PostgreSQL reported for a statement; `sqlstate()` is the five-character SQLSTATE.
class ServerError : public Error {
 public:
  ServerError(ErrorCode code, std::string sqlstate, const std::string& message)
      : Error(code, message + " [SQLSTATE " + sqlstate + "]"), sqlstate_(std::move(sqlstate)) {}
  [[nodiscard]] const std::string& sqlstate() const noexcept { return sqlstate_; }
  /// Serialization failures and deadlocks: rerunning the whole transaction may succeed.
  [[nodiscard]] bool IsRetryable() const noexcept { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }

 private:
  std::string sqlstate_;
};

/// 23505: a row with the same unique key exists.
class UniqueViolation final : public ServerError {
 public:
  UniqueViolation(const std::string& message) : ServerError(ErrorCode::kAlreadyExists, "23505", message) {}
};

/// The connection broke or could not be made; the pool replaces it.
class ConnectionError final : public Unavailable {
 public:
  using Unavailable::Unavailable;
};

/// The connection broke during COMMIT: the transaction may or may not have been applied.
class CommitInDoubt final : public Unavailable {
 public:
  using Unavailable::Unavailable;
};

/// No connection became free within the pool's acquire timeout.
class PoolExhausted final : public Unavailable {
 public:
  using Unavailable::Unavailable;
};

}  // namespace orderly::pg
