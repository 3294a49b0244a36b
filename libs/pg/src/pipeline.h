#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connection.h"
#include "orderly/pg/value.h"
#include "result_data.h"

namespace orderly::pg::detail {

/// Statements of one transaction in libpq's pipeline mode: each is sent at once, without waiting
/// for the one before, and their results come back together at the next sync point, which reading
/// any of them (or committing) triggers. A transaction whose code reads only what it needs thus
/// costs a round trip per read instead of one per statement; BEGIN rides along with the first
/// statement and COMMIT with the last writes. An error surfaces at the sync point, as the error of
/// the first statement that failed. Not thread-safe.
class Pipeline final {
 public:
  Pipeline(Connection& connection, const std::string& context) : connection_(connection), context_(context) {}
  /// Results still unread never will be: reading them throws, and the session is not reused.
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  /// Sends `sql` (prepared on the session the first time it is seen) with its parameters.
  /// @throws ConnectionError if it cannot even be sent.
  [[nodiscard]] std::shared_ptr<ResultData> Send(std::string_view sql, const std::vector<Param>& params);
  /// Reads every result sent so far. @throws the first failed statement's error.
  void Sync();
  /// Runs a script of one or more statements without parameters (the simple protocol), after
  /// reading what was sent before. @throws its error.
  void Script(std::string_view sql);
  /// Sends COMMIT and reads every result. @throws the first error; CommitInDoubt if the session
  /// broke before COMMIT's outcome was read.
  void Commit();
  /// Reads what is unread (errors ignored) and rolls back; false if the session is unusable.
  [[nodiscard]] bool Rollback() noexcept;

 private:
  struct Entry {
    std::shared_ptr<ResultData> data;  // null for a Parse
    std::string parsed_sql;            // for a Parse: the statement to forget if it fails
    bool commit = false;
  };

  void SendParse(const Connection::Statement& statement);
  [[noreturn]] void Broken(size_t first_unread);
  void Settle(Entry& entry, ResultHandle result, std::exception_ptr& first_error);

  Connection& connection_;
  const std::string& context_;
  std::vector<Entry> unread_;
};

}  // namespace orderly::pg::detail
