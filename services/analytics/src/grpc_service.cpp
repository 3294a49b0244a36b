#include "grpc_service.h"

#include <google/protobuf/util/time_util.h>

#include <thread>

#include "orderly/common/validate.h"
#include "orderly/rpc/status.h"

namespace orderly::analytics {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int64_t kMaxWindows = 1440;  // a day of minutes per answer
constexpr int64_t kMaxRangeMs = 31LL * 24 * 3600 * 1000;
constexpr int kDefaultTop = 10;
constexpr int kMaxTop = 1000;
constexpr std::chrono::minutes kDefaultWatchSpan{15};

void AddMoney(google::protobuf::RepeatedPtrField<v1::Money>* out, const std::map<std::string, int64_t>& amounts) {
  for (const auto& [currency, minor_units] : amounts) {
    v1::Money* money = out->Add();
    money->set_currency(currency);
    money->set_minor_units(minor_units);
  }
}

// [from, to) of a GetSales or TopProducts request, checked: both set, from before to, at most
// kMaxRangeMs apart.
template <typename Request>
WindowRange CheckedRange(const Request& request) {
  if (!request.has_from()) throw InvalidArgument("from", "is required");
  if (!request.has_to()) throw InvalidArgument("to", "is required");
  const int64_t from_ms = TimeUtil::TimestampToMilliseconds(request.from());
  const int64_t to_ms = TimeUtil::TimestampToMilliseconds(request.to());
  if (to_ms <= from_ms) throw InvalidArgument("to", "must be after from");
  if (to_ms - from_ms > kMaxRangeMs) throw InvalidArgument("to", "must be at most 31 days after from");
  return MinutesCovering(from_ms, to_ms);
}

// The granularity in ms: unset is one minute; else a positive whole number of minutes giving at
// most kMaxWindows windows over `range`.
int64_t CheckedGranularity(const v1::GetSalesRequest& request, const WindowRange& range) {
  if (!request.has_granularity()) return kWindowMs;
  const int64_t ms = TimeUtil::DurationToMilliseconds(request.granularity());
  if (ms <= 0 || ms % kWindowMs != 0 || request.granularity().nanos() != 0) {
    throw InvalidArgument("granularity", "must be a positive whole number of minutes");
  }
  if (const int64_t count = WindowCount(range, ms); count > kMaxWindows) {
    throw InvalidArgument("granularity", "gives " + std::to_string(count) + " windows over [from, to); at most " +
                                             std::to_string(kMaxWindows) + ": choose a coarser one");
  }
  return ms;
}

}  // namespace

v1::SalesWindow ToProto(const WindowFigures& window) {
  v1::SalesWindow out;
  *out.mutable_start() = TimeUtil::MillisecondsToTimestamp(window.start_ms);
  *out.mutable_end() = TimeUtil::MillisecondsToTimestamp(window.end_ms);
  out.set_placed(window.counts.placed);
  out.set_confirmed(window.counts.confirmed);
  out.set_rejected(window.counts.rejected);
  out.set_cancelled(window.counts.cancelled);
  out.set_refunded(window.counts.refunded);
  out.set_late_dropped(window.counts.late_dropped);
  out.set_revision(window.revision);
  for (const auto& [reason_name, count] : window.rejections) {
    v1::RejectReason reason = v1::REJECT_REASON_UNSPECIFIED;
    v1::RejectReason_Parse(reason_name, &reason);
    v1::RejectionCount* rejection = out.add_rejections();
    rejection->set_reason(reason);
    rejection->set_count(count);
  }
  AddMoney(out.mutable_revenue(), window.revenue);
  AddMoney(out.mutable_refunds(), window.refunds);
  v1::LatencyPercentiles* latency = out.mutable_latency();
  latency->set_count(window.latency.count());
  latency->set_p50_ms(window.latency.Percentile(0.50));
  latency->set_p90_ms(window.latency.Percentile(0.90));
  latency->set_p99_ms(window.latency.Percentile(0.99));
  latency->set_max_ms(window.latency.MaxMs());
  return out;
}

rpc::AccessTable GrpcService::Access() {
  using rpc::Access;
  using rpc::RateGroup;
  return rpc::ServiceAccess(v1::AnalyticsService::service_full_name(),
                            {{"GetSales", {Access::kAdmin, RateGroup::kRead}},
                             {"TopProducts", {Access::kAdmin, RateGroup::kRead}},
                             {"WatchSales", {Access::kAdmin, RateGroup::kRead}}});
}

grpc::Status GrpcService::GetSales(grpc::ServerContext* context, const v1::GetSalesRequest* request,
                                   v1::GetSalesResponse* response) {
  return rpc::Guard(context, [&] {
    const WindowRange range = CheckedRange(*request);
    const int64_t granularity_ms = CheckedGranularity(*request, range);
    for (const WindowFigures& window : Merge(reader_.Minutes(range), range, granularity_ms)) {
      *response->add_windows() = ToProto(window);
    }
  });
}

grpc::Status GrpcService::TopProducts(grpc::ServerContext* context, const v1::TopProductsRequest* request,
                                      v1::TopProductsResponse* response) {
  return rpc::Guard(context, [&] {
    const WindowRange range = CheckedRange(*request);
    const int n = request->n() == 0 ? kDefaultTop : request->n();
    validate::Range("n", n, 1, kMaxTop);
    for (const ProductFigures& product : TopByUnits(reader_.Products(range), static_cast<size_t>(n))) {
      v1::ProductSales* sales = response->add_products();
      sales->set_sku(product.sku);
      sales->set_units(product.units);
      AddMoney(sales->mutable_revenue(), product.revenue);
    }
  });
}

grpc::Status GrpcService::WatchSales(grpc::ServerContext* context, const v1::WatchSalesRequest* request,
                                     grpc::ServerWriter<v1::WatchSalesResponse>* writer) {
  return rpc::Guard(context, [&] {
    const int64_t now_ms = ToUnixMillis(clock_.Now());
    const int64_t requested_ms = request->has_from() ? TimeUtil::TimestampToMilliseconds(request->from())
                                                     : now_ms - std::chrono::milliseconds(kDefaultWatchSpan).count();
    // Every poll reads the revisions of all windows since `from`: at most a day of them.
    if (requested_ms < now_ms - kMaxWindows * kWindowMs) throw InvalidArgument("from", "must be at most 1 day ago");
    const int64_t from_ms = WindowStart(requested_ms);
    std::map<int64_t, int64_t> sent;  // window start -> the revision sent
    while (!context->IsCancelled()) {
      std::vector<int64_t> changed;
      for (const auto& [start, revision] : reader_.Revisions(from_ms)) {
        if (sent[start] != revision) changed.push_back(start);
      }
      if (!changed.empty()) {
        for (const WindowFigures& window : reader_.Minutes({changed.front(), changed.back() + kWindowMs})) {
          if (sent[window.start_ms] == window.revision) continue;
          sent[window.start_ms] = window.revision;
          v1::WatchSalesResponse update;
          *update.mutable_window() = ToProto(window);
          if (!writer->Write(update)) return;  // the client went away
        }
      }
      std::this_thread::sleep_for(watch_poll_);
    }
  });
}

}  // namespace orderly::analytics
