#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orderly/pg/cluster.h"
#include "orderly/v1/inventory.pb.h"

namespace orderly::inventory {

/// Products and stock, each on the shard of its sku. Thread-safe.
class Catalog final {
 public:
  explicit Catalog(pg::Cluster& cluster) : cluster_(cluster) {}

  /// Creates or renames/reprices a product; a new product starts with no stock.
  v1::Product Upsert(const v1::Product& product);
  /// @throws NotFound.
  [[nodiscard]] v1::Product Get(const std::string& sku);
  /// Up to `limit` products with sku > `after`, in sku order, merged from every shard.
  [[nodiscard]] std::vector<v1::Product> List(const std::string& after, int limit);
  /// Adds `quantity` to on_hand. A repeated idempotency key returns the stock unchanged.
  /// @throws NotFound; InvalidArgument if the key was used for a different restock.
  v1::Stock Restock(const std::string& sku, int64_t quantity, const std::string& idempotency_key);
  /// @throws NotFound.
  [[nodiscard]] v1::Stock GetStock(const std::string& sku);

 private:
  pg::Cluster& cluster_;
};

/// Stock of `sku` as seen in `tx`; std::nullopt if there is no such product.
[[nodiscard]] std::optional<v1::Stock> ReadStock(pg::Transaction& tx, const std::string& sku);

}  // namespace orderly::inventory
