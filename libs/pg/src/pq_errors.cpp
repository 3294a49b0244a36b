#include "pq_errors.h"

#include "orderly/pg/errors.h"

namespace orderly::pg::detail {

std::string OneLine(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out.push_back(c);
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::exception_ptr ErrorOf(const PGresult& result, const std::string& context) {
  const char* field = PQresultErrorField(&result, PG_DIAG_SQLSTATE);
  const std::string state = field != nullptr ? field : "";
  const std::string message = context + ": " + OneLine(PQresultErrorMessage(&result));
  if (state == "23505") return std::make_exception_ptr(UniqueViolation(message));
  if (state == "40001" || state == "40P01") return std::make_exception_ptr(ServerError(ErrorCode::kConflict, state, message));
  // Class 08 is a connection exception reported by the server (administrator shutdown is 57P01).
  if (state.empty() || state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03") {
    return std::make_exception_ptr(ConnectionError(message));
  }
  return std::make_exception_ptr(ServerError(ErrorCode::kInternal, state, message));
}

std::exception_ptr ConnectionFailure(const PGconn* conn, const std::string& context, bool commit_in_flight) {
  const std::string reason = OneLine(conn != nullptr ? PQerrorMessage(conn) : "no connection");
  if (commit_in_flight) {
    return std::make_exception_ptr(CommitInDoubt(context + ": connection lost during COMMIT, outcome unknown: " + reason));
  }
  return std::make_exception_ptr(ConnectionError(context + ": connection lost: " + reason));
}

}  // namespace orderly::pg::detail
