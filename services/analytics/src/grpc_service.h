#pragma once

#include <chrono>

#include "orderly/common/clock.h"
#include "orderly/rpc/access.h"
#include "orderly/v1/analytics.grpc.pb.h"
#include "sales_reader.h"

namespace orderly::analytics {

/// AnalyticsService over gRPC, synchronous like OrderService: WatchSales is a long-lived stream
/// that polls the stored windows, which a blocking handler on gRPC's sync pool expresses plainly.
/// Requests are validated here (INVALID_ARGUMENT naming the field). Thread-safe.
class GrpcService final : public v1::AnalyticsService::Service {
 public:
  GrpcService(const SalesReader& reader, std::chrono::milliseconds watch_poll, const Clock& clock)
      : reader_(reader), watch_poll_(watch_poll), clock_(clock) {}

  /// Who may call each method: `admin` only, since the figures are the whole shop's.
  [[nodiscard]] static rpc::AccessTable Access();

  grpc::Status GetSales(grpc::ServerContext* context, const v1::GetSalesRequest* request,
                        v1::GetSalesResponse* response) override;
  grpc::Status TopProducts(grpc::ServerContext* context, const v1::TopProductsRequest* request,
                           v1::TopProductsResponse* response) override;
  grpc::Status WatchSales(grpc::ServerContext* context, const v1::WatchSalesRequest* request,
                          grpc::ServerWriter<v1::WatchSalesResponse>* writer) override;

 private:
  const SalesReader& reader_;
  const std::chrono::milliseconds watch_poll_;
  const Clock& clock_;
};

/// The window as the API shows it.
[[nodiscard]] v1::SalesWindow ToProto(const WindowFigures& window);

}  // namespace orderly::analytics
