#pragma once

#include <optional>
#include <string>

#include "options.h"
#include "stats.h"

namespace orderly::loadgen {

/// What a run was and how it finished, besides the Stats totals.
struct RunInfo {
  std::string run_id;
  double window_s = 0;              // sending time: rates are counts over this
  std::optional<double> drain_s;    // sending stopped -> last order ended; nullopt if the drain timed out
  uint64_t terminal_in_window = 0;  // orders that ended while orders were still being sent
  size_t pending = 0;               // accepted orders not ended after the drain
  uint64_t undecodable = 0;         // order.events records that were not envelopes
  std::string tail_error;           // why order.events stopped being read, if it did
};

/// The exit code for a finished run: 1 on an unexpected outcome, a failed call (refusals are not
/// failures), an order still pending or a broken tail; else 0.
[[nodiscard]] int ExitCode(const RunInfo& run, const Totals& totals);

/// Prints the summary tables on stdout, for people.
void PrintSummary(const Options& options, const RunInfo& run, const Totals& totals);

/// The summary as one JSON document: the same figures, latencies in milliseconds.
[[nodiscard]] std::string SummaryJson(const Options& options, const RunInfo& run, const Totals& totals);

/// Formats the once-a-second progress line from the counts now and a second (`seconds`) ago.
/// Not thread-safe; one per run.
class Progress final {
 public:
  [[nodiscard]] std::string Line(double elapsed_s, const Counts& now, int in_flight, size_t backlog,
                                 std::pair<int64_t, int64_t> p99_us);

 private:
  Counts last_;
  double last_elapsed_s_ = 0;
};

/// "12.35" for 12345 µs: milliseconds, two decimals.
[[nodiscard]] std::string Millis(int64_t micros);
/// `value` with `decimals` decimals.
[[nodiscard]] std::string Fixed(double value, int decimals);
/// The text of a JSON string: quoted, escaped.
[[nodiscard]] std::string JsonString(std::string_view text);
/// {"count":…,"p50":…,"p90":…,"p99":…,"p99_9":…,"max":…}, milliseconds.
[[nodiscard]] std::string LatencyJson(const Histogram& histogram);

}  // namespace orderly::loadgen
