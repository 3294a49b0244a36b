#include "orderly/common/ids.h"

#include <cstdio>

namespace orderly {
namespace {

constexpr std::array<size_t, 4> kDashPositions{8, 13, 18, 23};

std::string FormatUuid(const std::array<uint8_t, 16>& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xf]);
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 9562's layout: 48 bits of Unix milliseconds, version 7, 12 bits rand_a, variant, 62 bits rand_b.
std::string FormatUuidV7(uint64_t millis, uint16_t rand_a, uint64_t rand_b) {
  std::array<uint8_t, 16> bytes{};
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<uint8_t>(millis >> (40 - 8 * i));
  bytes[6] = static_cast<uint8_t>(0x70 | ((rand_a >> 8) & 0x0f));
  bytes[7] = static_cast<uint8_t>(rand_a & 0xff);
  bytes[8] = static_cast<uint8_t>(0x80 | ((rand_b >> 56) & 0x3f));
  for (int i = 9; i < 16; ++i) bytes[i] = static_cast<uint8_t>(rand_b >> (8 * (15 - i)));
  return FormatUuid(bytes);
}

std::mt19937_64 SeededEngine() {
  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device()};
  return std::mt19937_64(seed);
}

}  // namespace

UuidV7Generator::UuidV7Generator(const Clock& clock) : clock_(clock), random_(SeededEngine()) {}

std::string UuidV7Generator::Next() {
  const int64_t now = ToUnixMillis(clock_.Now());
  uint64_t rand_b = 0;
  uint16_t rand_a = 0;
  uint64_t millis = 0;
  {
    std::lock_guard lock(mutex_);
    if (now > last_millis_) {
      last_millis_ = now;
      counter_ = static_cast<uint16_t>(random_() & 0x01ff);  // low start leaves room to count up
    } else if (counter_ < 0x0fff) {
      ++counter_;
    } else {
      ++last_millis_;  // counter exhausted: borrow the next millisecond to stay monotonic
      counter_ = static_cast<uint16_t>(random_() & 0x01ff);
    }
    millis = static_cast<uint64_t>(last_millis_);  // read under the lock: another thread may move it next
    rand_a = counter_;
    rand_b = random_();
  }
  return FormatUuidV7(millis, rand_a, rand_b);
}

std::string NewUuidV7() {
  static UuidV7Generator generator(SystemClock::Instance());
  return generator.Next();
}

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == kDashPositions[0] || i == kDashPositions[1] || i == kDashPositions[2] ||
                      i == kDashPositions[3];
    if (dash ? text[i] != '-' : HexValue(text[i]) < 0) return false;
  }
  return true;
}

int64_t UuidV7Millis(std::string_view id) {
  if (!IsUuid(id) || id[14] != '7') return -1;
  int64_t millis = 0;
  for (char c : id.substr(0, 13)) {
    if (c != '-') millis = millis * 16 + HexValue(c);
  }
  return millis;
}

std::string UuidV7Floor(int64_t unix_millis) { return FormatUuidV7(static_cast<uint64_t>(unix_millis), 0, 0); }

std::string RandomHexToken() {
  thread_local std::mt19937_64 engine = SeededEngine();
  char buffer[33];
  std::snprintf(buffer, sizeof buffer, "%016llx%016llx", static_cast<unsigned long long>(engine()),
                static_cast<unsigned long long>(engine()));
  return buffer;
}

}  // namespace orderly
