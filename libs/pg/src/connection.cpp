#include "connection.h"

#include "orderly/pg/errors.h"
#include "pq_errors.h"

namespace orderly::pg::detail {

Connection::Connection(const std::string& dsn, const std::string& description) : conn_(PQconnectdb(dsn.c_str())) {
  if (conn_ == nullptr || PQstatus(conn_.get()) != CONNECTION_OK) {
    throw ConnectionError("postgres shard " + description +
                          " is unreachable: " + OneLine(conn_ ? PQerrorMessage(conn_.get()) : "out of memory"));
  }
  if (PQenterPipelineMode(conn_.get()) != 1) {
    throw ConnectionError("postgres shard " + description +
                          ": cannot enter pipeline mode: " + OneLine(PQerrorMessage(conn_.get())));
  }
}

bool Connection::healthy() const { return !broken_ && PQstatus(conn_.get()) == CONNECTION_OK; }

Connection::Statement Connection::Prepared(std::string_view sql) {
  auto [it, inserted] = prepared_.try_emplace(std::string(sql));
  if (inserted) it->second = "orderly_" + std::to_string(++next_statement_);
  return Statement{it->first, it->second, inserted};
}

}  // namespace orderly::pg::detail
