#include "report.h"

#include <cstdio>

#include "orderly/tools/output.h"

namespace orderly::loadgen {
namespace {

struct Percentiles {
  const char* name;
  double percentile;
};
constexpr Percentiles kPercentiles[] = {{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99_9", 99.9}};

double Rate(uint64_t count, double seconds) { return seconds > 0 ? static_cast<double>(count) / seconds : 0; }

std::string Object(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out = "{";
  for (const auto& [key, value] : fields) out += (out.size() > 1 ? "," : "") + JsonString(key) + ":" + value;
  return out + "}";
}

std::vector<std::string> LatencyRow(const std::string& name, const Histogram& histogram) {
  std::vector<std::string> row = {name, std::to_string(histogram.count())};
  for (const auto& [label, percentile] : kPercentiles) row.push_back(Millis(histogram.Percentile(percentile)));
  row.push_back(Millis(histogram.max()));
  return row;
}

std::string ModeText(const Options& options) {
  if (options.mode == Mode::kClosedLoop) return "closed loop, " + std::to_string(options.clients) + " clients";
  return "open loop at " + Fixed(options.rate, 1) + "/s";
}

}  // namespace

std::string Fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string Millis(int64_t micros) { return Fixed(static_cast<double>(micros) / 1000.0, 2); }

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string LatencyJson(const Histogram& histogram) {
  std::vector<std::pair<std::string, std::string>> fields = {{"count", std::to_string(histogram.count())}};
  for (const auto& [label, percentile] : kPercentiles)
    fields.emplace_back(label, Millis(histogram.Percentile(percentile)));
  fields.emplace_back("max", Millis(histogram.max()));
  return Object(fields);
}

int ExitCode(const RunInfo& run, const Totals& totals) {
  const Counts& c = totals.counts;
  const bool failed =
      c.unexpected > 0 || c.failed > 0 || c.cancels_failed > 0 || run.pending > 0 || !run.tail_error.empty();
  return failed ? 1 : 0;
}

void PrintSummary(const Options& options, const RunInfo& run, const Totals& totals) {
  const Counts& c = totals.counts;
  const double window = run.window_s;
  std::printf("run %s: %s for %.1f s; drain %s\n\n", run.run_id.c_str(), ModeText(options).c_str(), window,
              run.drain_s ? (Fixed(*run.drain_s, 2) + " s").c_str() : "timed out");
  tools::Output::Table(
      {"ORDERS", "COUNT", "RATE/S"},
      {{"offered", std::to_string(c.offered), Fixed(Rate(c.offered, window), 1)},
       {"accepted", std::to_string(c.accepted), Fixed(Rate(c.accepted, window), 1)},
       {"refused", std::to_string(c.refused), Fixed(Rate(c.refused, window), 1)},
       {"failed", std::to_string(c.failed), Fixed(Rate(c.failed, window), 1)},
       {"ended in window", std::to_string(run.terminal_in_window), Fixed(Rate(run.terminal_in_window, window), 1)},
       {"ended", std::to_string(c.terminal), ""},
       {"pending after drain", std::to_string(run.pending), ""},
       {"unexpected outcome", std::to_string(c.unexpected), ""}});
  std::printf("\n");
  std::vector<std::vector<std::string>> rows = {LatencyRow("PlaceOrder", totals.place),
                                                LatencyRow("place -> end", totals.terminal_all)};
  for (int i = 0; i < kOutcomeCount; ++i) {
    const Histogram& histogram = totals.terminal[static_cast<size_t>(i)];
    if (histogram.count() > 0) rows.push_back(LatencyRow("place -> " + std::string(Name(Outcome(i))), histogram));
  }
  tools::Output::Table({"LATENCY (ms)", "COUNT", "P50", "P90", "P99", "P99.9", "MAX"}, rows);
  if (c.refused > 0) {
    std::printf("\nrefusals (RESOURCE_EXHAUSTED): %llu, retry-after p50 %s ms, max %s ms\n",
                static_cast<unsigned long long>(c.refused), Millis(totals.retry_after.Percentile(50)).c_str(),
                Millis(totals.retry_after.max()).c_str());
  }
  if (options.cancel > 0) {
    std::printf("\ncancels: %llu recorded, %llu too late (order had ended), %llu failed\n",
                static_cast<unsigned long long>(c.cancels_ok), static_cast<unsigned long long>(c.cancels_too_late),
                static_cast<unsigned long long>(c.cancels_failed));
  }
  for (const auto& [name, count] : c.errors)
    std::printf("error: %s x%llu\n", name.c_str(), static_cast<unsigned long long>(count));
  if (!run.tail_error.empty()) std::printf("error: order.events: %s\n", run.tail_error.c_str());
  if (!totals.unexpected.empty()) {
    std::printf("\n");
    std::vector<std::vector<std::string>> unexpected;
    for (const auto& u : totals.unexpected) {
      unexpected.push_back({u.order_id, std::string(Name(u.expected)), std::string(Name(u.outcome)), u.detail});
    }
    tools::Output::Table({"UNEXPECTED ORDER", "BUILT TO", "ENDED", "DETAIL"}, unexpected);
  }
}

std::string SummaryJson(const Options& options, const RunInfo& run, const Totals& totals) {
  const Counts& c = totals.counts;
  const double window = run.window_s;
  std::vector<std::pair<std::string, std::string>> outcomes;
  std::vector<std::pair<std::string, std::string>> terminal = {{"ALL", LatencyJson(totals.terminal_all)}};
  for (int i = 0; i < kOutcomeCount; ++i) {
    const std::string name(Name(Outcome(i)));
    outcomes.emplace_back(name, std::to_string(c.outcomes[static_cast<size_t>(i)]));
    terminal.emplace_back(name, LatencyJson(totals.terminal[static_cast<size_t>(i)]));
  }
  std::vector<std::pair<std::string, std::string>> errors;
  for (const auto& [name, count] : c.errors) errors.emplace_back(name, std::to_string(count));
  std::string unexpected = "[";
  for (const auto& u : totals.unexpected) {
    unexpected += (unexpected.size() > 1 ? "," : "") + Object({{"order_id", JsonString(u.order_id)},
                                                               {"expected", JsonString(Name(u.expected))},
                                                               {"outcome", JsonString(Name(u.outcome))},
                                                               {"detail", JsonString(u.detail)}});
  }
  unexpected += "]";
  return Object({
             {"run_id", JsonString(run.run_id)},
             {"mode", JsonString(options.mode == Mode::kClosedLoop ? "closed" : "open")},
             {"rate", Fixed(options.rate, 3)},
             {"clients", std::to_string(options.clients)},
             {"window_s", Fixed(window, 3)},
             {"drain_s", run.drain_s ? Fixed(*run.drain_s, 3) : "null"},
             {"orders", Object({{"offered", std::to_string(c.offered)},
                                {"accepted", std::to_string(c.accepted)},
                                {"refused", std::to_string(c.refused)},
                                {"failed", std::to_string(c.failed)},
                                {"terminal", std::to_string(c.terminal)},
                                {"terminal_in_window", std::to_string(run.terminal_in_window)},
                                {"pending", std::to_string(run.pending)},
                                {"unexpected", std::to_string(c.unexpected)}})},
             {"rates", Object({{"offered", Fixed(Rate(c.offered, window), 3)},
                               {"accepted", Fixed(Rate(c.accepted, window), 3)},
                               {"terminal", Fixed(Rate(run.terminal_in_window, window), 3)}})},
             {"outcomes", Object(outcomes)},
             {"latency_ms", Object({{"place_order", LatencyJson(totals.place)}, {"terminal", Object(terminal)}})},
             {"refusals",
              Object({{"count", std::to_string(c.refused)}, {"retry_after_ms", LatencyJson(totals.retry_after)}})},
             {"cancels", Object({{"ok", std::to_string(c.cancels_ok)},
                                 {"too_late", std::to_string(c.cancels_too_late)},
                                 {"failed", std::to_string(c.cancels_failed)}})},
             {"errors", Object(errors)},
             {"unexpected", unexpected},
             {"undecodable", std::to_string(run.undecodable)},
             {"tail_error", JsonString(run.tail_error)},
             {"exit_code", std::to_string(ExitCode(run, totals))},
         }) +
         "\n";
}

std::string Progress::Line(double elapsed_s, const Counts& now, int in_flight, size_t backlog,
                           std::pair<int64_t, int64_t> p99_us) {
  const double dt = elapsed_s - last_elapsed_s_;
  const auto per_second = [&](uint64_t current, uint64_t before) { return Fixed(Rate(current - before, dt), 1); };
  std::string line = "[" + Fixed(elapsed_s, 0) + "s] offered " + per_second(now.offered, last_.offered) +
                     "/s accepted " + per_second(now.accepted, last_.accepted) + "/s ended " +
                     per_second(now.terminal, last_.terminal) + "/s in-flight " + std::to_string(in_flight) +
                     " backlog " + std::to_string(backlog) + " refused " + std::to_string(now.refused) + " failed " +
                     std::to_string(now.failed) + " unexpected " + std::to_string(now.unexpected) + " p99 place " +
                     Millis(p99_us.first) + " ms end " + Millis(p99_us.second) + " ms";
  last_ = now;
  last_elapsed_s_ = elapsed_s;
  return line;
}

}  // namespace orderly::loadgen
