#pragma once

#include <chrono>

#include "orderly/rpc/access.h"
#include "orderly/v1/order.grpc.pb.h"
#include "orders.h"

namespace orderly::order {

/// OrderService over gRPC. Unlike the other services it uses the synchronous API: WatchOrder is a
/// long-lived stream that polls the projection, which a blocking handler on gRPC's sync thread
/// pool expresses plainly. Requests are validated here (INVALID_ARGUMENT naming the field).
class GrpcService final : public v1::OrderService::Service {
 public:
  GrpcService(Orders& orders, std::chrono::milliseconds watch_poll) : orders_(orders), watch_poll_(watch_poll) {}

  /// Who may call each method: a customer its own orders (admin any).
  [[nodiscard]] static rpc::AccessTable Access();

  grpc::Status PlaceOrder(grpc::ServerContext* context, const v1::PlaceOrderRequest* request,
                          v1::PlaceOrderResponse* response) override;
  grpc::Status GetOrder(grpc::ServerContext* context, const v1::GetOrderRequest* request,
                        v1::GetOrderResponse* response) override;
  grpc::Status ListOrders(grpc::ServerContext* context, const v1::ListOrdersRequest* request,
                          v1::ListOrdersResponse* response) override;
  grpc::Status CancelOrder(grpc::ServerContext* context, const v1::CancelOrderRequest* request,
                           v1::CancelOrderResponse* response) override;
  grpc::Status RefundOrder(grpc::ServerContext* context, const v1::RefundOrderRequest* request,
                           v1::RefundOrderResponse* response) override;
  grpc::Status WatchOrder(grpc::ServerContext* context, const v1::WatchOrderRequest* request,
                          grpc::ServerWriter<v1::WatchOrderResponse>* writer) override;

 private:
  Orders& orders_;
  const std::chrono::milliseconds watch_poll_;
};

/// @throws InvalidArgument naming the first bad field.
void ValidatePlaceOrder(const v1::PlaceOrderRequest& request);
/// The request's shape (what the order may take is the aggregate's to say).
/// @throws InvalidArgument naming the first bad field.
void ValidateRefundOrder(const v1::RefundOrderRequest& request);

}  // namespace orderly::order
