#include "pqxx_errors.h"

#include <pqxx/pqxx>

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

void RethrowTranslated(const std::string& context) {
  try {
    throw;
  } catch (const pqxx::in_doubt_error& e) {
    throw CommitInDoubt(context + ": connection lost during COMMIT, outcome unknown: " + OneLine(e.what()));
  } catch (const pqxx::broken_connection& e) {
    throw ConnectionError(context + ": connection lost: " + OneLine(e.what()));
  } catch (const pqxx::serialization_failure& e) {
    // libpqxx 6 derives transaction rollbacks from pqxx::failure, not sql_error.
    throw ServerError(ErrorCode::kConflict, "40001", context + ": " + OneLine(e.what()));
  } catch (const pqxx::deadlock_detected& e) {
    throw ServerError(ErrorCode::kConflict, "40P01", context + ": " + OneLine(e.what()));
  } catch (const pqxx::statement_completion_unknown& e) {
    throw CommitInDoubt(context + ": connection lost, statement outcome unknown: " + OneLine(e.what()));
  } catch (const pqxx::unique_violation& e) {
    throw UniqueViolation(context + ": " + OneLine(e.what()));
  } catch (const pqxx::sql_error& e) {
    const std::string state = e.sqlstate();
    // Class 08 is a connection exception reported by the server (e.g. admin shutdown is 57P01).
    if (state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03") {
      throw ConnectionError(context + ": " + OneLine(e.what()));
    }
    throw ServerError(ErrorCode::kInternal, state, context + ": " + OneLine(e.what()));
  } catch (const pqxx::failure& e) {
    throw Internal(context + ": " + OneLine(e.what()));
  } catch (const pqxx::usage_error& e) {
    throw Internal(context + ": " + OneLine(e.what()));
  }
  // Anything else (a caller's own exception) propagates unchanged.
}

}  // namespace orderly::pg::detail
