#pragma once

#include <string>
#include <utility>
#include <vector>

#include "admission.h"
#include "event_store.h"
#include "orderly/cache/cache_aside.h"
#include "orderly/pg/cluster.h"
#include "pricing.h"

namespace orderly::order {

/// A page of orders and the token of the next page ("" when it is the last).
struct OrderPage {
  std::vector<v1::Order> orders;
  std::string next_page_token;
};

/// A refund as RefundOrder answers it: the order and the refund the request's key names.
struct RefundAnswer {
  v1::Order order;
  v1::Refund refund;
};

/// The order use cases over the event store; requests arrive validated. Thread-safe.
class Orders final {
 public:
  Orders(pg::Cluster& cluster, EventStore& store, InventoryPricer& pricer, cache::CacheAside& cache,
         AdmissionGate& admission)
      : cluster_(cluster), store_(store), pricer_(pricer), cache_(cache), admission_(admission) {}

  /// Prices the lines, appends OrderPlaced (and its outbox row) and returns the PENDING order.
  /// The same customer and idempotency key always give the same order, even under overload.
  /// @throws InvalidArgument if the key was used for a different request; NotFound for an unknown
  /// sku; Unavailable if inventory cannot price; ResourceExhausted if a new order is not admitted.
  v1::Order Place(const v1::PlaceOrderRequest& request);
  /// Through the cache. @throws NotFound.
  [[nodiscard]] v1::Order Get(const std::string& order_id);
  /// Orders still PENDING on every shard: the in-flight saga backlog. @throws Unavailable.
  [[nodiscard]] int64_t CountPending();
  /// From the database, bypassing the cache. @throws NotFound.
  [[nodiscard]] v1::Order Read(const std::string& order_id);
  /// The customer's orders from every shard, newest first.
  [[nodiscard]] OrderPage List(const std::string& customer_id, int page_size, const std::string& page_token);
  /// Records the cancellation request; the saga compensates. @throws NotFound, FailedPrecondition.
  v1::Order Cancel(const std::string& order_id);
  /// Records OrderRefundRequested for the request's lines (the refund saga does the rest), with the
  /// order's row locked so concurrent refunds see each other's lines. The same order and key give
  /// the same refund, never a second one. @throws NotFound; InvalidArgument, FailedPrecondition as
  /// OrderAggregate::RequestRefund.
  RefundAnswer Refund(const v1::RefundOrderRequest& request);
  /// Applies ConfirmOrder / RejectOrder / CompleteRefund / FailRefund inside the consumer's transaction.
  /// @throws messaging::PoisonMessage for an unknown order or a transition the order cannot make.
  void Handle(pg::Transaction& tx, const v1::Envelope& command);

 private:
  // The projection's row of the order, in a read-only transaction of one round trip.
  std::optional<Snapshot> ReadSnapshot(const std::string& order_id);

  // The event `command` asks of `aggregate`: nullptr if it is already recorded, whose version then
  // goes in `answered`. @throws messaging::PoisonMessage for a command the order cannot take.
  [[nodiscard]] static std::unique_ptr<google::protobuf::Message> Decide(const OrderAggregate& aggregate,
                                                                         const v1::Envelope& command, int& answered);
  [[nodiscard]] static std::string RequestHash(const v1::PlaceOrderRequest& request);
  // OrderPlaced with every line priced by inventory and the total. @throws as Place does.
  [[nodiscard]] v1::OrderPlaced Price(const v1::PlaceOrderRequest& request, const std::string& order_id);

  pg::Cluster& cluster_;
  EventStore& store_;
  InventoryPricer& pricer_;
  cache::CacheAside& cache_;
  AdmissionGate& admission_;
};

}  // namespace orderly::order
