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

// Saga and step durations run from milliseconds to the step timeout (60 s by default).
std::vector<double> SagaBuckets() { return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120}; }

// "SAGA_STATE_CONFIRMED" -> "CONFIRMED".
std::string StateName(v1::SagaState state) {
  return v1::SagaState_Name(state).substr(std::string("SAGA_STATE_").size());
}

}  // namespace

SagaStats::SagaStats(metrics::Registry& registry)
    : started_(registry.CounterFamily("orderly_sagas_started_total", "Sagas the orchestrator started.").Get()),
      durations_seconds_(registry
                             .HistogramFamily("orderly_saga_duration_seconds",
                                              "Time from a saga's start to its terminal state.", {}, SagaBuckets())
                             .Get()),
      step_seconds_(registry.HistogramFamily(
          "orderly_saga_step_duration_seconds",
          "Time from a saga step's command to the reply that settled it, by step.", {"step"}, SagaBuckets())),
      in_flight_(registry.GaugeFamily("orderly_sagas_in_flight", "Sagas not yet in a terminal state.").Get()),
      resent_(registry.CounterFamily("orderly_saga_steps_resent_total",
                                     "Saga step commands sent again because no reply came, by step.", {"step"})),
      stuck_(registry.CounterFamily("orderly_saga_steps_stuck_total",
                                    "Saga steps still unanswered after stuck_after_attempts sends, by step.",
                                    {"step"})) {
  auto& ended = registry.CounterFamily("orderly_sagas_ended_total", "Sagas that reached a terminal state, by state.",
                                       {"state"});
  for (const auto state : {v1::SAGA_STATE_CONFIRMED, v1::SAGA_STATE_REJECTED, v1::SAGA_STATE_CANCELLED,
                           v1::SAGA_STATE_REFUNDED, v1::SAGA_STATE_REFUND_FAILED}) {
    ended_total_[state] = &ended.Labels({StateName(state)});
  }
}

void SagaStats::SagaStarted() { started_.Inc(); }

void SagaStats::SagaEnded(v1::SagaState state, int64_t duration_ms) {
  if (const auto it = ended_total_.find(state); it != ended_total_.end()) it->second->Inc();
  durations_seconds_.Observe(static_cast<double>(duration_ms) / 1000.0);
  std::lock_guard lock(mutex_);
  ++ended_[state];
  durations_.push_back(duration_ms);
}

void SagaStats::StepSettled(const std::string& step, int64_t latency_ms) {
  std::lock_guard lock(mutex_);
  step_latencies_[step].push_back(latency_ms);
  auto it = step_histograms_.find(step);
  if (it == step_histograms_.end()) it = step_histograms_.emplace(step, &step_seconds_.Labels({step})).first;
  it->second->Observe(static_cast<double>(latency_ms) / 1000.0);
}

void SagaStats::StepResent(const std::string& step, bool stuck) {
  resent_.Labels({step}).Inc();
  if (stuck) stuck_.Labels({step}).Inc();
}

void SagaStats::SetInFlight(int64_t count) { in_flight_.Set(static_cast<double>(count)); }

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
    line += fmt::format(", {} {}", count, StateName(state));
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
