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
  } else if (Is<v1::OrderRefundRequested>(stored)) {
    const auto requested = Parse<v1::OrderRefundRequested>(stored);
    v1::Refund* refund = order_.add_refunds();
    refund->set_refund_id(requested.refund_id());
    *refund->mutable_lines() = requested.lines();
    *refund->mutable_amount() = requested.amount();
    refund->set_reason(requested.reason());
    refund->set_status(v1::REFUND_STATUS_REQUESTED);
    *refund->mutable_requested_at() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(stored.created_us);
  } else if (Is<v1::OrderRefunded>(stored)) {
    EndRefund(Parse<v1::OrderRefunded>(stored).refund_id(), v1::REFUND_STATUS_REFUNDED, stored.version);
    order_.set_status(v1::ORDER_STATUS_REFUNDED);
  } else if (Is<v1::OrderPartiallyRefunded>(stored)) {
    EndRefund(Parse<v1::OrderPartiallyRefunded>(stored).refund_id(), v1::REFUND_STATUS_REFUNDED, stored.version);
    order_.set_status(v1::ORDER_STATUS_PARTIALLY_REFUNDED);
  } else if (Is<v1::OrderRefundFailed>(stored)) {
    const auto failed = Parse<v1::OrderRefundFailed>(stored);
    EndRefund(failed.refund_id(), v1::REFUND_STATUS_FAILED, stored.version).set_failure(failed.reason());
  } else {
    throw Internal("unknown order event type " + stored.type);
  }
  order_.set_version(stored.version);
  *order_.mutable_updated_at() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(stored.created_us);
}

v1::Refund& OrderAggregate::EndRefund(const std::string& refund_id, v1::RefundStatus status, int version) {
  for (auto& refund : *order_.mutable_refunds()) {
    if (refund.refund_id() != refund_id) continue;
    refund.set_status(status);
    refund.set_settled_version(version);
    return refund;
  }
  throw Internal("event " + std::to_string(version) + " of order " + order_.order_id() + " ends unknown refund " +
                 refund_id);
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

const v1::Refund* OrderAggregate::FindRefund(const std::string& refund_id) const {
  for (const auto& refund : order_.refunds()) {
    if (refund.refund_id() == refund_id) return &refund;
  }
  return nullptr;
}

std::unique_ptr<google::protobuf::Message> OrderAggregate::RequestRefund(const std::string& refund_id,
                                                                         const Lines& lines,
                                                                         const std::string& reason) const {
  if (const v1::Refund* earlier = FindRefund(refund_id)) {
    if (!SameLines(*earlier, lines)) {
      throw InvalidArgument("idempotency_key", "was already used for a different refund");
    }
    return nullptr;
  }
  const auto status = order_.status();
  if (status != v1::ORDER_STATUS_CONFIRMED && status != v1::ORDER_STATUS_PARTIALLY_REFUNDED) {
    throw FailedPrecondition("order_id: order " + order_.order_id() + " is " + v1::OrderStatus_Name(status) +
                             "; only a confirmed order can be refunded");
  }
  return std::make_unique<v1::OrderRefundRequested>(PlanRefund(order_, refund_id, lines, reason));
}

const v1::Refund& OrderAggregate::SettlingRefund(const std::string& refund_id, v1::RefundStatus other_end) const {
  const v1::Refund* refund = FindRefund(refund_id);
  if (refund == nullptr) throw FailedPrecondition("order " + order_.order_id() + " has no refund " + refund_id);
  if (refund->status() == other_end) {
    throw FailedPrecondition("refund " + refund_id + " of order " + order_.order_id() + " already ended " +
                             v1::RefundStatus_Name(other_end));
  }
  return *refund;
}

std::unique_ptr<google::protobuf::Message> OrderAggregate::CompleteRefund(const std::string& refund_id) const {
  const v1::Refund& refund = SettlingRefund(refund_id, v1::REFUND_STATUS_FAILED);
  if (refund.status() == v1::REFUND_STATUS_REFUNDED) return nullptr;
  const auto fill = [&](auto event) {
    event->set_order_id(order_.order_id());
    event->set_refund_id(refund_id);
    *event->mutable_lines() = refund.lines();
    *event->mutable_amount() = refund.amount();
    event->set_reason(refund.reason());
    return event;
  };
  if (ReturnsEverything(order_, refund_id)) return fill(std::make_unique<v1::OrderRefunded>());
  return fill(std::make_unique<v1::OrderPartiallyRefunded>());
}

std::unique_ptr<google::protobuf::Message> OrderAggregate::FailRefund(const std::string& refund_id,
                                                                      const std::string& reason) const {
  if (SettlingRefund(refund_id, v1::REFUND_STATUS_REFUNDED).status() == v1::REFUND_STATUS_FAILED) return nullptr;
  auto event = std::make_unique<v1::OrderRefundFailed>();
  event->set_order_id(order_.order_id());
  event->set_refund_id(refund_id);
  event->set_reason(reason);
  return event;
}

}  // namespace orderly::order
