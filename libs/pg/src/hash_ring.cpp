#include "orderly/pg/hash_ring.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace orderly::pg {

HashRing::HashRing(size_t shard_count, size_t virtual_nodes) : shard_count_(shard_count) {
  if (shard_count == 0) throw std::invalid_argument("hash ring needs at least one shard");
  if (virtual_nodes == 0) throw std::invalid_argument("hash ring needs at least one virtual node per shard");
  const uint64_t spacing = std::numeric_limits<uint64_t>::max() / virtual_nodes;
  for (size_t v = 0; v < virtual_nodes; ++v) points_.push_back({spacing * v, 0});
  owned_.push_back(std::numeric_limits<uint64_t>::max());
  for (size_t shard = 1; shard < shard_count; ++shard) AddShard(shard, virtual_nodes);
}

void HashRing::AddShard(size_t shard, size_t virtual_nodes) {
  const uint64_t take = std::numeric_limits<uint64_t>::max() / ((shard + 1) * virtual_nodes);
  owned_.push_back(0);
  for (size_t v = 0; v < virtual_nodes; ++v) {
    const size_t donor = static_cast<size_t>(std::max_element(owned_.begin(), owned_.begin() + shard) - owned_.begin());
    // The donor's longest arc (previous point, donor point]; unsigned wrap-around handles index 0.
    uint64_t best_start = 0;
    uint64_t best_length = 0;
    for (size_t i = 0; i < points_.size(); ++i) {
      if (points_[i].shard != donor) continue;
      const uint64_t start = points_[i == 0 ? points_.size() - 1 : i - 1].position;
      const uint64_t length = points_[i].position - start;
      if (length > best_length) best_start = start, best_length = length;
    }
    const Point point{best_start + take, shard};
    points_.insert(std::upper_bound(points_.begin(), points_.end(), point), point);
    owned_[donor] -= take;
    owned_[shard] += take;
  }
}

size_t HashRing::ShardForHash(uint64_t hash) const {
  const auto it = std::lower_bound(points_.begin(), points_.end(), Point{hash, 0});
  return it == points_.end() ? points_.front().shard : it->shard;
}

}  // namespace orderly::pg
