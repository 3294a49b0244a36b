#pragma once

#include <pqxx/result>

namespace orderly::pg {

struct ResultData {
  pqxx::result result;
};

}  // namespace orderly::pg
