#include "window_changes.h"

#include <spdlog/spdlog.h>

#include "orderly/common/errors.h"

namespace orderly::analytics {
namespace {

using pg::Param;

// Columns of unnest() arrays, one element per row to write.
struct Columns {
  std::vector<std::vector<int64_t>> numbers;
  std::vector<std::vector<std::string>> texts;

  Columns(size_t number_columns, size_t text_columns) : numbers(number_columns), texts(text_columns) {}
  void Append(std::vector<Param>& params) const {
    for (const auto& column : numbers) params.push_back(Param::Array(column));
    for (const auto& column : texts) params.push_back(Param::Array(column));
  }
};

// Every change in one statement: an empty array writes nothing. Keys are unique per table, so
// no row is changed twice.
constexpr const char* kWrite =
    "WITH watermark AS (UPDATE event_time_watermark SET newest_ms = greatest(newest_ms, $1) WHERE id = 1), "
    "counts AS (INSERT INTO sales_windows "
    "  (window_start_ms, placed, confirmed, rejected, cancelled, refunded, late_dropped, revision) "
    "  SELECT * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], "
    "                       $8::bigint[], $9::bigint[]) "
    "  ON CONFLICT (window_start_ms) DO UPDATE SET "
    "  placed = sales_windows.placed + EXCLUDED.placed, "
    "  confirmed = sales_windows.confirmed + EXCLUDED.confirmed, "
    "  rejected = sales_windows.rejected + EXCLUDED.rejected, "
    "  cancelled = sales_windows.cancelled + EXCLUDED.cancelled, "
    "  refunded = sales_windows.refunded + EXCLUDED.refunded, "
    "  late_dropped = sales_windows.late_dropped + EXCLUDED.late_dropped, "
    "  revision = sales_windows.revision + EXCLUDED.revision), "
    "rejections AS (INSERT INTO window_rejections (window_start_ms, count, reason) "
    "  SELECT * FROM unnest($10::bigint[], $11::bigint[], $12::text[]) "
    "  ON CONFLICT (window_start_ms, reason) DO UPDATE SET count = window_rejections.count + EXCLUDED.count), "
    "money AS (INSERT INTO window_money (window_start_ms, revenue_minor, refunds_minor, currency) "
    "  SELECT * FROM unnest($13::bigint[], $14::bigint[], $15::bigint[], $16::text[]) "
    "  ON CONFLICT (window_start_ms, currency) DO UPDATE SET "
    "  revenue_minor = window_money.revenue_minor + EXCLUDED.revenue_minor, "
    "  refunds_minor = window_money.refunds_minor + EXCLUDED.refunds_minor), "
    "products AS (INSERT INTO window_products (window_start_ms, units, revenue_minor, sku, currency) "
    "  SELECT * FROM unnest($17::bigint[], $18::bigint[], $19::bigint[], $20::text[], $21::text[]) "
    "  ON CONFLICT (window_start_ms, sku, currency) DO UPDATE SET "
    "  units = window_products.units + EXCLUDED.units, "
    "  revenue_minor = window_products.revenue_minor + EXCLUDED.revenue_minor), "
    "latency AS (INSERT INTO window_latency (window_start_ms, bucket, count) "
    "  SELECT * FROM unnest($22::bigint[], $23::smallint[], $24::bigint[]) "
    "  ON CONFLICT (window_start_ms, bucket) DO UPDATE SET count = window_latency.count + EXCLUDED.count), "
    "remembered AS (INSERT INTO placed_orders (placed_ms, order_id, placed) "
    "  SELECT * FROM unnest($25::bigint[], $26::text[], $27::bytea[]) ON CONFLICT DO NOTHING), "
    "forgotten AS (DELETE FROM placed_orders WHERE order_id = ANY($28::text[])) "
    "SELECT 1";

}  // namespace

void WindowChanges::Count(int64_t window, const WindowCounts& counts) {
  counts_[window].Add(counts);
  revisions_[window] += 1;
}

void WindowChanges::Refund(int64_t window, const v1::Money& amount) {
  money_[{window, amount.currency()}].second += amount.minor_units();
}

void WindowChanges::Place(const std::string& order_id, PlacedOrder order) {
  forgotten_.erase(order_id);
  placed_.emplace(order_id, std::move(order));
}

void WindowChanges::End(Ending ending) {
  const auto placed = placed_.find(ending.order_id);
  if (placed == placed_.end()) {
    forgotten_.insert(ending.order_id);
    unresolved_.push_back(std::move(ending));
    return;
  }
  Ended(ending, placed->second);
  placed_.erase(placed);  // never stored
}

void WindowChanges::Forget(const std::string& order_id) {
  if (placed_.erase(order_id) == 0) forgotten_.insert(order_id);
}

void WindowChanges::Ended(const Ending& ending, const PlacedOrder& order) {
  latency_[{ending.window, LatencyHistogram::BucketOf(ending.event_ms - order.placed_ms)}] += 1;
  if (!ending.confirmed) return;
  money_[{ending.window, order.placed.total().currency()}].first += order.placed.total().minor_units();
  for (const v1::OrderLine& line : order.placed.lines()) {
    auto& [units, revenue] = products_[{ending.window, line.sku(), line.unit_price().currency()}];
    units += line.quantity();
    revenue += line.quantity() * line.unit_price().minor_units();
  }
}

void WindowChanges::Resolve(pg::Transaction& tx) {
  if (unresolved_.empty()) return;
  std::vector<std::string> order_ids;
  for (const Ending& ending : unresolved_) order_ids.push_back(ending.order_id);
  const pg::Result rows = tx.Exec("SELECT order_id, placed_ms, placed FROM placed_orders WHERE order_id = ANY($1::text[])",
                                  {Param::Array(order_ids)});
  std::map<std::string, PlacedOrder> stored;
  for (size_t i = 0; i < rows.size(); ++i) {
    PlacedOrder order{rows[i].Int(1), {}};
    if (!order.placed.ParseFromString(rows[i].Bytes(2))) throw Internal("corrupt placed order " + rows[i].String(0));
    stored.emplace(rows[i].String(0), std::move(order));
  }
  for (const Ending& ending : unresolved_) {
    const auto order = stored.find(ending.order_id);
    if (order == stored.end()) {
      spdlog::warn("analytics: order {} ended without an OrderPlaced seen here; no latency recorded", ending.order_id);
      continue;
    }
    Ended(ending, order->second);
  }
  unresolved_.clear();
}

void WindowChanges::Write(pg::Transaction& tx) {
  Resolve(tx);
  Columns counts(8, 0);
  for (const auto& [window, c] : counts_) {
    const int64_t row[] = {window, c.placed, c.confirmed, c.rejected, c.cancelled, c.refunded, c.late_dropped,
                           revisions_[window]};
    for (size_t i = 0; i < counts.numbers.size(); ++i) counts.numbers[i].push_back(row[i]);
  }
  Columns rejections(2, 1);
  for (const auto& [key, count] : rejections_) {
    rejections.numbers[0].push_back(key.first);
    rejections.numbers[1].push_back(count);
    rejections.texts[0].push_back(key.second);
  }
  Columns money(3, 1);
  for (const auto& [key, amounts] : money_) {
    money.numbers[0].push_back(key.first);
    money.numbers[1].push_back(amounts.first);
    money.numbers[2].push_back(amounts.second);
    money.texts[0].push_back(key.second);
  }
  Columns products(3, 2);
  for (const auto& [key, sums] : products_) {
    products.numbers[0].push_back(std::get<0>(key));
    products.numbers[1].push_back(sums.first);
    products.numbers[2].push_back(sums.second);
    products.texts[0].push_back(std::get<1>(key));
    products.texts[1].push_back(std::get<2>(key));
  }
  Columns latency(3, 0);
  for (const auto& [key, count] : latency_) {
    latency.numbers[0].push_back(key.first);
    latency.numbers[1].push_back(key.second);
    latency.numbers[2].push_back(count);
  }
  Columns remembered(1, 2);
  for (const auto& [order_id, order] : placed_) {
    remembered.numbers[0].push_back(order.placed_ms);
    remembered.texts[0].push_back(order_id);
    remembered.texts[1].push_back(*Param::Bytes(order.placed.SerializeAsString()).text());
  }
  std::vector<Param> params = {watermark_ms_};
  for (const Columns* columns : {&counts, &rejections, &money, &products, &latency, &remembered}) {
    columns->Append(params);
  }
  params.push_back(Param::Array(std::vector<std::string>(forgotten_.begin(), forgotten_.end())));
  tx.Exec(kWrite, params);
}

}  // namespace orderly::analytics
