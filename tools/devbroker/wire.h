#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace orderly::devbroker {

/// A frame that ends early or holds a length out of range: the connection is closed.
class WireError final : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Reads Kafka protocol primitives (big-endian, non-flexible versions) from a frame it does not own.
/// Every read checks the bounds: untrusted bytes never read past the frame.
class WireReader final {
 public:
  explicit WireReader(std::string_view frame) : data_(frame) {}

  [[nodiscard]] int8_t Int8();
  [[nodiscard]] int16_t Int16();
  [[nodiscard]] int32_t Int32();
  [[nodiscard]] int64_t Int64();
  /// A STRING or NULLABLE_STRING (int16 length, -1 for null, read as "").
  [[nodiscard]] std::string_view String();
  /// BYTES or NULLABLE_BYTES (int32 length, -1 for null, read as "").
  [[nodiscard]] std::string_view Bytes();
  /// An ARRAY's element count (int32); -1 (null) reads as 0. @throws WireError beyond `max`.
  [[nodiscard]] int32_t ArrayCount(int32_t max = 100'000);
  void Skip(size_t bytes);

  /// Where the next read starts, from the frame's first byte.
  [[nodiscard]] size_t position() const { return position_; }
  [[nodiscard]] bool done() const { return position_ == data_.size(); }

 private:
  std::string_view Take(size_t bytes);

  std::string_view data_;
  size_t position_ = 0;
};

/// Appends Kafka protocol primitives (big-endian) to a string.
class WireWriter final {
 public:
  void Int8(int8_t value) { out_.push_back(static_cast<char>(value)); }
  void Int16(int16_t value);
  void Int32(int32_t value);
  void Int64(int64_t value);
  void String(std::string_view value);
  void Bytes(std::string_view value);
  void Raw(std::string_view bytes) { out_.append(bytes); }

  [[nodiscard]] std::string& out() { return out_; }

 private:
  std::string out_;
};

/// Overwrites the big-endian int32 at `position` of `frame`.
void PatchInt32(std::string& frame, size_t position, int32_t value);
/// Overwrites the big-endian int64 at `position` of `frame`.
void PatchInt64(std::string& frame, size_t position, int64_t value);

}  // namespace orderly::devbroker
