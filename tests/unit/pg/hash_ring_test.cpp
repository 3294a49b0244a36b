#include "orderly/pg/hash_ring.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace orderly::pg {
namespace {

constexpr size_t kKeys = 100'000;
constexpr size_t kVirtualNodes = 128;

std::vector<std::string> Keys() {
  std::vector<std::string> keys;
  for (size_t i = 0; i < kKeys; ++i) keys.push_back("order-" + std::to_string(i));
  return keys;
}

TEST(HashRingTest, EveryShardGetsItsFairShareWithinTenPercent) {
  const auto keys = Keys();
  for (size_t shards = 2; shards <= 16; ++shards) {
    const HashRing ring(shards, kVirtualNodes);
    std::vector<size_t> counts(shards);
    for (const auto& key : keys) ++counts.at(ring.ShardFor(key));
    const double fair = static_cast<double>(kKeys) / static_cast<double>(shards);
    for (size_t shard = 0; shard < shards; ++shard) {
      EXPECT_NEAR(static_cast<double>(counts[shard]), fair, fair * 0.10) << shards << " shards, shard " << shard;
    }
  }
}

TEST(HashRingTest, AddingAShardMovesAboutOneNthOfKeysAndOnlyToTheNewShard) {
  const auto keys = Keys();
  for (size_t shards = 2; shards < 16; ++shards) {
    const HashRing before(shards, kVirtualNodes);
    const HashRing after(shards + 1, kVirtualNodes);
    size_t moved = 0;
    for (const auto& key : keys) {
      const size_t old_shard = before.ShardFor(key);
      const size_t new_shard = after.ShardFor(key);
      if (old_shard == new_shard) continue;
      ++moved;
      EXPECT_EQ(new_shard, shards) << "key " << key << " moved between existing shards";
    }
    const double expected = static_cast<double>(kKeys) / static_cast<double>(shards + 1);
    EXPECT_NEAR(static_cast<double>(moved), expected, expected * 0.10) << shards << " -> " << shards + 1;
  }
}

TEST(HashRingTest, OneShardOwnsEverything) {
  const HashRing ring(1, kVirtualNodes);
  for (const auto& key : {"a", "b", "", "zzzz"}) EXPECT_EQ(ring.ShardFor(key), 0u);
}

TEST(HashRingTest, RejectsZeroShardsOrVirtualNodes) {
  EXPECT_THROW(HashRing(0, kVirtualNodes), std::invalid_argument);
  EXPECT_THROW(HashRing(2, 0), std::invalid_argument);
}

TEST(HashRingTest, StableHashNeverChanges) {
  // Shard placement of stored data depends on these values: changing the hash strands data.
  EXPECT_EQ(StableHash(""), 0xf52a15e9a9b5e89bULL);
  EXPECT_EQ(StableHash("order-1"), 0xedf23fc2e07fa9d3ULL);
}

}  // namespace
}  // namespace orderly::pg
