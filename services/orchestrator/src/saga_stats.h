#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "orderly/metrics/registry.h"
#include "orderly/v1/saga.pb.h"

namespace orderly::orchestrator {

/// What the orchestrator started and finished: per reporting interval, sagas by end state with
/// their durations and step latencies by step (the periodic throughput line in the log); and as
/// Prometheus metrics in `registry`: orderly_sagas_started_total, orderly_sagas_ended_total{state},
/// orderly_saga_duration_seconds, orderly_saga_step_duration_seconds{step}, orderly_sagas_in_flight,
/// orderly_saga_steps_resent_total{step} and orderly_saga_steps_stuck_total{step}. Thread-safe.
class SagaStats final {
 public:
  explicit SagaStats(metrics::Registry& registry = metrics::DefaultRegistry());
  SagaStats(const SagaStats&) = delete;
  SagaStats& operator=(const SagaStats&) = delete;

  void SagaStarted();
  void SagaEnded(v1::SagaState state, int64_t duration_ms);
  void StepSettled(const std::string& step, int64_t latency_ms);
  /// A step's command went out again; `stuck` once it has been sent stuck_after_attempts times.
  void StepResent(const std::string& step, bool stuck);
  /// Sagas not yet in a terminal state, as last counted in the database.
  void SetInFlight(int64_t count);

  /// One line about everything recorded since the previous call, `interval` long, and starts the
  /// next interval; "" if nothing was recorded.
  [[nodiscard]] std::string TakeReport(std::chrono::milliseconds interval);

 private:
  metrics::Counter& started_;
  std::map<v1::SagaState, metrics::Counter*> ended_total_;  // every state, resolved once
  metrics::Histogram& durations_seconds_;
  metrics::Family<metrics::Histogram>& step_seconds_;
  metrics::Gauge& in_flight_;
  metrics::Family<metrics::Counter>& resent_;
  metrics::Family<metrics::Counter>& stuck_;

  std::mutex mutex_;
  std::map<v1::SagaState, int64_t> ended_ ABSL_GUARDED_BY(mutex_);
  std::vector<int64_t> durations_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, std::vector<int64_t>> step_latencies_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, metrics::Histogram*, std::less<>> step_histograms_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace orderly::orchestrator
