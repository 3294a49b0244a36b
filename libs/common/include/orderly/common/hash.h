#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace orderly {

/// Stable 64-bit hash of a key (FNV-1a, then a SplitMix64 finalizer); identical in every process
/// and release, so it may place data (shard ring) and name things (order ids).
[[nodiscard]] uint64_t StableHash(std::string_view key);

/// A UUID (version 8, RFC 9562 custom) derived from `name`: the same name always gives the same id.
[[nodiscard]] std::string NameBasedUuid(std::string_view name);

}  // namespace orderly
