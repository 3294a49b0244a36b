#include "metrics_interceptor.h"

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/base/thread_annotations.h"

namespace orderly::rpc {

namespace {

constexpr size_t kCodes = 17;  // grpc::StatusCode OK (0) .. UNAUTHENTICATED (16)

constexpr std::array<const char*, kCodes> kCodeNames = {
    "OK",        "CANCELLED",          "UNKNOWN",           "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL",        "UNAVAILABLE",       "DATA_LOSS",        "UNAUTHENTICATED"};

// One method's series, by status code, resolved on first use of each code.
class MethodSeries final {
 public:
  MethodSeries(metrics::Family<metrics::Counter>& handled, metrics::Family<metrics::Histogram>& durations,
               std::string method)
      : handled_family_(handled), duration_family_(durations), method_(std::move(method)) {}

  void Record(int code, double seconds) {
    const size_t index = code >= 0 && static_cast<size_t>(code) < kCodes ? static_cast<size_t>(code) : 2;  // UNKNOWN
    Series* series = series_[index].load(std::memory_order_acquire);
    if (series == nullptr) series = Resolve(index);
    series->handled->Inc();
    series->duration->Observe(seconds);
  }

 private:
  struct Series {
    metrics::Counter* handled;
    metrics::Histogram* duration;
  };

  Series* Resolve(size_t index) {
    std::lock_guard lock(mutex_);
    if (Series* series = series_[index].load(std::memory_order_acquire)) return series;
    storage_[index] = Series{&handled_family_.Labels({method_, kCodeNames[index]}),
                             &duration_family_.Labels({method_, kCodeNames[index]})};
    series_[index].store(&storage_[index], std::memory_order_release);
    return &storage_[index];
  }

  metrics::Family<metrics::Counter>& handled_family_;
  metrics::Family<metrics::Histogram>& duration_family_;
  const std::string method_;
  std::mutex mutex_;
  std::array<Series, kCodes> storage_ ABSL_GUARDED_BY(mutex_){};
  std::array<std::atomic<Series*>, kCodes> series_{};
};

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit MetricsInterceptor(MethodSeries& series) : series_(series), start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
      series_.Record(static_cast<int>(methods->GetSendStatus().error_code()), elapsed.count());
    }
    methods->Proceed();
  }

 private:
  MethodSeries& series_;
  const std::chrono::steady_clock::time_point start_;
};

class MetricsInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(metrics::Registry& registry)
      : id_(next_id_.fetch_add(1)),
        handled_(registry.CounterFamily("orderly_rpc_server_handled_total",
                                        "gRPC calls completed by the server, by method and status code.",
                                        {"method", "code"})),
        durations_(registry.HistogramFamily("orderly_rpc_server_duration_seconds",
                                            "Time from a gRPC call's arrival to its status, by method and status code.",
                                            {"method", "code"}, metrics::LatencyBuckets())) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(SeriesOf(info->method()));
  }

 private:
  // gRPC names a method by a pointer that is fixed for the server's life, so each thread caches
  // method -> series by pointer: no lock and no allocation per call once warm. Factories get
  // unique ids, so a cache entry never outlives its factory's meaning.
  MethodSeries& SeriesOf(const char* method) {
    thread_local std::map<std::pair<uint64_t, const char*>, MethodSeries*> cache;
    const auto key = std::make_pair(id_, method);
    if (const auto it = cache.find(key); it != cache.end()) return *it->second;
    std::lock_guard lock(mutex_);
    std::string name = method != nullptr ? method : "";
    if (name.starts_with('/')) name.erase(0, 1);
    auto& slot = by_name_[name];
    if (slot == nullptr) slot = std::make_unique<MethodSeries>(handled_, durations_, name);
    cache.emplace(key, slot.get());
    return *slot;
  }

  static inline std::atomic<uint64_t> next_id_{1};
  const uint64_t id_;
  metrics::Family<metrics::Counter>& handled_;
  metrics::Family<metrics::Histogram>& durations_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<MethodSeries>> by_name_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeMetricsInterceptorFactory(
    metrics::Registry& registry) {
  return std::make_unique<MetricsInterceptorFactory>(registry);
}

}  // namespace orderly::rpc
