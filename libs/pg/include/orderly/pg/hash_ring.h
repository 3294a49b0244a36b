#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "orderly/common/hash.h"

namespace orderly::pg {

using orderly::StableHash;

/// A consistent-hash ring: each shard owns `virtual_nodes` points, a key belongs to the first point
/// at or after its hash.
///
/// Points are placed deterministically rather than by hashing shard names: shard k (in config order)
/// inserts its points by splitting arcs of the most-loaded earlier shards, each point taking
/// 1/((k+1)·virtual_nodes) of the ring. So every shard owns an equal share (randomly hashed points
/// would deviate by ~1/sqrt(virtual_nodes)), and appending a shard moves exactly its 1/N share of
/// keys to it while no key moves between the existing shards. Shards are therefore only ever appended.
/// Immutable after construction; thread-safe.
class HashRing final {
 public:
  /// @throws std::invalid_argument if shard_count or virtual_nodes is zero.
  HashRing(size_t shard_count, size_t virtual_nodes);

  [[nodiscard]] size_t ShardFor(std::string_view key) const { return ShardForHash(StableHash(key)); }
  [[nodiscard]] size_t ShardForHash(uint64_t hash) const;
  [[nodiscard]] size_t shard_count() const { return shard_count_; }

 private:
  struct Point {
    uint64_t position;
    size_t shard;
    bool operator<(const Point& other) const { return position < other.position; }
  };
  void AddShard(size_t shard, size_t virtual_nodes);

  size_t shard_count_;
  std::vector<Point> points_;  // sorted by position
  std::vector<uint64_t> owned_;  // ring share per shard, in positions
};

}  // namespace orderly::pg
