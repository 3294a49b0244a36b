#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "options.h"
#include "orderly/v1/order.grpc.pb.h"
#include "stats.h"
#include "tracker.h"
#include "workload.h"

namespace orderly::loadgen {

/// When orders were sent: from the first intended send time to when sending stopped.
struct Window {
  Clock::time_point start;
  Clock::time_point stop;

  [[nodiscard]] double seconds() const { return std::chrono::duration<double>(stop - start).count(); }
};

/// Places the orders through gRPC's callback API: one every 1/rate s (open loop), or from N
/// clients that each wait for their last call (closed loop); then CancelOrder right after each
/// accepted cancel-share order. Callbacks (on gRPC's threads) record into `stats` and announce
/// accepted orders to `tracker`, so both must outlive the driver.
///
/// Run() from one thread; Stop(), in_flight() and WaitIdle() from any.
class Driver final {
 public:
  Driver(const Options& options, Workload& workload, v1::OrderService::Stub& orders, Tracker& tracker, Stats& stats);
  /// Waits until no call is in flight: their callbacks refer to the driver.
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  /// Sends until --duration or --count is reached, or Stop(); blocks. Calls still in flight finish later.
  Window Run();
  /// Makes Run() return soon; idempotent.
  void Stop();
  /// PlaceOrder and CancelOrder calls outstanding.
  [[nodiscard]] int in_flight() const;
  /// Blocks until no call is in flight (true) or `deadline` passed (false).
  bool WaitIdle(Clock::time_point deadline);

 private:
  struct PlaceCall;
  struct CancelCall;

  void Send(Clock::time_point intended, uint64_t sequence);
  void OnPlaced(std::unique_ptr<PlaceCall> call, const grpc::Status& status);
  void SendCancel(const std::string& order_id);
  /// Closed loop: the next client's ready time, waiting for one; nullopt at `end` or on Stop().
  std::optional<Clock::time_point> NextClient(Clock::time_point end);

  const Options& options_;
  Workload& workload_;
  v1::OrderService::Stub& orders_;
  Tracker& tracker_;
  Stats& stats_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;  // a call finished, a client became ready, or Stop()
  bool stop_ ABSL_GUARDED_BY(mutex_) = false;
  int places_in_flight_ ABSL_GUARDED_BY(mutex_) = 0;
  int cancels_in_flight_ ABSL_GUARDED_BY(mutex_) = 0;
  // Closed loop: when each idle client may send next (after a refusal, once its retry delay passed).
  std::priority_queue<Clock::time_point, std::vector<Clock::time_point>, std::greater<>> ready_ ABSL_GUARDED_BY(mutex_);

  // No call in flight: what WaitIdle waits for.
  bool Idle() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return places_in_flight_ + cancels_in_flight_ == 0; }
};

}  // namespace orderly::loadgen
