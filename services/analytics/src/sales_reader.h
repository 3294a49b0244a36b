#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "orderly/pg/cluster.h"
#include "windows.h"

namespace orderly::analytics {

/// Reads the stored windows (on the shard of kShardKey) in read-only transactions. Thread-safe.
class SalesReader final {
 public:
  explicit SalesReader(pg::Cluster& cluster);

  /// The one-minute windows with data whose start lies in `range`, by start.
  /// @throws pg errors (Unavailable when the shard cannot be reached).
  [[nodiscard]] std::vector<WindowFigures> Minutes(const WindowRange& range) const;
  /// Units and revenue of every product sold in a window of `range`.
  [[nodiscard]] std::vector<ProductFigures> Products(const WindowRange& range) const;
  /// Each window's revision, for windows starting at or after `from_ms`: what changed since a read.
  [[nodiscard]] std::map<int64_t, int64_t> Revisions(int64_t from_ms) const;

 private:
  pg::Cluster& cluster_;
  const size_t shard_;
};

}  // namespace orderly::analytics
