#pragma once

#include <vector>

#include "orderly/metrics/registry.h"

namespace orderly::metrics {

/// The standard process_* metrics, read from /proc at every exposition: process_cpu_seconds_total,
/// process_resident_memory_bytes, process_virtual_memory_bytes, process_open_fds, process_max_fds,
/// process_start_time_seconds. Registered while the object lives. Linux only.
class ProcessMetrics final {
 public:
  explicit ProcessMetrics(Registry& registry);
  ProcessMetrics(const ProcessMetrics&) = delete;
  ProcessMetrics& operator=(const ProcessMetrics&) = delete;

 private:
  std::vector<CallbackHandle> handles_;
};

}  // namespace orderly::metrics
