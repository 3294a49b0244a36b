#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

#include "orderly/common/clock.h"

namespace orderly {

/// Generates RFC 9562 UUIDv7 strings (lowercase, 8-4-4-4-12). Ids from one generator sort in
/// creation order, also within one millisecond (12-bit counter in rand_a). Thread-safe.
class UuidV7Generator final {
 public:
  explicit UuidV7Generator(const Clock& clock);
  UuidV7Generator(const UuidV7Generator&) = delete;
  UuidV7Generator& operator=(const UuidV7Generator&) = delete;

  [[nodiscard]] std::string Next();

 private:
  const Clock& clock_;
  std::mutex mutex_;
  std::mt19937_64 random_;
  int64_t last_millis_ = -1;
  uint16_t counter_ = 0;
};

/// A UUIDv7 from a process-wide generator on the system clock.
[[nodiscard]] std::string NewUuidV7();

/// True for a canonical 36-character UUID string of any version.
[[nodiscard]] bool IsUuid(std::string_view text);

/// The Unix-millisecond timestamp embedded in a UUIDv7; -1 if `id` is not a UUIDv7.
[[nodiscard]] int64_t UuidV7Millis(std::string_view id);

/// The smallest UUIDv7 of `unix_millis`: every UUIDv7 minted in an earlier millisecond sorts
/// before it, as text and as PostgreSQL's uuid.
[[nodiscard]] std::string UuidV7Floor(int64_t unix_millis);

/// 128 random bits as 32 hex characters; for lease tokens and other unguessable values.
[[nodiscard]] std::string RandomHexToken();

}  // namespace orderly
