#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orderly::pg {

/// A statement parameter ($1, $2, …), sent as text; NULL when default-constructed or nullptr.
class Param final {
 public:
  Param() = default;
  Param(std::nullptr_t) {}
  Param(std::string_view text) : text_(std::string(text)) {}
  Param(const std::string& text) : text_(text) {}
  Param(const char* text) : text_(std::string(text)) {}
  Param(int64_t value) : text_(std::to_string(value)) {}
  Param(int value) : text_(std::to_string(value)) {}
  Param(bool value) : text_(value ? "true" : "false") {}
  template <typename T>
  Param(const std::optional<T>& value) {
    if (value) *this = Param(*value);
  }
  /// Raw bytes for a bytea column.
  [[nodiscard]] static Param Bytes(std::string_view raw);
  /// A one-dimensional array literal ('{"a","b"}'): cast it in SQL, e.g. unnest($1::text[]).
  /// Elements are quoted, so any text (commas, quotes, backslashes, braces) arrives as it was.
  [[nodiscard]] static Param Array(const std::vector<std::string>& elements);
  [[nodiscard]] static Param Array(const std::vector<int64_t>& elements);

  [[nodiscard]] const std::optional<std::string>& text() const { return text_; }

 private:
  std::optional<std::string> text_;
};

struct ResultData;

/// One row of a Result (it shares the result's data, so it may outlive the Result object).
/// Column access by index.
/// @throws orderly::Internal on a NULL read as a value or a failed conversion (a query bug).
class Row final {
 public:
  [[nodiscard]] bool IsNull(int column) const;
  [[nodiscard]] std::string String(int column) const;
  [[nodiscard]] int64_t Int(int column) const;
  [[nodiscard]] bool Bool(int column) const;
  /// A bytea column's raw bytes.
  [[nodiscard]] std::string Bytes(int column) const;

 private:
  friend class Result;
  Row(std::shared_ptr<ResultData> data, size_t index) : data_(std::move(data)), index_(index) {}
  std::shared_ptr<ResultData> data_;
  size_t index_;
};

/// Rows a statement returned, plus the number it affected. Cheap to copy (shared). The statement was
/// sent when the Result was made; its outcome is read on the first access (which sends every
/// statement of the transaction still unread and waits for them), or at the latest at COMMIT, so
/// a statement whose Result is never looked at costs no round trip of its own. Use it only while
/// its transaction runs, or after it committed.
/// @throws the statement's typed error (see Transaction::Exec) on first access.
class Result final {
 public:
  explicit Result(std::shared_ptr<ResultData> data);
  [[nodiscard]] size_t size() const;
  [[nodiscard]] bool empty() const { return size() == 0; }
  [[nodiscard]] size_t affected_rows() const;
  [[nodiscard]] Row operator[](size_t index) const { return Row(data_, index); }
  /// The only row. @throws orderly::Internal if there is not exactly one.
  [[nodiscard]] Row One() const;

 private:
  std::shared_ptr<ResultData> data_;
};

}  // namespace orderly::pg
