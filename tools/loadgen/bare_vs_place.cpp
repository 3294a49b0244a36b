#include "bare_vs_place.h"

#include <grpcpp/generic/generic_stub.h>

#include <cstdio>
#include <future>

#include "orderly/rpc/bearer_token.h"
#include "orderly/rpc/channel.h"
#include "orderly/tools/output.h"
#include "report.h"
#include "stats.h"

namespace orderly::loadgen {
namespace {

constexpr int kWarmUpCalls = 20;
constexpr auto kDeadline = std::chrono::seconds(10);

// Both kinds go through the callback API and wait the same way, so only the server work differs.
class Caller final {
 public:
  explicit Caller(const tools::Targets& targets) {
    rpc::ClientSettings settings;
    settings.target = targets.order;
    settings.tls_ca_file = targets.tls_ca_file;
    channel_ = rpc::CreateChannel(settings, targets.tokens);  // the health check is open; PlaceOrder is not
    generic_ = std::make_unique<grpc::GenericStub>(channel_);
    orders_ = v1::OrderService::NewStub(channel_);
  }

  // An empty HealthCheckRequest asks about the whole server.
  grpc::Status Health() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kDeadline);
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1);  // a ByteBuffer without a slice is not a message
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    generic_->UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                        [&](grpc::Status status) { done.set_value(std::move(status)); });
    return done.get_future().get();
  }

  grpc::Status Place(const v1::PlaceOrderRequest& request) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kDeadline);
    v1::PlaceOrderResponse response;
    std::promise<grpc::Status> done;
    orders_->async()->PlaceOrder(&context, &request, &response,
                                 [&](grpc::Status status) { done.set_value(std::move(status)); });
    return done.get_future().get();
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<grpc::GenericStub> generic_;
  std::unique_ptr<v1::OrderService::Stub> orders_;
};

// Runs `call` `count` times in a row, recording each successful one's latency unless warming up.
template <typename Call>
void Time(int count, Histogram* histogram, int* failed, Call&& call) {
  for (int i = 0; i < count; ++i) {
    const auto start = Clock::now();
    const grpc::Status status = call();
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
    if (histogram == nullptr) continue;
    if (status.ok()) {
      histogram->Record(micros);
    } else {
      ++*failed;
    }
  }
}

}  // namespace

BareVsPlace RunBareVsPlace(const tools::Targets& targets, Workload& workload, int calls) {
  Caller caller(targets);
  BareVsPlace result;
  uint64_t sequence = 0;
  const auto place = [&] {
    OrderPlan plan = workload.Next();
    plan.expected = Expected::kConfirmed;
    return caller.Place(workload.Request(plan, sequence++));
  };
  const auto health = [&] { return caller.Health(); };
  Time(kWarmUpCalls, nullptr, nullptr, health);
  Time(kWarmUpCalls, nullptr, nullptr, place);
  Time(calls, &result.bare, &result.bare_failed, health);
  Time(calls, &result.place, &result.place_failed, place);
  return result;
}

void PrintBareVsPlace(const BareVsPlace& result, bool json) {
  const double bare = static_cast<double>(result.bare.Percentile(50));
  const double ratio = bare > 0 ? static_cast<double>(result.place.Percentile(50)) / bare : 0;
  if (json) {
    std::printf(
        "{\"bare_vs_place\":{\"health_check_ms\":%s,\"place_order_ms\":%s,\"health_failed\":%d,"
        "\"place_failed\":%d,\"p50_ratio\":%s}}\n",
        LatencyJson(result.bare).c_str(), LatencyJson(result.place).c_str(), result.bare_failed, result.place_failed,
        Fixed(ratio, 2).c_str());
    return;
  }
  tools::Output::Table({"SEQUENTIAL CALL", "COUNT", "FAILED", "P50_MS", "P99_MS"},
                       {{"Health/Check (bare)", std::to_string(result.bare.count()), std::to_string(result.bare_failed),
                         Millis(result.bare.Percentile(50)), Millis(result.bare.Percentile(99))},
                        {"PlaceOrder", std::to_string(result.place.count()), std::to_string(result.place_failed),
                         Millis(result.place.Percentile(50)), Millis(result.place.Percentile(99))}});
  std::printf("\nPlaceOrder p50 / bare call p50 = %s\n", Fixed(ratio, 2).c_str());
}

}  // namespace orderly::loadgen
