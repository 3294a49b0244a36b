#pragma once

#include <string>

#include <google/protobuf/repeated_field.h>

#include "orderly/pg/cluster.h"
#include "orderly/v1/common.pb.h"

namespace orderly::inventory {

/// What ReserveStock achieved.
struct ReserveOutcome {
  bool reserved = false;
  // When not reserved: the first line that could not be.
  std::string sku;
  int64_t requested = 0;
  int64_t available = 0;
};

/// Stock reservations for orders. Each (order, sku) has one row on shard(sku), so every operation
/// is idempotent and a line is never reserved twice. Thread-safe.
class Reservations final {
 public:
  explicit Reservations(pg::Cluster& cluster) : cluster_(cluster) {}

  /// All-or-nothing over lines that may sit on different shards: one local transaction per line;
  /// when a line cannot be reserved, the lines already reserved are released. Repeating it for
  /// the same order gives the same outcome (a released reservation is never revived).
  ReserveOutcome Reserve(const std::string& order_id, const google::protobuf::RepeatedPtrField<v1::OrderLine>& lines);
  /// Returns the order's reserved units to available stock.
  void Release(const std::string& order_id);
  /// Ships the order's reserved units out of on_hand.
  void Commit(const std::string& order_id);

 private:
  ReserveOutcome ReserveLine(const std::string& order_id, const std::string& sku, int64_t quantity);
  // Moves the order's 'reserved' rows on every shard to `state`, applying `stock_update` to each sku.
  void Settle(const std::string& order_id, const std::string& state, const std::string& stock_update);

  pg::Cluster& cluster_;
};

}  // namespace orderly::inventory
