#include "reservations.h"

#include <map>

#include "catalog.h"

namespace orderly::inventory {

ReserveOutcome Reservations::Reserve(const std::string& order_id,
                                     const google::protobuf::RepeatedPtrField<v1::OrderLine>& lines) {
  // One row per sku; sku order keeps concurrent orders from locking stock rows in opposite orders.
  std::map<std::string, int64_t> quantities;
  for (const auto& line : lines) quantities[line.sku()] += line.quantity();
  for (const auto& [sku, quantity] : quantities) {
    const ReserveOutcome outcome = ReserveLine(order_id, sku, quantity);
    if (!outcome.reserved) {
      Release(order_id);
      return outcome;
    }
  }
  return ReserveOutcome{true, "", 0, 0};
}

ReserveOutcome Reservations::ReserveLine(const std::string& order_id, const std::string& sku, int64_t quantity) {
  return cluster_.Transact(cluster_.ShardFor(sku), [&](pg::Transaction& tx) {
    const pg::Result existing =
        tx.Exec("SELECT state, available FROM reservations WHERE order_id = $1 AND sku = $2", {order_id, sku});
    if (!existing.empty()) {
      const std::string state = existing[0].String(0);
      if (state == "reserved" || state == "committed") return ReserveOutcome{true, "", 0, 0};
      const auto stock = ReadStock(tx, sku);
      const int64_t available = state == "rejected" ? existing[0].Int(1) : (stock ? stock->available() : 0);
      return ReserveOutcome{false, sku, quantity, available};
    }
    // The guard in WHERE is re-checked after any concurrent update commits, so reserved never
    // exceeds on_hand however many orders race for the last units.
    const pg::Result taken = tx.Exec(
        "UPDATE stock SET reserved = reserved + $2 WHERE sku = $1 AND on_hand - reserved >= $2", {sku, quantity});
    if (taken.affected_rows() == 1) {
      tx.Exec("INSERT INTO reservations (order_id, sku, quantity, state) VALUES ($1, $2, $3, 'reserved')",
              {order_id, sku, quantity});
      return ReserveOutcome{true, "", 0, 0};
    }
    const auto stock = ReadStock(tx, sku);
    const int64_t available = stock ? stock->available() : 0;
    tx.Exec("INSERT INTO reservations (order_id, sku, quantity, state, available) VALUES ($1, $2, $3, 'rejected', $4)",
            {order_id, sku, quantity, available});
    return ReserveOutcome{false, sku, quantity, available};
  });
}

void Reservations::Settle(const std::string& order_id, const std::string& state, const std::string& stock_update) {
  for (size_t shard = 0; shard < cluster_.shard_count(); ++shard) {
    cluster_.Transact(shard, [&](pg::Transaction& tx) {
      const pg::Result settled = tx.Exec(
          "UPDATE reservations SET state = $2, updated_at = now() WHERE order_id = $1 AND state = 'reserved' "
          "RETURNING sku, quantity",
          {order_id, state});
      for (size_t i = 0; i < settled.size(); ++i) {
        tx.Exec("UPDATE stock SET " + stock_update + " WHERE sku = $1", {settled[i].String(0), settled[i].Int(1)});
      }
    });
  }
}

void Reservations::Release(const std::string& order_id) { Settle(order_id, "released", "reserved = reserved - $2"); }

void Reservations::Commit(const std::string& order_id) {
  Settle(order_id, "committed", "on_hand = on_hand - $2, reserved = reserved - $2, committed = committed + $2");
}

}  // namespace orderly::inventory
