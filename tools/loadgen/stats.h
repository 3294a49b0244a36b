#pragma once

#include <grpcpp/support/status.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "histogram.h"
#include "outcome.h"

namespace orderly::loadgen {

using Clock = std::chrono::steady_clock;

/// "RESOURCE_EXHAUSTED" for a gRPC status code.
[[nodiscard]] std::string StatusName(grpc::StatusCode code);

/// An order that ended otherwise than it was built to.
struct Unexpected {
  std::string order_id;
  Expected expected = Expected::kConfirmed;
  Outcome outcome = Outcome::kConfirmed;
  std::string detail;
};

/// The counters, as of one moment.
struct Counts {
  uint64_t offered = 0;   // orders whose send time came
  uint64_t accepted = 0;  // PlaceOrder OK
  uint64_t refused = 0;   // PlaceOrder RESOURCE_EXHAUSTED: load shed at the door, not an error
  uint64_t failed = 0;    // PlaceOrder with any other status
  uint64_t cancels_ok = 0;
  uint64_t cancels_too_late = 0;  // FAILED_PRECONDITION: the order had already ended
  uint64_t cancels_failed = 0;
  uint64_t terminal = 0;
  std::array<uint64_t, kOutcomeCount> outcomes{};
  uint64_t unexpected = 0;
  std::map<std::string, uint64_t> errors;  // status name -> failed PlaceOrder and CancelOrder calls
};

/// Everything recorded: counters, latency histograms in microseconds, and up to 100 unexpected
/// outcomes by name.
struct Totals {
  Counts counts;
  Histogram place;                                // PlaceOrder latency of accepted orders, from the intended send time
  Histogram terminal_all;                         // intended send time -> terminal event seen, every outcome
  std::array<Histogram, kOutcomeCount> terminal;  // the same, per outcome
  Histogram retry_after;                          // retry-after-ms of refusals, in µs
  std::vector<Unexpected> unexpected;
};

/// Collects what the sender, the gRPC callbacks and the order.events tracker observe.
/// Thread-safe: every method takes one mutex briefly.
class Stats final {
 public:
  static constexpr size_t kUnexpectedKept = 100;

  Stats() = default;
  Stats(const Stats&) = delete;
  Stats& operator=(const Stats&) = delete;

  void RecordOffered();
  /// A PlaceOrder call returned after `latency` (from its intended send time).
  void RecordPlaced(Clock::duration latency, const grpc::Status& status, std::optional<int64_t> retry_after_ms);
  void RecordCancel(const grpc::Status& status);
  /// An accepted order ended, `latency` after its intended send time.
  void RecordTerminal(Expected expected, const Terminal& terminal, Clock::duration latency);

  [[nodiscard]] Counts counts() const;
  /// p99 so far of PlaceOrder and of place -> terminal, in µs.
  [[nodiscard]] std::pair<int64_t, int64_t> P99() const;
  [[nodiscard]] Totals totals() const;

 private:
  mutable std::mutex mutex_;
  Totals totals_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace orderly::loadgen
