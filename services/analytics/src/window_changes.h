#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "orderly/pg/transaction.h"
#include "orderly/v1/events.pb.h"
#include "windows.h"

namespace orderly::analytics {

/// An order's OrderPlaced as recorded, and when it was placed.
struct PlacedOrder {
  int64_t placed_ms = 0;
  v1::OrderPlaced placed;
};

/// A terminal event (confirmed, rejected, cancelled) whose OrderPlaced is looked up when the changes
/// are written.
struct Ending {
  int64_t window = 0;
  int64_t event_ms = 0;
  std::string order_id;
  bool confirmed = false;
};

/// What one transaction's events change in the windows, summed per row, so a batch of events costs
/// one read of the watermark and one write of every table however many events it holds. The sums
/// equal what the events would have written one by one, revisions included (one per counted event).
class WindowChanges final {
 public:
  /// Starts from the newest event time as stored (read under the row's lock).
  explicit WindowChanges(int64_t watermark_ms) : watermark_ms_(watermark_ms) {}

  [[nodiscard]] int64_t watermark_ms() const { return watermark_ms_; }
  /// An event at `event_ms` was counted: the newest event time moves up to it.
  void SawEvent(int64_t event_ms) { watermark_ms_ = std::max(watermark_ms_, event_ms); }

  /// One event's counts in `window` (and one revision).
  void Count(int64_t window, const WindowCounts& counts);
  void Reject(int64_t window, const std::string& reason) { rejections_[{window, reason}] += 1; }
  void Refund(int64_t window, const v1::Money& amount);

  /// Remembers an OrderPlaced until its order ends (the first one of an order wins).
  void Place(const std::string& order_id, PlacedOrder order);
  /// An order ended in this window: its latency, and for a confirmed one its money and products,
  /// from its OrderPlaced, now if this transaction placed it, else once Resolve has read it.
  void End(Ending ending);
  /// An order that ended too late to count needs no more remembering.
  void Forget(const std::string& order_id);

  /// Resolves the endings whose OrderPlaced is stored, then writes every change: two statements.
  void Write(pg::Transaction& tx);

 private:
  void Ended(const Ending& ending, const PlacedOrder& order);
  void Resolve(pg::Transaction& tx);

  int64_t watermark_ms_;
  std::map<int64_t, WindowCounts> counts_;
  std::map<int64_t, int64_t> revisions_;
  std::map<std::pair<int64_t, std::string>, int64_t> rejections_;
  std::map<std::pair<int64_t, std::string>, std::pair<int64_t, int64_t>> money_;  // revenue, refunds
  std::map<std::tuple<int64_t, std::string, std::string>, std::pair<int64_t, int64_t>> products_;  // units, revenue
  std::map<std::pair<int64_t, int>, int64_t> latency_;
  std::map<std::string, PlacedOrder> placed_;  // placed by this transaction and not ended in it
  std::set<std::string> forgotten_;            // stored OrderPlaced rows to delete
  std::vector<Ending> unresolved_;             // endings whose OrderPlaced is stored
};

}  // namespace orderly::analytics
