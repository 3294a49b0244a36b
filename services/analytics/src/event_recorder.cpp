#include "event_recorder.h"

#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include <optional>

#include "orderly/messaging/envelope.h"
#include "windows.h"

namespace orderly::analytics {
namespace {

using google::protobuf::util::TimeUtil;
using messaging::Is;

void AddCounts(pg::Transaction& tx, int64_t window, const WindowCounts& deltas) {
  tx.Exec(
      "INSERT INTO sales_windows (window_start_ms, placed, confirmed, rejected, cancelled, refunded, late_dropped, "
      "revision) VALUES ($1, $2, $3, $4, $5, $6, $7, 1) ON CONFLICT (window_start_ms) DO UPDATE SET "
      "placed = sales_windows.placed + EXCLUDED.placed, "
      "confirmed = sales_windows.confirmed + EXCLUDED.confirmed, "
      "rejected = sales_windows.rejected + EXCLUDED.rejected, "
      "cancelled = sales_windows.cancelled + EXCLUDED.cancelled, "
      "refunded = sales_windows.refunded + EXCLUDED.refunded, "
      "late_dropped = sales_windows.late_dropped + EXCLUDED.late_dropped, "
      "revision = sales_windows.revision + 1",
      {window, deltas.placed, deltas.confirmed, deltas.rejected, deltas.cancelled, deltas.refunded,
       deltas.late_dropped});
}

void AddMoney(pg::Transaction& tx, int64_t window, const v1::Money& revenue, const v1::Money& refunds) {
  const std::string& currency = revenue.currency().empty() ? refunds.currency() : revenue.currency();
  tx.Exec(
      "INSERT INTO window_money (window_start_ms, currency, revenue_minor, refunds_minor) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (window_start_ms, currency) DO UPDATE SET "
      "revenue_minor = window_money.revenue_minor + EXCLUDED.revenue_minor, "
      "refunds_minor = window_money.refunds_minor + EXCLUDED.refunds_minor",
      {window, currency, revenue.minor_units(), refunds.minor_units()});
}

void AddProducts(pg::Transaction& tx, int64_t window, const v1::OrderPlaced& placed) {
  for (const v1::OrderLine& line : placed.lines()) {
    tx.Exec(
        "INSERT INTO window_products (window_start_ms, sku, currency, units, revenue_minor) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (window_start_ms, sku, currency) DO UPDATE SET "
        "units = window_products.units + EXCLUDED.units, "
        "revenue_minor = window_products.revenue_minor + EXCLUDED.revenue_minor",
        {window, line.sku(), line.unit_price().currency(), int64_t{line.quantity()},
         line.quantity() * line.unit_price().minor_units()});
  }
}

void AddRejection(pg::Transaction& tx, int64_t window, v1::RejectReason reason) {
  tx.Exec(
      "INSERT INTO window_rejections (window_start_ms, reason, count) VALUES ($1, $2, 1) "
      "ON CONFLICT (window_start_ms, reason) DO UPDATE SET count = window_rejections.count + 1",
      {window, v1::RejectReason_Name(reason)});
}

void AddLatency(pg::Transaction& tx, int64_t window, int64_t latency_ms) {
  tx.Exec(
      "INSERT INTO window_latency (window_start_ms, bucket, count) VALUES ($1, $2, 1) "
      "ON CONFLICT (window_start_ms, bucket) DO UPDATE SET count = window_latency.count + 1",
      {window, LatencyHistogram::BucketOf(latency_ms)});
}

// An order's OrderPlaced as recorded, and when it was placed.
struct PlacedOrder {
  int64_t placed_ms = 0;
  v1::OrderPlaced placed;
};

// The newest event time seen, locked until the transaction ends, and the order's OrderPlaced.
struct Context {
  int64_t watermark_ms = 0;
  std::optional<PlacedOrder> order;  // none if its OrderPlaced never came here
};

Context Read(pg::Transaction& tx, const std::string& order_id) {
  const pg::Row row = tx.Exec(
                            "SELECT w.newest_ms, p.placed_ms, p.placed FROM event_time_watermark w "
                            "LEFT JOIN placed_orders p ON p.order_id = $1 WHERE w.id = 1 FOR UPDATE OF w",
                            {order_id})
                          .One();
  Context context{row.Int(0), std::nullopt};
  if (!row.IsNull(1)) {
    context.order.emplace();
    context.order->placed_ms = row.Int(1);
    if (!context.order->placed.ParseFromString(row.Bytes(2))) throw Internal("corrupt placed order " + order_id);
  }
  return context;
}

// Events of order.events that change no figure.
bool ChangesNoFigure(const v1::Envelope& envelope) {
  return Is<v1::OrderCancellationRequested>(envelope) || Is<v1::OrderRefundRequested>(envelope) ||
         Is<v1::OrderRefundFailed>(envelope);
}

bool IsTerminal(const v1::Envelope& envelope) {
  return Is<v1::OrderConfirmed>(envelope) || Is<v1::OrderRejected>(envelope) || Is<v1::OrderCancelled>(envelope);
}

bool IsRefund(const v1::Envelope& envelope) {
  return Is<v1::OrderRefunded>(envelope) || Is<v1::OrderPartiallyRefunded>(envelope);
}

// The amount of an OrderRefunded or OrderPartiallyRefunded.
v1::Money RefundedAmount(const v1::Envelope& envelope) {
  return Is<v1::OrderRefunded>(envelope) ? messaging::Payload<v1::OrderRefunded>(envelope).amount()
                                         : messaging::Payload<v1::OrderPartiallyRefunded>(envelope).amount();
}

// A terminal event: its latency from the placing, and the order needs no more remembering.
void Ended(pg::Transaction& tx, int64_t window, int64_t event_ms, const std::optional<PlacedOrder>& order,
           const std::string& order_id) {
  if (!order) {
    spdlog::warn("analytics: order {} ended without an OrderPlaced seen here; no latency recorded", order_id);
    return;
  }
  AddLatency(tx, window, event_ms - order->placed_ms);
  tx.Exec("DELETE FROM placed_orders WHERE order_id = $1", {order_id});
}

}  // namespace

EventRecorder::EventRecorder(std::chrono::milliseconds late_allowance, metrics::Registry& registry)
    : late_allowance_(late_allowance),
      late_dropped_(registry
                        .CounterFamily("orderly_analytics_late_events_dropped_total",
                                       "order.events that came after their window closed (late_allowance_ms).")
                        .Get()) {}

void EventRecorder::Record(pg::Transaction& tx, const v1::Envelope& envelope) const {
  if (ChangesNoFigure(envelope)) return;
  const bool placing = Is<v1::OrderPlaced>(envelope);
  if (!placing && !IsTerminal(envelope) && !IsRefund(envelope)) {
    throw messaging::PoisonMessage("envelope.type", "'" + envelope.type() + "' is no event of order.events");
  }
  if (!envelope.has_produced_at()) throw messaging::PoisonMessage("envelope.produced_at", "is missing");
  const int64_t event_ms = TimeUtil::TimestampToMilliseconds(envelope.produced_at());
  const int64_t window = WindowStart(event_ms);
  const std::string& order_id = envelope.order_id();
  const Context context = Read(tx, order_id);
  if (placing) {
    // Remembered even when late: the order's terminal event may still fall in an open window.
    tx.Exec("INSERT INTO placed_orders (order_id, placed_ms, placed) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            {order_id, event_ms, pg::Param::Bytes(messaging::Payload<v1::OrderPlaced>(envelope).SerializeAsString())});
  }
  if (IsTooLate(event_ms, context.watermark_ms, late_allowance_)) {
    DropLate(tx, envelope, event_ms, context.watermark_ms);
    return;
  }
  tx.Exec("UPDATE event_time_watermark SET newest_ms = greatest(newest_ms, $1) WHERE id = 1", {event_ms});
  if (placing) {
    AddCounts(tx, window, {.placed = 1});
  } else if (Is<v1::OrderConfirmed>(envelope)) {
    AddCounts(tx, window, {.confirmed = 1});
    if (context.order) {
      AddMoney(tx, window, context.order->placed.total(), v1::Money());
      AddProducts(tx, window, context.order->placed);
    }
  } else if (Is<v1::OrderRejected>(envelope)) {
    AddCounts(tx, window, {.rejected = 1});
    AddRejection(tx, window, messaging::Payload<v1::OrderRejected>(envelope).reason());
  } else if (Is<v1::OrderCancelled>(envelope)) {
    AddCounts(tx, window, {.cancelled = 1});
  } else {
    AddCounts(tx, window, {.refunded = 1});
    AddMoney(tx, window, v1::Money(), RefundedAmount(envelope));
  }
  if (IsTerminal(envelope)) Ended(tx, window, event_ms, context.order, order_id);
}

void EventRecorder::DropLate(pg::Transaction& tx, const v1::Envelope& envelope, int64_t event_ms,
                             int64_t watermark_ms) const {
  AddCounts(tx, WindowStart(event_ms), {.late_dropped = 1});
  if (IsTerminal(envelope)) tx.Exec("DELETE FROM placed_orders WHERE order_id = $1", {envelope.order_id()});
  tx.AfterCommit([this, type = envelope.type(), order_id = envelope.order_id(), event_ms, watermark_ms] {
    late_dropped_.Inc();
    spdlog::warn(
        "analytics: dropped late {} of order {}: its window ({} ms) closed at newest event time {} ms "
        "(services.analytics.late_allowance_ms {})",
        type, order_id, WindowStart(event_ms), watermark_ms, late_allowance_.count());
  });
}

}  // namespace orderly::analytics
