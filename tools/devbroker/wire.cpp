#include "wire.h"

namespace orderly::devbroker {
namespace {

uint64_t BigEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (char c : bytes) value = value << 8 | static_cast<unsigned char>(c);
  return value;
}

void AppendBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift & 0xff));
}

}  // namespace

std::string_view WireReader::Take(size_t bytes) {
  if (bytes > data_.size() - position_) {
    throw WireError("frame ends after " + std::to_string(data_.size()) + " bytes, " + std::to_string(bytes) +
                    " more wanted at " + std::to_string(position_));
  }
  const std::string_view taken = data_.substr(position_, bytes);
  position_ += bytes;
  return taken;
}

int8_t WireReader::Int8() { return static_cast<int8_t>(BigEndian(Take(1))); }
int16_t WireReader::Int16() { return static_cast<int16_t>(BigEndian(Take(2))); }
int32_t WireReader::Int32() { return static_cast<int32_t>(BigEndian(Take(4))); }
int64_t WireReader::Int64() { return static_cast<int64_t>(BigEndian(Take(8))); }

std::string_view WireReader::String() {
  const int16_t length = Int16();
  if (length < -1) throw WireError("string length " + std::to_string(length));
  return length <= 0 ? std::string_view() : Take(static_cast<size_t>(length));
}

std::string_view WireReader::Bytes() {
  const int32_t length = Int32();
  if (length < -1) throw WireError("bytes length " + std::to_string(length));
  return length <= 0 ? std::string_view() : Take(static_cast<size_t>(length));
}

int32_t WireReader::ArrayCount(int32_t max) {
  const int32_t count = Int32();
  if (count < -1 || count > max) throw WireError("array of " + std::to_string(count) + " elements");
  return count < 0 ? 0 : count;
}

void WireReader::Skip(size_t bytes) { (void)Take(bytes); }

void WireWriter::Int16(int16_t value) { AppendBigEndian(out_, static_cast<uint16_t>(value), 2); }
void WireWriter::Int32(int32_t value) { AppendBigEndian(out_, static_cast<uint32_t>(value), 4); }
void WireWriter::Int64(int64_t value) { AppendBigEndian(out_, static_cast<uint64_t>(value), 8); }

void WireWriter::String(std::string_view value) {
  Int16(static_cast<int16_t>(value.size()));
  out_.append(value);
}

void WireWriter::Bytes(std::string_view value) {
  Int32(static_cast<int32_t>(value.size()));
  out_.append(value);
}

void PatchInt32(std::string& frame, size_t position, int32_t value) {
  std::string bytes;
  AppendBigEndian(bytes, static_cast<uint32_t>(value), 4);
  frame.replace(position, 4, bytes);
}

void PatchInt64(std::string& frame, size_t position, int64_t value) {
  std::string bytes;
  AppendBigEndian(bytes, static_cast<uint64_t>(value), 8);
  frame.replace(position, 8, bytes);
}

}  // namespace orderly::devbroker
