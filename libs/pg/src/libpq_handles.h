#pragma once

#include <libpq-fe.h>

#include <memory>

namespace orderly::pg::detail {

/// libpq's handles, each freed by its own destroy function. Included only under libs/pg/src.
struct ConnDeleter {
  void operator()(PGconn* conn) const noexcept { PQfinish(conn); }
};
struct ResultDeleter {
  void operator()(PGresult* result) const noexcept { PQclear(result); }
};
using ConnHandle = std::unique_ptr<PGconn, ConnDeleter>;
using ResultHandle = std::unique_ptr<PGresult, ResultDeleter>;

}  // namespace orderly::pg::detail
