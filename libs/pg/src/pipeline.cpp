#include "pipeline.h"

#include "orderly/common/errors.h"
#include "orderly/pg/errors.h"
#include "pq_errors.h"

namespace orderly::pg {

const PGresult& ResultData::Get() {
  if (pipeline != nullptr) pipeline->Sync();
  if (error) std::rethrow_exception(error);
  return *result;
}

}  // namespace orderly::pg

namespace orderly::pg::detail {
namespace {

// A blocking session that only writes could fill both socket buffers with statements and results
// and wait for ever; a sync point every so many statements keeps what is in flight small.
constexpr size_t kMaxUnread = 128;

}  // namespace

Pipeline::~Pipeline() {
  if (unread_.empty()) return;
  const auto never = std::make_exception_ptr(Internal(context_ + ": the transaction ended before the statement ran"));
  for (auto& entry : unread_) {
    if (entry.data == nullptr) continue;
    entry.data->pipeline = nullptr;
    entry.data->error = never;
  }
  connection_.MarkBroken();  // the next transaction would read these results as its own
}

void Pipeline::SendParse(const Connection::Statement& statement) {
  if (PQsendPrepare(connection_.get(), statement.name.c_str(), statement.sql.c_str(), 0, nullptr) != 1) {
    connection_.Forget(statement.sql);
    Broken(0);
  }
  unread_.push_back({nullptr, statement.sql, false});
}

std::shared_ptr<ResultData> Pipeline::Send(std::string_view sql, const std::vector<Param>& params) {
  if (unread_.size() >= kMaxUnread) Sync();
  const Connection::Statement statement = connection_.Prepared(sql);
  if (statement.fresh) SendParse(statement);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) values.push_back(param.text() ? param.text()->c_str() : nullptr);
  if (PQsendQueryPrepared(connection_.get(), statement.name.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                          nullptr, 0) != 1) {
    if (PQstatus(connection_.get()) != CONNECTION_OK) Broken(0);
    throw Internal(context_ + ": cannot send a statement: " + OneLine(PQerrorMessage(connection_.get())));
  }
  auto data = std::make_shared<ResultData>();
  data->pipeline = this;
  unread_.push_back({data, "", false});
  return data;
}

void Pipeline::Broken(size_t first_unread) {
  bool commit = false;
  for (size_t i = first_unread; i < unread_.size(); ++i) commit = commit || unread_[i].commit;
  const std::exception_ptr error = ConnectionFailure(connection_.get(), context_, commit);
  for (size_t i = first_unread; i < unread_.size(); ++i) {
    Entry& entry = unread_[i];
    if (!entry.parsed_sql.empty()) connection_.Forget(entry.parsed_sql);
    if (entry.data == nullptr) continue;
    entry.data->pipeline = nullptr;
    entry.data->error = error;
  }
  unread_.clear();
  connection_.MarkBroken();
  std::rethrow_exception(error);
}

void Pipeline::Settle(Entry& entry, ResultHandle result, std::exception_ptr& first_error) {
  const ExecStatusType status = PQresultStatus(result.get());
  std::exception_ptr error;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    if (entry.data != nullptr) {
      entry.data->result = std::move(result);
      entry.data->pipeline = nullptr;
    }
    return;
  }
  if (status == PGRES_PIPELINE_ABORTED && first_error) {
    error = first_error;  // skipped because an earlier statement failed
  } else {
    error = ErrorOf(*result, context_);
    if (!first_error) first_error = error;
  }
  if (!entry.parsed_sql.empty()) connection_.Forget(entry.parsed_sql);
  if (entry.data != nullptr) {
    entry.data->pipeline = nullptr;
    entry.data->error = error;
  }
}

void Pipeline::Sync() {
  if (unread_.empty()) return;
  PGconn* conn = connection_.get();
  if (PQpipelineSync(conn) != 1) Broken(0);
  std::exception_ptr first_error;
  for (size_t i = 0; i < unread_.size(); ++i) {
    ResultHandle result(PQgetResult(conn));
    if (result == nullptr) Broken(i);
    while (PGresult* end = PQgetResult(conn)) PQclear(end);  // a statement's results end with a null
    if (PQresultStatus(result.get()) == PGRES_FATAL_ERROR && PQstatus(conn) != CONNECTION_OK) Broken(i);
    Settle(unread_[i], std::move(result), first_error);
  }
  unread_.clear();
  const ResultHandle sync(PQgetResult(conn));
  if (sync == nullptr || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) connection_.MarkBroken();
  if (first_error) std::rethrow_exception(first_error);
}

void Pipeline::Script(std::string_view sql) {
  Sync();
  PGconn* conn = connection_.get();
  if (PQexitPipelineMode(conn) != 1) {
    connection_.MarkBroken();
    throw Internal(context_ + ": cannot leave pipeline mode: " + OneLine(PQerrorMessage(conn)));
  }
  const ResultHandle result(PQexec(conn, std::string(sql).c_str()));
  if (PQenterPipelineMode(conn) != 1) connection_.MarkBroken();
  if (result == nullptr || PQstatus(conn) != CONNECTION_OK) {
    connection_.MarkBroken();
    std::rethrow_exception(ConnectionFailure(conn, context_, false));
  }
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) std::rethrow_exception(ErrorOf(*result, context_));
}

void Pipeline::Commit() {
  const std::shared_ptr<ResultData> commit = Send("COMMIT", {});
  unread_.back().commit = true;
  Sync();
  // COMMIT of a transaction that failed earlier answers ROLLBACK instead of an error.
  const std::string tag = PQcmdStatus(const_cast<PGresult*>(&commit->Get()));
  if (tag != "COMMIT") throw Internal(context_ + ": the transaction was rolled back at COMMIT (" + tag + ")");
}

bool Pipeline::Rollback() noexcept {
  try {
    Sync();
  } catch (...) {  // NOLINT(bugprone-empty-catch): what failed is being rolled back
  }
  if (!connection_.healthy()) return false;
  try {
    const auto rollback = Send("ROLLBACK", {});
    Sync();
    return true;
  } catch (...) {
    connection_.MarkBroken();
    return false;
  }
}

}  // namespace orderly::pg::detail
