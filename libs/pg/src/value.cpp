#include "orderly/pg/value.h"

#include <pqxx/pqxx>

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

namespace {

pqxx::field Field(const ResultData* data, size_t row, int column) {
  if (row >= data->result.size() || column < 0 || static_cast<size_t>(column) >= data->result.columns()) {
    throw Internal("row " + std::to_string(row) + " column " + std::to_string(column) + " is out of range");
  }
  return data->result[static_cast<pqxx::result::size_type>(row)][column];
}

pqxx::field NonNull(const ResultData* data, size_t row, int column) {
  pqxx::field field = Field(data, row, column);
  if (field.is_null()) throw Internal(std::string("column '") + field.name() + "' is NULL");
  return field;
}

}  // namespace

bool Row::IsNull(int column) const { return Field(data_.get(), index_, column).is_null(); }

std::string Row::String(int column) const { return NonNull(data_.get(), index_, column).as<std::string>(); }

int64_t Row::Int(int column) const {
  const pqxx::field field = NonNull(data_.get(), index_, column);
  try {
    return field.as<int64_t>();
  } catch (const std::exception& e) {
    throw Internal(std::string("column '") + field.name() + "' is not an integer: " + e.what());
  }
}

bool Row::Bool(int column) const { return NonNull(data_.get(), index_, column).as<bool>(); }

std::string Row::Bytes(int column) const { return pqxx::binarystring(NonNull(data_.get(), index_, column)).str(); }

Result::Result(std::shared_ptr<const ResultData> data) : data_(std::move(data)) {}

size_t Result::size() const { return data_->result.size(); }

size_t Result::affected_rows() const { return data_->result.affected_rows(); }

Row Result::One() const {
  if (size() != 1) throw Internal("expected exactly one row, got " + std::to_string(size()));
  return (*this)[0];
}

}  // namespace orderly::pg
