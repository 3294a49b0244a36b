#pragma once

#include <memory>
#include <optional>
#include <string>

#include <google/protobuf/message.h>

#include "orderly/v1/events.pb.h"
#include "orderly/v1/order.pb.h"
#include "refunds.h"

namespace orderly::order {

/// One stored event.
struct StoredEvent {
  int version = 0;
  std::string type;     // full protobuf name, e.g. "orderly.v1.OrderPlaced"
  std::string payload;  // the serialized event
  int64_t created_us = 0;  // microseconds since the epoch, as the projection's created_us (orders sort by it)
};

/// An order rebuilt from its events. Pure logic: no I/O, so every transition is unit-tested.
class OrderAggregate final {
 public:
  /// The order as its projection's snapshot holds it: the state after every event so far.
  [[nodiscard]] static OrderAggregate FromSnapshot(v1::Order snapshot);
  /// Folds `event` into the state. @throws orderly::Internal for an unknown type or a bad payload.
  void Apply(const StoredEvent& event);

  [[nodiscard]] const v1::Order& order() const { return order_; }
  [[nodiscard]] int version() const { return static_cast<int>(order_.version()); }
  [[nodiscard]] bool terminal() const;

  // Each decision returns the event to append, std::nullopt when the order is already there
  // (idempotent), or throws orderly::FailedPrecondition: only a PENDING order can change.
  [[nodiscard]] std::unique_ptr<google::protobuf::Message> RequestCancel() const;
  [[nodiscard]] std::unique_ptr<google::protobuf::Message> Confirm() const;
  [[nodiscard]] std::unique_ptr<google::protobuf::Message> Reject(v1::RejectReason reason, const std::string& detail) const;

  // The refund decisions: nullptr when already there (idempotent). Only a CONFIRMED or
  // PARTIALLY_REFUNDED order takes a new refund, else FailedPrecondition.
  /// OrderRefundRequested for `lines` (see PlanRefund for what it refuses). @throws InvalidArgument
  /// naming idempotency_key when `refund_id` was requested before with other lines.
  [[nodiscard]] std::unique_ptr<google::protobuf::Message> RequestRefund(const std::string& refund_id,
                                                                         const Lines& lines,
                                                                         const std::string& reason) const;
  /// OrderRefunded when every unit is then returned, else OrderPartiallyRefunded.
  /// @throws FailedPrecondition for an unknown or failed refund.
  [[nodiscard]] std::unique_ptr<google::protobuf::Message> CompleteRefund(const std::string& refund_id) const;
  /// OrderRefundFailed. @throws FailedPrecondition for an unknown or completed refund.
  [[nodiscard]] std::unique_ptr<google::protobuf::Message> FailRefund(const std::string& refund_id,
                                                                      const std::string& reason) const;
  /// The refund `refund_id` of this order; nullptr if none was requested.
  [[nodiscard]] const v1::Refund* FindRefund(const std::string& refund_id) const;

 private:
  [[noreturn]] void NotPending(const std::string& action) const;
  // The refund `refund_id` unless it ended `other_end`. @throws FailedPrecondition.
  const v1::Refund& SettlingRefund(const std::string& refund_id, v1::RefundStatus other_end) const;
  // Marks refund `refund_id` ended `status` by the event of `version`.
  v1::Refund& EndRefund(const std::string& refund_id, v1::RefundStatus status, int version);

  v1::Order order_;
};

}  // namespace orderly::order
