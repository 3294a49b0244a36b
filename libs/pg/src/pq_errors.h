#pragma once

#include <exception>
#include <string>

#include "libpq_handles.h"

namespace orderly::pg::detail {

/// libpq messages span lines; Orderly errors are one line.
[[nodiscard]] std::string OneLine(std::string text);

/// The typed error for a failed statement's result, by its SQLSTATE: UniqueViolation, ServerError
/// (retryable for serialization failures and deadlocks), ConnectionError for the connection
/// exceptions the server reports (class 08, administrator shutdown).
[[nodiscard]] std::exception_ptr ErrorOf(const PGresult& result, const std::string& context);

/// The error for a connection that failed under a statement: ConnectionError, or CommitInDoubt when
/// a COMMIT was on its way and its outcome is unknown.
[[nodiscard]] std::exception_ptr ConnectionFailure(const PGconn* conn, const std::string& context, bool commit_in_flight);

}  // namespace orderly::pg::detail
