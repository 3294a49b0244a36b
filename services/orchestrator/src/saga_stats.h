#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "orderly/v1/saga.pb.h"

namespace orderly::orchestrator {

/// What the orchestrator finished, per reporting interval: sagas by end state with their
/// durations, and step latencies by step. It feeds the periodic throughput line in the log, and is
/// where metrics exporters will hook in. Thread-safe.
class SagaStats final {
 public:
  void SagaEnded(v1::SagaState state, int64_t duration_ms);
  void StepSettled(const std::string& step, int64_t latency_ms);

  /// One line about everything recorded since the previous call, `interval` long, and starts the
  /// next interval; "" if nothing was recorded.
  [[nodiscard]] std::string TakeReport(std::chrono::milliseconds interval);

 private:
  std::mutex mutex_;
  std::map<v1::SagaState, int64_t> ended_;
  std::vector<int64_t> durations_;
  std::map<std::string, std::vector<int64_t>> step_latencies_;
};

}  // namespace orderly::orchestrator
