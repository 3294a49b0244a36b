#include "event_recorder.h"

#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "orderly/messaging/envelope.h"
#include "window_changes.h"
#include "windows.h"

namespace orderly::analytics {
namespace {

using google::protobuf::util::TimeUtil;
using messaging::Is;

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

}  // namespace

EventRecorder::EventRecorder(std::chrono::milliseconds late_allowance, metrics::Registry& registry)
    : late_allowance_(late_allowance),
      late_dropped_(registry
                        .CounterFamily("orderly_analytics_late_events_dropped_total",
                                       "order.events that came after their window closed (late_allowance_ms).")
                        .Get()) {}

WindowChanges& EventRecorder::ChangesOf(pg::Transaction& tx) const {
  std::shared_ptr<void>& slot = tx.Local(this);
  if (!slot) {
    // The lock orders the transactions that record events; it is held until COMMIT.
    auto changes = std::make_shared<WindowChanges>(
        tx.Exec("SELECT newest_ms FROM event_time_watermark WHERE id = 1 FOR UPDATE").One().Int(0));
    tx.BeforeCommit([&tx, changes] { changes->Write(tx); });
    slot = changes;
  }
  return *static_cast<WindowChanges*>(slot.get());
}

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
  WindowChanges& changes = ChangesOf(tx);
  // Remembered even when late: the order's terminal event may still fall in an open window.
  if (placing) changes.Place(order_id, {event_ms, messaging::Payload<v1::OrderPlaced>(envelope)});
  if (IsTooLate(event_ms, changes.watermark_ms(), late_allowance_)) {
    DropLate(tx, changes, envelope, event_ms);
    return;
  }
  changes.SawEvent(event_ms);
  if (placing) {
    changes.Count(window, {.placed = 1});
  } else if (Is<v1::OrderConfirmed>(envelope)) {
    changes.Count(window, {.confirmed = 1});
  } else if (Is<v1::OrderRejected>(envelope)) {
    changes.Count(window, {.rejected = 1});
    changes.Reject(window, v1::RejectReason_Name(messaging::Payload<v1::OrderRejected>(envelope).reason()));
  } else if (Is<v1::OrderCancelled>(envelope)) {
    changes.Count(window, {.cancelled = 1});
  } else {
    changes.Count(window, {.refunded = 1});
    changes.Refund(window, RefundedAmount(envelope));
  }
  if (IsTerminal(envelope)) changes.End({window, event_ms, order_id, Is<v1::OrderConfirmed>(envelope)});
}

void EventRecorder::DropLate(pg::Transaction& tx, WindowChanges& changes, const v1::Envelope& envelope,
                             int64_t event_ms) const {
  changes.Count(WindowStart(event_ms), {.late_dropped = 1});
  if (IsTerminal(envelope)) changes.Forget(envelope.order_id());
  tx.AfterCommit([this, type = envelope.type(), order_id = envelope.order_id(), event_ms,
                  watermark_ms = changes.watermark_ms()] {
    late_dropped_.Inc();
    spdlog::warn(
        "analytics: dropped late {} of order {}: its window ({} ms) closed at newest event time {} ms "
        "(services.analytics.late_allowance_ms {})",
        type, order_id, WindowStart(event_ms), watermark_ms, late_allowance_.count());
  });
}

}  // namespace orderly::analytics
