#include "stats.h"

namespace orderly::loadgen {
namespace {

int64_t Micros(Clock::duration duration) {
  return std::chrono::duration_cast<std::chrono::microseconds>(duration).count();
}

}  // namespace

std::string StatusName(grpc::StatusCode code) {
  static const std::array<const char*, 17> kNames = {
      "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
      "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
      "DATA_LOSS", "UNAUTHENTICATED"};
  const auto index = static_cast<size_t>(code);
  return index < kNames.size() ? kNames[index] : "CODE_" + std::to_string(index);
}

void Stats::RecordOffered() {
  std::lock_guard lock(mutex_);
  ++totals_.counts.offered;
}

void Stats::RecordPlaced(Clock::duration latency, const grpc::Status& status, std::optional<int64_t> retry_after_ms) {
  std::lock_guard lock(mutex_);
  Counts& counts = totals_.counts;
  if (status.ok()) {
    ++counts.accepted;
    totals_.place.Record(Micros(latency));
  } else if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
    ++counts.refused;
    if (retry_after_ms) totals_.retry_after.Record(*retry_after_ms * 1000);
  } else {
    ++counts.failed;
    ++counts.errors["PlaceOrder " + StatusName(status.error_code())];
  }
}

void Stats::RecordCancel(const grpc::Status& status) {
  std::lock_guard lock(mutex_);
  Counts& counts = totals_.counts;
  if (status.ok()) {
    ++counts.cancels_ok;
  } else if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
    ++counts.cancels_too_late;
  } else {
    ++counts.cancels_failed;
    ++counts.errors["CancelOrder " + StatusName(status.error_code())];
  }
}

void Stats::RecordTerminal(Expected expected, const Terminal& terminal, Clock::duration latency) {
  std::lock_guard lock(mutex_);
  Counts& counts = totals_.counts;
  ++counts.terminal;
  ++counts.outcomes[static_cast<size_t>(terminal.outcome)];
  totals_.terminal_all.Record(Micros(latency));
  totals_.terminal[static_cast<size_t>(terminal.outcome)].Record(Micros(latency));
  if (IsExpected(expected, terminal.outcome)) return;
  ++counts.unexpected;
  if (totals_.unexpected.size() < kUnexpectedKept) {
    totals_.unexpected.push_back({terminal.order_id, expected, terminal.outcome, terminal.detail});
  }
}

Counts Stats::counts() const {
  std::lock_guard lock(mutex_);
  return totals_.counts;
}

std::pair<int64_t, int64_t> Stats::P99() const {
  std::lock_guard lock(mutex_);
  return {totals_.place.Percentile(99), totals_.terminal_all.Percentile(99)};
}

Totals Stats::totals() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

}  // namespace orderly::loadgen
