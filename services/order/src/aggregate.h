#pragma once

#include <memory>
#include <optional>
#include <string>

#include <google/protobuf/message.h>

#include "orderly/v1/events.pb.h"
#include "orderly/v1/order.pb.h"

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

 private:
  [[noreturn]] void NotPending(const std::string& action) const;

  v1::Order order_;
};

}  // namespace orderly::order
