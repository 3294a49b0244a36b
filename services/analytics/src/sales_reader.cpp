#include "sales_reader.h"

namespace orderly::analytics {
namespace {

constexpr pg::TxOptions kReadOnly{.read_only = true};

// The figures of `start`'s window in `windows`; every row read belongs to a window read before.
WindowFigures& Of(std::map<int64_t, WindowFigures>& windows, int64_t start) {
  WindowFigures& window = windows[start];
  window.start_ms = start;
  window.end_ms = start + kWindowMs;
  return window;
}

}  // namespace

SalesReader::SalesReader(pg::Cluster& cluster) : cluster_(cluster), shard_(cluster.ShardFor(kShardKey)) {}

std::vector<WindowFigures> SalesReader::Minutes(const WindowRange& range) const {
  // Repeatable read: the window rows and their details come from one snapshot.
  const pg::TxOptions snapshot{.isolation = pg::Isolation::kRepeatableRead, .read_only = true};
  return cluster_.Transact(
      shard_,
      [&](pg::Transaction& tx) {
        const std::vector<pg::Param> params = {range.from_ms, range.to_ms};
        std::map<int64_t, WindowFigures> windows;
        const pg::Result counts = tx.Exec(
            "SELECT window_start_ms, placed, confirmed, rejected, cancelled, refunded, late_dropped, revision "
            "FROM sales_windows WHERE window_start_ms >= $1 AND window_start_ms < $2",
            params);
        const pg::Result rejections = tx.Exec(
            "SELECT window_start_ms, reason, count FROM window_rejections "
            "WHERE window_start_ms >= $1 AND window_start_ms < $2",
            params);
        const pg::Result money = tx.Exec(
            "SELECT window_start_ms, currency, revenue_minor, refunds_minor FROM window_money "
            "WHERE window_start_ms >= $1 AND window_start_ms < $2",
            params);
        const pg::Result latency = tx.Exec(
            "SELECT window_start_ms, bucket, count FROM window_latency "
            "WHERE window_start_ms >= $1 AND window_start_ms < $2",
            params);
        for (size_t i = 0; i < counts.size(); ++i) {
          WindowFigures& window = Of(windows, counts[i].Int(0));
          window.counts = {counts[i].Int(1), counts[i].Int(2), counts[i].Int(3),
                           counts[i].Int(4), counts[i].Int(5), counts[i].Int(6)};
          window.revision = counts[i].Int(7);
        }
        for (size_t i = 0; i < rejections.size(); ++i) {
          Of(windows, rejections[i].Int(0)).rejections[rejections[i].String(1)] = rejections[i].Int(2);
        }
        for (size_t i = 0; i < money.size(); ++i) {
          WindowFigures& window = Of(windows, money[i].Int(0));
          if (money[i].Int(2) != 0) window.revenue[money[i].String(1)] = money[i].Int(2);
          if (money[i].Int(3) != 0) window.refunds[money[i].String(1)] = money[i].Int(3);
        }
        for (size_t i = 0; i < latency.size(); ++i) {
          Of(windows, latency[i].Int(0)).latency.Add(static_cast<int>(latency[i].Int(1)), latency[i].Int(2));
        }
        std::vector<WindowFigures> minutes;
        for (auto& [start, window] : windows) minutes.push_back(std::move(window));
        return minutes;
      },
      snapshot);
}

std::vector<ProductFigures> SalesReader::Products(const WindowRange& range) const {
  return cluster_.Transact(
      shard_,
      [&](pg::Transaction& tx) {
        const pg::Result rows = tx.Exec(
            "SELECT sku, currency, sum(units)::bigint, sum(revenue_minor)::bigint FROM window_products "
            "WHERE window_start_ms >= $1 AND window_start_ms < $2 GROUP BY sku, currency ORDER BY sku, currency",
            {range.from_ms, range.to_ms});
        std::vector<ProductFigures> products;
        for (size_t i = 0; i < rows.size(); ++i) {
          if (products.empty() || products.back().sku != rows[i].String(0)) products.push_back({rows[i].String(0)});
          products.back().units += rows[i].Int(2);
          products.back().revenue[rows[i].String(1)] += rows[i].Int(3);
        }
        return products;
      },
      kReadOnly);
}

std::map<int64_t, int64_t> SalesReader::Revisions(int64_t from_ms) const {
  return cluster_.Transact(
      shard_,
      [&](pg::Transaction& tx) {
        const pg::Result rows =
            tx.Exec("SELECT window_start_ms, revision FROM sales_windows WHERE window_start_ms >= $1", {from_ms});
        std::map<int64_t, int64_t> revisions;
        for (size_t i = 0; i < rows.size(); ++i) revisions[rows[i].Int(0)] = rows[i].Int(1);
        return revisions;
      },
      kReadOnly);
}

}  // namespace orderly::analytics
