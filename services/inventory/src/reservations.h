#pragma once

#include <string>

#include <google/protobuf/repeated_field.h>

#include "orderly/pg/cluster.h"
#include "orderly/v1/common.pb.h"

namespace orderly::inventory {

using Lines = google::protobuf::RepeatedPtrField<v1::OrderLine>;

/// What ReserveStock achieved.
struct ReserveOutcome {
  bool reserved = false;
  // When not reserved: the first line that could not be.
  std::string sku;
  int64_t requested = 0;
  int64_t available = 0;
};

/// Stock reservations for orders. Each (order, sku) has one row on shard(sku), so every operation
/// is idempotent and a line is never reserved twice. `command_tx` is the transaction the stock
/// command runs in (its inbox transaction): work on its shard joins it, work on another shard gets a
/// transaction of its own. Thread-safe.
class Reservations final {
 public:
  explicit Reservations(pg::Cluster& cluster) : cluster_(cluster) {}

  /// The shard key of a stock command for `order_id` with `lines`: a sku when every line is on that
  /// sku's shard, so all its stock work joins the command's transaction; else the order id.
  [[nodiscard]] std::string ShardKey(const std::string& order_id, const Lines& lines) const;

  /// All-or-nothing over lines that may sit on different shards: one local transaction per shard;
  /// when a line cannot be reserved, the lines already reserved are released. Repeating it for
  /// the same order gives the same outcome (a released reservation is never revived).
  ReserveOutcome Reserve(pg::Transaction& command_tx, const std::string& order_id, const Lines& lines);
  /// Returns the order's reserved units to available stock. `lines` (the order's) limit the work to
  /// the shards of their skus; empty, every shard is searched.
  void Release(pg::Transaction& command_tx, const std::string& order_id, const Lines& lines);
  /// Ships the order's reserved units out of on_hand; `lines` as for Release.
  void Commit(pg::Transaction& command_tx, const std::string& order_id, const Lines& lines);
  /// Puts the units of refund `refund_id` back on hand, counted as returned: once per (refund, sku),
  /// so a repeated command changes nothing. @throws messaging::PoisonMessage naming a line whose sku
  /// has no stock.
  void Return(pg::Transaction& command_tx, const std::string& order_id, const std::string& refund_id,
              const Lines& lines);

 private:
  // Runs `fn` in `command_tx` if `shard` is its shard, else in a transaction of its own.
  template <typename Fn>
  auto OnShard(pg::Transaction& command_tx, size_t shard, Fn&& fn);
  ReserveOutcome ReserveLine(pg::Transaction& tx, const std::string& order_id, const std::string& sku,
                             int64_t quantity);
  // Moves the order's 'reserved' rows to `state`, applying `stock_update` (SET assignments over
  // `settled.quantity`) to each sku.
  void Settle(pg::Transaction& command_tx, const std::string& order_id, const Lines& lines,
              const std::string& state, const std::string& stock_update);

  pg::Cluster& cluster_;
};

}  // namespace orderly::inventory
