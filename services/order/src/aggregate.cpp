#include "aggregate.h"

#include <google/protobuf/util/time_util.h>

#include "orderly/common/errors.h"

namespace orderly::order {
namespace {

template <typename Event>
Event Parse(const StoredEvent& stored) {
  Event event;
  if (!event.ParseFromString(stored.payload)) {
    throw Internal("event " + std::to_string(stored.version) + " is not a valid " + stored.type);
  }
  return event;
}

template <typename Event>
bool Is(const StoredEvent& stored) {
  return stored.type == Event::descriptor()->full_name();
}

}  // namespace

OrderAggregate OrderAggregate::FromSnapshot(v1::Order snapshot) {
  OrderAggregate aggregate;
  aggregate.order_ = std::move(snapshot);
  return aggregate;
}

void OrderAggregate::Apply(const StoredEvent& stored) {
  if (Is<v1::OrderPlaced>(stored)) {
    const auto placed = Parse<v1::OrderPlaced>(stored);
    order_.set_order_id(placed.order_id());
    order_.set_customer_id(placed.customer_id());
    *order_.mutable_lines() = placed.lines();
    *order_.mutable_total() = placed.total();
    order_.set_status(v1::ORDER_STATUS_PENDING);
    *order_.mutable_created_at() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(stored.created_us);
  } else if (Is<v1::OrderCancellationRequested>(stored)) {
    order_.set_cancel_requested(true);
  } else if (Is<v1::OrderConfirmed>(stored)) {
    order_.set_status(v1::ORDER_STATUS_CONFIRMED);
  } else if (Is<v1::OrderRejected>(stored)) {
    const auto rejected = Parse<v1::OrderRejected>(stored);
    order_.set_status(v1::ORDER_STATUS_REJECTED);
    order_.set_reject_reason(rejected.reason());
    order_.set_reject_detail(rejected.detail());
  } else if (Is<v1::OrderCancelled>(stored)) {
    order_.set_status(v1::ORDER_STATUS_CANCELLED);
    order_.set_reject_reason(v1::REJECT_REASON_CANCELLED_BY_CUSTOMER);
  } else {
    throw Internal("unknown order event type " + stored.type);
  }
  order_.set_version(stored.version);
  *order_.mutable_updated_at() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(stored.created_us);
}

bool OrderAggregate::terminal() const { return order_.status() != v1::ORDER_STATUS_PENDING; }

void OrderAggregate::NotPending(const std::string& action) const {
  throw FailedPrecondition("order " + order_.order_id() + " is " + v1::OrderStatus_Name(order_.status()) +
                           "; only a pending order can be " + action);
}

std::unique_ptr<google::protobuf::Message> OrderAggregate::RequestCancel() const {
  if (terminal()) NotPending("cancelled");
  if (order_.cancel_requested()) return nullptr;
  auto event = std::make_unique<v1::OrderCancellationRequested>();
  event->set_order_id(order_.order_id());
  return event;
}

std::unique_ptr<google::protobuf::Message> OrderAggregate::Confirm() const {
  if (order_.status() == v1::ORDER_STATUS_CONFIRMED) return nullptr;
  if (terminal()) NotPending("confirmed");
  auto event = std::make_unique<v1::OrderConfirmed>();
  event->set_order_id(order_.order_id());
  return event;
}

std::unique_ptr<google::protobuf::Message> OrderAggregate::Reject(v1::RejectReason reason,
                                                                  const std::string& detail) const {
  const bool cancel = reason == v1::REJECT_REASON_CANCELLED_BY_CUSTOMER;
  const auto target = cancel ? v1::ORDER_STATUS_CANCELLED : v1::ORDER_STATUS_REJECTED;
  if (order_.status() == target) return nullptr;
  if (terminal()) NotPending(cancel ? "cancelled" : "rejected");
  if (cancel) {
    auto event = std::make_unique<v1::OrderCancelled>();
    event->set_order_id(order_.order_id());
    return event;
  }
  auto event = std::make_unique<v1::OrderRejected>();
  event->set_order_id(order_.order_id());
  event->set_reason(reason);
  event->set_detail(detail);
  return event;
}

}  // namespace orderly::order
