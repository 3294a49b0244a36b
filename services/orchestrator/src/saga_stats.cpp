#include "saga_stats.h"

#include <fmt/format.h>

#include <algorithm>

namespace orderly::orchestrator {
namespace {

// The value below which `fraction` of `values` fall (nearest rank); reorders `values`.
int64_t Percentile(std::vector<int64_t>& values, double fraction) {
  const auto rank = static_cast<size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank), values.end());
  return values[rank];
}

}  // namespace

void SagaStats::SagaEnded(v1::SagaState state, int64_t duration_ms) {
  std::lock_guard lock(mutex_);
  ++ended_[state];
  durations_.push_back(duration_ms);
}

void SagaStats::StepSettled(const std::string& step, int64_t latency_ms) {
  std::lock_guard lock(mutex_);
  step_latencies_[step].push_back(latency_ms);
}

std::string SagaStats::TakeReport(std::chrono::milliseconds interval) {
  std::map<v1::SagaState, int64_t> ended;
  std::vector<int64_t> durations;
  std::map<std::string, std::vector<int64_t>> steps;
  {
    std::lock_guard lock(mutex_);
    ended.swap(ended_);
    durations.swap(durations_);
    steps.swap(step_latencies_);
  }
  if (durations.empty() && steps.empty()) return "";
  const double seconds = std::max(static_cast<double>(interval.count()) / 1000.0, 0.001);
  std::string line = fmt::format("sagas: {} ended in {:.1f} s ({:.1f}/s)", durations.size(), seconds,
                                 static_cast<double>(durations.size()) / seconds);
  for (const auto& [state, count] : ended) {
    line += fmt::format(", {} {}", count, v1::SagaState_Name(state).substr(std::string("SAGA_STATE_").size()));
  }
  if (!durations.empty()) {
    line += fmt::format("; duration p50 {} ms, p99 {} ms", Percentile(durations, 0.5), Percentile(durations, 0.99));
  }
  for (auto& [step, latencies] : steps) {
    line += fmt::format("; {} p50 {} ms, p99 {} ms", step, Percentile(latencies, 0.5), Percentile(latencies, 0.99));
  }
  return line;
}

}  // namespace orderly::orchestrator
