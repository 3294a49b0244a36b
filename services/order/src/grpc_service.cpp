#include "grpc_service.h"

#include <set>
#include <thread>

#include "orderly/common/validate.h"
#include "orderly/rpc/access.h"
#include "orderly/rpc/status.h"

namespace orderly::order {
namespace {

constexpr int kMaxLines = 50;
constexpr int kMaxQuantity = 1000;
constexpr size_t kMaxReason = 500;

// Lines to order or return: 1..kMaxLines of them, each sku once, with 1..kMaxQuantity units.
void ValidateLines(const google::protobuf::RepeatedPtrField<v1::OrderLine>& lines) {
  if (lines.empty()) throw InvalidArgument("lines", "must not be empty");
  if (lines.size() > kMaxLines) throw InvalidArgument("lines", "at most " + std::to_string(kMaxLines) + " lines");
  std::set<std::string> skus;
  for (int i = 0; i < lines.size(); ++i) {
    const std::string field = "lines[" + std::to_string(i) + "]";
    validate::Identifier(field + ".sku", lines[i].sku());
    validate::Range(field + ".quantity", lines[i].quantity(), 1, kMaxQuantity);
    if (!skus.insert(lines[i].sku()).second) throw InvalidArgument(field + ".sku", "appears on two lines");
  }
}

}  // namespace

void ValidatePlaceOrder(const v1::PlaceOrderRequest& request) {
  validate::Identifier("idempotency_key", request.idempotency_key(), 128);
  validate::Identifier("customer_id", request.customer_id(), 128);
  validate::Currency("currency", request.currency());
  ValidateLines(request.lines());
}

void ValidateRefundOrder(const v1::RefundOrderRequest& request) {
  validate::Identifier("order_id", request.order_id(), 128);
  validate::Identifier("idempotency_key", request.idempotency_key(), 128);
  validate::Text("reason", request.reason(), kMaxReason);
  ValidateLines(request.lines());
}

grpc::Status GrpcService::PlaceOrder(grpc::ServerContext* context, const v1::PlaceOrderRequest* request,
                                     v1::PlaceOrderResponse* response) {
  return rpc::Guard(context, [&] {
    ValidatePlaceOrder(*request);
    *response->mutable_order() = orders_.Place(*request);
  });
}

rpc::AccessTable GrpcService::Access() {
  using rpc::Access;
  using rpc::RateGroup;
  return rpc::ServiceAccess(v1::OrderService::service_full_name(),
                            {{"PlaceOrder", {Access::kOwnCustomer, RateGroup::kWrite}},
                             {"GetOrder", {Access::kOwnResource, RateGroup::kRead}},
                             {"ListOrders", {Access::kOwnCustomer, RateGroup::kRead}},
                             {"CancelOrder", {Access::kOwnResource, RateGroup::kWrite}},
                             {"WatchOrder", {Access::kOwnResource, RateGroup::kRead}},
                             {"RefundOrder", {Access::kOwnResource, RateGroup::kWrite}}});
}

grpc::Status GrpcService::GetOrder(grpc::ServerContext* context, const v1::GetOrderRequest* request,
                                   v1::GetOrderResponse* response) {
  return rpc::Guard(context, [&] {
    validate::Identifier("order_id", request->order_id(), 128);
    v1::Order order = orders_.Get(request->order_id());
    rpc::RequireOwner(context, order.customer_id());
    *response->mutable_order() = std::move(order);
  });
}

grpc::Status GrpcService::ListOrders(grpc::ServerContext* context, const v1::ListOrdersRequest* request,
                                     v1::ListOrdersResponse* response) {
  return rpc::Guard(context, [&] {
    validate::Identifier("customer_id", request->customer_id(), 128);
    const int size = validate::PageSize("page.page_size", request->page().page_size());
    OrderPage page = orders_.List(request->customer_id(), size, request->page().page_token());
    for (auto& order : page.orders) *response->add_orders() = std::move(order);
    response->set_next_page_token(page.next_page_token);
  });
}

grpc::Status GrpcService::CancelOrder(grpc::ServerContext* context, const v1::CancelOrderRequest* request,
                                      v1::CancelOrderResponse* response) {
  return rpc::Guard(context, [&] {
    validate::Identifier("order_id", request->order_id(), 128);
    rpc::RequireOwner(context, orders_.Get(request->order_id()).customer_id());  // before anything changes
    *response->mutable_order() = orders_.Cancel(request->order_id());
  });
}

grpc::Status GrpcService::RefundOrder(grpc::ServerContext* context, const v1::RefundOrderRequest* request,
                                      v1::RefundOrderResponse* response) {
  return rpc::Guard(context, [&] {
    ValidateRefundOrder(*request);
    rpc::RequireOwner(context, orders_.Get(request->order_id()).customer_id());  // before anything changes
    RefundAnswer answer = orders_.Refund(*request);
    *response->mutable_order() = std::move(answer.order);
    *response->mutable_refund() = std::move(answer.refund);
  });
}

grpc::Status GrpcService::WatchOrder(grpc::ServerContext* context, const v1::WatchOrderRequest* request,
                                     grpc::ServerWriter<v1::WatchOrderResponse>* writer) {
  // Reading the shared projection (not this instance's memory) sees changes any instance made.
  return rpc::Guard(context, [&] {
    validate::Identifier("order_id", request->order_id(), 128);
    rpc::RequireOwner(context, orders_.Read(request->order_id()).customer_id());
    int64_t sent_version = 0;
    while (!context->IsCancelled()) {
      v1::WatchOrderResponse update;
      *update.mutable_order() = orders_.Read(request->order_id());
      if (update.order().version() != sent_version) {
        sent_version = update.order().version();
        if (!writer->Write(update)) return;  // the client went away
      }
      if (update.order().status() != v1::ORDER_STATUS_PENDING) return;
      std::this_thread::sleep_for(watch_poll_);
    }
  });
}

}  // namespace orderly::order
