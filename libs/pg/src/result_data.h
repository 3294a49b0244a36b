#pragma once

#include <exception>

#include "libpq_handles.h"

namespace orderly::pg::detail {
class Pipeline;
}

namespace orderly::pg {

/// What a statement returned. A statement is sent at once but its result is read lazily: at the
/// next sync point of its pipeline, which the first access to the result triggers.
struct ResultData {
  detail::Pipeline* pipeline = nullptr;  // while the result is unread
  detail::ResultHandle result;
  std::exception_ptr error;  // the statement failed, or never ran

  /// The result, read first if need be. @throws the statement's (or its pipeline's) error.
  const PGresult& Get();
};

}  // namespace orderly::pg
