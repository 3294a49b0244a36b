#pragma once

#include <chrono>

#include "orderly/metrics/registry.h"
#include "orderly/pg/transaction.h"
#include "orderly/v1/events.pb.h"

namespace orderly::analytics {

class WindowChanges;

/// Adds order.events to their one-minute windows (by the envelope's produced_at), inside the
/// inbox's transaction, so each event changes its window exactly once. The transaction must run on
/// the shard of kShardKey. An event whose window closed (IsTooLate against the newest event time
/// seen) changes only its window's late_dropped count, is logged and counted in
/// orderly_analytics_late_events_dropped_total. A transaction's events are summed (WindowChanges)
/// and written right before its COMMIT: a batch costs a few statements, not a few per event.
/// Thread-safe (no state but the metric).
class EventRecorder final {
 public:
  EventRecorder(std::chrono::milliseconds late_allowance, metrics::Registry& registry);
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  /// Records one envelope of order.events. Types that change no figure (cancellation and refund
  /// requests, failed refunds) are skipped.
  /// @throws messaging::PoisonMessage for an unknown type or a payload that does not match it;
  /// pg errors from the statements.
  void Record(pg::Transaction& tx, const v1::Envelope& envelope) const;

 private:
  // The changes of this transaction's events so far: on the first call, the watermark is read and
  // locked, and their write is set to run before COMMIT.
  WindowChanges& ChangesOf(pg::Transaction& tx) const;
  // Counts a late event in its window's late_dropped only; logs and counts it once committed.
  void DropLate(pg::Transaction& tx, WindowChanges& changes, const v1::Envelope& envelope, int64_t event_ms) const;

  const std::chrono::milliseconds late_allowance_;
  metrics::Counter& late_dropped_;
};

}  // namespace orderly::analytics
