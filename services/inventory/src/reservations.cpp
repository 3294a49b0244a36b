#include "reservations.h"

#include <map>
#include <set>

#include "catalog.h"
#include "orderly/messaging/envelope.h"

namespace orderly::inventory {
namespace {

// A transaction of its own on another shard gives up on a lock after this: another inventory
// replica's batch may hold it while waiting for one of ours, a cycle no single database can see.
constexpr std::chrono::milliseconds kOtherShardLockTimeout{2'000};

}  // namespace

template <typename Fn>
auto Reservations::OnShard(pg::Transaction& command_tx, size_t shard, Fn&& fn) {
  if (shard == command_tx.shard()) return fn(command_tx);
  return cluster_.Transact(shard, fn, {.lock_timeout = kOtherShardLockTimeout});
}

std::string Reservations::ShardKey(const std::string& order_id, const Lines& lines) const {
  if (lines.empty()) return order_id;
  const size_t shard = cluster_.ShardFor(lines[0].sku());
  for (const auto& line : lines) {
    if (cluster_.ShardFor(line.sku()) != shard) return order_id;
  }
  return lines[0].sku();
}

ReserveOutcome Reservations::Reserve(pg::Transaction& command_tx, const std::string& order_id,
                                     const Lines& lines) {
  // One row per sku; sku order keeps concurrent orders from locking stock rows in opposite orders.
  std::map<std::string, int64_t> quantities;
  for (const auto& line : lines) quantities[line.sku()] += line.quantity();
  for (const auto& [sku, quantity] : quantities) {
    const ReserveOutcome outcome = OnShard(command_tx, cluster_.ShardFor(sku), [&](pg::Transaction& tx) {
      return ReserveLine(tx, order_id, sku, quantity);
    });
    if (!outcome.reserved) {
      Release(command_tx, order_id, lines);
      return outcome;
    }
  }
  return ReserveOutcome{true, "", 0, 0};
}

ReserveOutcome Reservations::ReserveLine(pg::Transaction& tx, const std::string& order_id, const std::string& sku,
                                         int64_t quantity) {
  // The line's earlier reservation, if any, or else the units taken and the row that records it: one
  // statement. The guard in WHERE is re-checked after any concurrent update commits, so reserved
  // never exceeds on_hand however many orders race for the last units.
  const pg::Row row =
      tx.Exec(
            "WITH existing AS (SELECT state, available FROM reservations WHERE order_id = $1 AND sku = $2), "
            "taken AS (UPDATE stock SET reserved = reserved + $3 "
            "          WHERE sku = $2 AND on_hand - reserved >= $3 AND NOT EXISTS (SELECT 1 FROM existing) "
            "          RETURNING 1), "
            "recorded AS (INSERT INTO reservations (order_id, sku, quantity, state) "
            "             SELECT $1, $2, $3, 'reserved' FROM taken) "
            "SELECT (SELECT state FROM existing), (SELECT available FROM existing), EXISTS (SELECT 1 FROM taken)",
            {order_id, sku, quantity})
          .One();
  if (row.Bool(2)) return ReserveOutcome{true, "", 0, 0};
  if (!row.IsNull(0)) {
    const std::string state = row.String(0);
    if (state == "reserved" || state == "committed") return ReserveOutcome{true, "", 0, 0};
    const auto stock = ReadStock(tx, sku);
    const int64_t available = state == "rejected" ? row.Int(1) : (stock ? stock->available() : 0);
    return ReserveOutcome{false, sku, quantity, available};
  }
  const auto stock = ReadStock(tx, sku);
  const int64_t available = stock ? stock->available() : 0;
  tx.Exec("INSERT INTO reservations (order_id, sku, quantity, state, available) VALUES ($1, $2, $3, 'rejected', $4)",
          {order_id, sku, quantity, available});
  return ReserveOutcome{false, sku, quantity, available};
}

void Reservations::Settle(pg::Transaction& command_tx, const std::string& order_id, const Lines& lines,
                          const std::string& state, const std::string& stock_update) {
  std::set<size_t> shards;
  for (const auto& line : lines) shards.insert(cluster_.ShardFor(line.sku()));
  for (size_t shard = 0; shard < cluster_.shard_count(); ++shard) {
    if (!lines.empty() && !shards.contains(shard)) continue;
    OnShard(command_tx, shard, [&](pg::Transaction& tx) {
      // The reservations settle and their units move in one statement, which reads nothing back.
      tx.Exec("WITH settled AS (UPDATE reservations SET state = $2, updated_at = now() "
              "                 WHERE order_id = $1 AND state = 'reserved' RETURNING sku, quantity) "
              "UPDATE stock SET " + stock_update + " FROM settled WHERE stock.sku = settled.sku",
              {order_id, state});
    });
  }
}

void Reservations::Release(pg::Transaction& command_tx, const std::string& order_id, const Lines& lines) {
  Settle(command_tx, order_id, lines, "released", "reserved = reserved - settled.quantity");
}

void Reservations::Commit(pg::Transaction& command_tx, const std::string& order_id, const Lines& lines) {
  Settle(command_tx, order_id, lines, "committed",
         "on_hand = on_hand - settled.quantity, reserved = reserved - settled.quantity, "
         "committed = committed + settled.quantity");
}

}  // namespace orderly::inventory

namespace orderly::inventory {

void Reservations::Return(pg::Transaction& command_tx, const std::string& order_id, const std::string& refund_id,
                          const Lines& lines) {
  for (int i = 0; i < lines.size(); ++i) {
    const bool stocked = OnShard(command_tx, cluster_.ShardFor(lines[i].sku()), [&](pg::Transaction& tx) {
      // The return is recorded and its units go back on hand in one statement; a recorded one is left alone.
      return tx.Exec(
                   "WITH stocked AS (SELECT sku FROM stock WHERE sku = $3), "
                   "recorded AS (INSERT INTO stock_returns (refund_id, sku, order_id, quantity) "
                   "             SELECT $1, sku, $2, $4 FROM stocked ON CONFLICT DO NOTHING RETURNING sku, quantity), "
                   "back AS (UPDATE stock SET on_hand = on_hand + recorded.quantity, "
                   "         returned = returned + recorded.quantity FROM recorded WHERE stock.sku = recorded.sku) "
                   "SELECT EXISTS (SELECT 1 FROM stocked)",
                   {refund_id, order_id, lines[i].sku(), int64_t{lines[i].quantity()}})
          .One()
          .Bool(0);
    });
    if (!stocked) {
      throw messaging::PoisonMessage("lines[" + std::to_string(i) + "].sku", "no stock of sku " + lines[i].sku());
    }
  }
}

}  // namespace orderly::inventory
