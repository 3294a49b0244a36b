#include "orderly/pg/value.h"

#include <charconv>

#include "orderly/common/errors.h"
#include "result_data.h"

namespace orderly::pg {

Param Param::Bytes(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "\\x";
  text.reserve(2 + raw.size() * 2);
  for (unsigned char c : raw) {
    text.push_back(kHex[c >> 4]);
    text.push_back(kHex[c & 0xf]);
  }
  return Param(text);
}

Param Param::Array(const std::vector<std::string>& elements) {
  std::string text = "{";
  for (const std::string& element : elements) {
    if (text.size() > 1) text.push_back(',');
    text.push_back('"');
    for (char c : element) {
      if (c == '"' || c == '\\') text.push_back('\\');
      text.push_back(c);
    }
    text.push_back('"');
  }
  return Param(text + "}");
}

Param Param::Array(const std::vector<int64_t>& elements) {
  std::string text = "{";
  for (const int64_t element : elements) text += (text.size() > 1 ? "," : "") + std::to_string(element);
  return Param(text + "}");
}

namespace {

// A field of a text-format result, checked against the result's shape.
struct Field {
  const PGresult& result;
  int row;
  int column;

  [[nodiscard]] std::string Name() const { return PQfname(&result, column); }
  [[nodiscard]] bool IsNull() const { return PQgetisnull(&result, row, column) == 1; }
  [[nodiscard]] std::string_view Text() const {
    if (IsNull()) throw Internal("column '" + Name() + "' is NULL");
    return {PQgetvalue(&result, row, column), static_cast<size_t>(PQgetlength(&result, row, column))};
  }
};

Field FieldOf(ResultData& data, size_t row, int column) {
  const PGresult& result = data.Get();
  if (row >= static_cast<size_t>(PQntuples(&result)) || column < 0 || column >= PQnfields(&result)) {
    throw Internal("row " + std::to_string(row) + " column " + std::to_string(column) + " is out of range");
  }
  return Field{result, static_cast<int>(row), column};
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool Row::IsNull(int column) const { return FieldOf(*data_, index_, column).IsNull(); }

std::string Row::String(int column) const { return std::string(FieldOf(*data_, index_, column).Text()); }

int64_t Row::Int(int column) const {
  const Field field = FieldOf(*data_, index_, column);
  const std::string_view text = field.Text();
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw Internal("column '" + field.Name() + "' is not an integer: '" + std::string(text) + "'");
  }
  return value;
}

bool Row::Bool(int column) const {
  const Field field = FieldOf(*data_, index_, column);
  const std::string_view text = field.Text();
  if (text == "t") return true;
  if (text == "f") return false;
  throw Internal("column '" + field.Name() + "' is not a boolean: '" + std::string(text) + "'");
}

std::string Row::Bytes(int column) const {
  // bytea in text results is hex ("\x0a1b...", PostgreSQL's default bytea_output).
  const Field field = FieldOf(*data_, index_, column);
  const std::string_view text = field.Text();
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
    throw Internal("column '" + field.Name() + "' is not hex bytea (is bytea_output hex?)");
  }
  std::string raw;
  raw.reserve((text.size() - 2) / 2);
  for (size_t i = 2; i < text.size(); i += 2) {
    const int high = HexDigit(text[i]);
    const int low = HexDigit(text[i + 1]);
    if (high < 0 || low < 0) throw Internal("column '" + field.Name() + "' is not hex bytea");
    raw.push_back(static_cast<char>(high << 4 | low));
  }
  return raw;
}

Result::Result(std::shared_ptr<ResultData> data) : data_(std::move(data)) {}

size_t Result::size() const { return static_cast<size_t>(PQntuples(&data_->Get())); }

size_t Result::affected_rows() const {
  const char* tuples = PQcmdTuples(const_cast<PGresult*>(&data_->Get()));
  size_t count = 0;
  std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), count);
  return count;
}

Row Result::One() const {
  if (size() != 1) throw Internal("expected exactly one row, got " + std::to_string(size()));
  return (*this)[0];
}

}  // namespace orderly::pg
