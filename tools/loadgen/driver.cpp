#include "driver.h"

#include <charconv>
#include <thread>

namespace orderly::loadgen {
namespace {

constexpr auto kCallDeadline = std::chrono::seconds(10);
constexpr auto kLongestRetryWait = std::chrono::seconds(10);
constexpr auto kForever = std::chrono::hours(24 * 365);

// The server's retry delay of a refusal: metadata `retry-after-ms`, in the trailers (or in the
// initial metadata, should a server put it there).
std::optional<int64_t> RetryAfterMs(const grpc::ClientContext& context) {
  for (const auto* metadata : {&context.GetServerTrailingMetadata(), &context.GetServerInitialMetadata()}) {
    const auto entry = metadata->find("retry-after-ms");
    if (entry == metadata->end()) continue;
    int64_t value = 0;
    const char* begin = entry->second.data();
    const auto [end, error] = std::from_chars(begin, begin + entry->second.size(), value);
    if (error != std::errc{} || end != begin + entry->second.size() || value < 0) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

grpc::ClientContext& WithDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
  return context;
}

}  // namespace

struct Driver::PlaceCall {
  grpc::ClientContext context;
  v1::PlaceOrderRequest request;
  v1::PlaceOrderResponse response;
  Expected expected = Expected::kConfirmed;
  Clock::time_point intended;
};

struct Driver::CancelCall {
  grpc::ClientContext context;
  v1::CancelOrderRequest request;
  v1::CancelOrderResponse response;
};

Driver::Driver(const Options& options, Workload& workload, v1::OrderService::Stub& orders, Tracker& tracker,
               Stats& stats)
    : options_(options), workload_(workload), orders_(orders), tracker_(tracker), stats_(stats) {}

Driver::~Driver() { (void)WaitIdle(Clock::now() + kForever); }

Window Driver::Run() {
  const bool open = options_.mode == Mode::kOpenLoop;
  const auto start = Clock::now();
  const auto end =
      options_.duration_s
          ? start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(*options_.duration_s))
          : start + kForever;
  const uint64_t limit = options_.count ? static_cast<uint64_t>(*options_.count) : UINT64_MAX;
  if (!open) {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < options_.clients; ++i) ready_.push(start);
  }
  uint64_t sent = 0;
  // The open loop's schedule: order n is due at start + n / rate, whether or not the server kept up.
  const auto due = [&](uint64_t n) {
    return start + std::chrono::duration_cast<Clock::duration>(
                       std::chrono::duration<double>(static_cast<double>(n) / options_.rate));
  };
  while (sent < limit) {
    Clock::time_point intended;
    if (open) {
      intended = due(sent);
      if (intended >= end) break;
      std::unique_lock lock(mutex_);
      if (changed_.wait_until(lock, intended, [&] { return stop_; })) break;
    } else {
      const auto next = NextClient(end);
      if (!next) break;
      intended = *next;
    }
    stats_.RecordOffered();
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stop_ || places_in_flight_ < options_.max_in_flight; });
      if (stop_) break;
      ++places_in_flight_;
    }
    Send(intended, sent++);
  }
  std::unique_lock lock(mutex_);
  // The open loop's window ends where its schedule would have sent the next order, so that
  // offered / window = rate; it waits for that moment, so the counts at return belong to the window.
  const auto stop = open && !stop_ ? std::min(due(sent), end) : std::min(Clock::now(), end);
  changed_.wait_until(lock, stop, [&] { return stop_; });
  return {start, stop};
}

void Driver::Send(Clock::time_point intended, uint64_t sequence) {
  auto call = std::make_unique<PlaceCall>();
  const OrderPlan plan = workload_.Next();
  call->request = workload_.Request(plan, sequence);
  call->expected = plan.expected;
  call->intended = intended;
  PlaceCall* raw = call.release();  // owned by the callback from here
  orders_.async()->PlaceOrder(&WithDeadline(raw->context), &raw->request, &raw->response,
                              [this, raw](grpc::Status status) { OnPlaced(std::unique_ptr<PlaceCall>(raw), status); });
}

void Driver::OnPlaced(std::unique_ptr<PlaceCall> call, const grpc::Status& status) {
  const auto now = Clock::now();
  const auto retry_after =
      status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ? RetryAfterMs(call->context) : std::nullopt;
  stats_.RecordPlaced(now - call->intended, status, retry_after);
  if (status.ok()) {
    const std::string& order_id = call->response.order().order_id();
    tracker_.Accepted(order_id, call->expected, call->intended);
    if (call->expected == Expected::kCancelled) SendCancel(order_id);  // counted in flight before this one ends
  }
  call.reset();
  std::lock_guard lock(mutex_);
  const bool was_full = places_in_flight_-- == options_.max_in_flight;
  const bool closed = options_.mode == Mode::kClosedLoop;
  if (closed) {
    const auto wait = std::min<Clock::duration>(std::chrono::milliseconds(retry_after.value_or(0)), kLongestRetryWait);
    ready_.push(now + wait);
  }
  // The open loop's sender sleeps until its next order is due, and each wake-up costs CPU the stack
  // under test could use: woken only if this call held it back. Under the lock: the destructor may
  // run as soon as it is released.
  if (closed || was_full || Idle()) changed_.notify_all();
}

void Driver::SendCancel(const std::string& order_id) {
  auto* call = new CancelCall;
  call->request.set_order_id(order_id);
  {
    std::lock_guard lock(mutex_);
    ++cancels_in_flight_;
  }
  orders_.async()->CancelOrder(&WithDeadline(call->context), &call->request, &call->response,
                               [this, call](grpc::Status status) {
                                 stats_.RecordCancel(status);
                                 delete call;
                                 std::lock_guard lock(mutex_);
                                 --cancels_in_flight_;
                                 if (Idle()) changed_.notify_all();
                               });
}

std::optional<Clock::time_point> Driver::NextClient(Clock::time_point end) {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (ready_.empty()) {
      changed_.wait_until(lock, end);
      if (Clock::now() >= end) return std::nullopt;
      continue;
    }
    const auto ready = ready_.top();
    if (ready >= end) return std::nullopt;
    if (Clock::now() < ready) {
      changed_.wait_until(lock, ready);
      continue;
    }
    ready_.pop();
    return ready;
  }
  return std::nullopt;
}

void Driver::Stop() {
  std::lock_guard lock(mutex_);
  stop_ = true;
  changed_.notify_all();
}

int Driver::in_flight() const {
  std::lock_guard lock(mutex_);
  return places_in_flight_ + cancels_in_flight_;
}

bool Driver::WaitIdle(Clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return changed_.wait_until(lock, deadline, [&] { return Idle(); });
}

}  // namespace orderly::loadgen
