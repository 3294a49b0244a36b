#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "libpq_handles.h"

namespace orderly::pg::detail {

/// One PostgreSQL session, kept in libpq's pipeline mode, and the statements it has prepared. It
/// never reconnects by itself: a broken session is dropped by its pool. One thread at a time (a
/// pool lease).
class Connection final {
 public:
  /// @throws ConnectionError naming the shard (`description`).
  Connection(const std::string& dsn, const std::string& description);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  [[nodiscard]] PGconn* get() const { return conn_.get(); }
  /// False once the session broke, or was left with statements whose results nobody read.
  [[nodiscard]] bool healthy() const;
  void MarkBroken() { broken_ = true; }

  /// A statement as this session knows it: its text and the name it is prepared under. `fresh`
  /// means not prepared yet: the caller sends the Parse, and calls Forget if that fails.
  struct Statement {
    const std::string& sql;
    const std::string& name;
    bool fresh;
  };
  [[nodiscard]] Statement Prepared(std::string_view sql);
  void Forget(const std::string& sql) { prepared_.erase(sql); }

 private:
  ConnHandle conn_;
  bool broken_ = false;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  size_t next_statement_ = 0;
};

}  // namespace orderly::pg::detail
