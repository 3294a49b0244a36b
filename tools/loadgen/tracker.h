#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "orderly/messaging/settings.h"
#include "orderly/messaging/topic_tail.h"
#include "stats.h"

namespace orderly::loadgen {

/// Sees accepted orders end: tails `order.events` (prefix applied) on its own thread, decodes each
/// envelope and matches OrderConfirmed / OrderRejected / OrderCancelled to the orders it was told
/// about, recording each outcome and its latency in `stats`. An event that arrives before its
/// PlaceOrder response is kept (for up to a minute) and matched when the order is announced.
///
/// Thread-safe: Accepted and the getters may be called from any thread.
class Tracker final {
 public:
  /// Takes the topic's end offsets before returning, so construct it before the first order.
  /// @throws orderly::NotFound / orderly::Unavailable (see messaging::TopicTail).
  Tracker(const messaging::KafkaSettings& kafka, Stats& stats);
  /// Stops and joins the thread.
  ~Tracker();
  Tracker(const Tracker&) = delete;
  Tracker& operator=(const Tracker&) = delete;

  /// PlaceOrder accepted `order_id`, built to end as `expected`, meant to be sent at `intended`.
  void Accepted(const std::string& order_id, Expected expected, Clock::time_point intended);

  /// Accepted orders not yet ended.
  [[nodiscard]] size_t backlog() const;
  /// When the last tracked order ended; nullopt before the first.
  [[nodiscard]] std::optional<Clock::time_point> last_terminal() const;
  /// Records on the topic that were not envelopes (counted, skipped).
  [[nodiscard]] uint64_t undecodable() const { return undecodable_.load(); }
  /// The first error that stopped the tail (the tracker then sees nothing more), or "".
  [[nodiscard]] std::string error() const;

 private:
  struct Pending {
    Expected expected;
    Clock::time_point intended;
  };
  struct Early {
    Terminal terminal;
    Clock::time_point seen;
  };

  void Loop();
  void Handle(const Terminal& terminal, Clock::time_point seen) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void ForgetOldEarly(Clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  Stats& stats_;
  std::unique_ptr<messaging::TopicTail> tail_;  // used by the thread only, after construction
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Pending> pending_ ABSL_GUARDED_BY(mutex_);
  // Terminal events of orders not (yet) announced: other clients' orders, or ours whose response is late.
  std::unordered_map<std::string, Early> early_ ABSL_GUARDED_BY(mutex_);
  std::multimap<Clock::time_point, std::string> early_by_time_ ABSL_GUARDED_BY(mutex_);
  std::optional<Clock::time_point> last_terminal_ ABSL_GUARDED_BY(mutex_);
  std::string error_ ABSL_GUARDED_BY(mutex_);
  std::atomic<uint64_t> undecodable_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;  // last: starts after every other member is ready
};

}  // namespace orderly::loadgen
