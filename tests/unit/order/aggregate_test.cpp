#include "aggregate.h"

#include <gtest/gtest.h>

#include "orderly/common/errors.h"

namespace orderly::order {
namespace {

class OrderAggregateTest : public ::testing::Test {
 protected:
  OrderAggregateTest() {
    v1::OrderPlaced placed;
    placed.set_order_id("o-1");
    placed.set_customer_id("alice");
    placed.mutable_total()->set_minor_units(500);
    placed.mutable_total()->set_currency("EUR");
    Append(placed);
  }

  void Append(const google::protobuf::Message& event) {
    aggregate_.Apply({aggregate_.version() + 1, event.GetDescriptor()->full_name(), event.SerializeAsString(),
                      1'700'000'000'000 + aggregate_.version()});
  }

  OrderAggregate aggregate_;
};

TEST_F(OrderAggregateTest, PlacedOrderIsPending) {
  EXPECT_EQ(aggregate_.order().status(), v1::ORDER_STATUS_PENDING);
  EXPECT_EQ(aggregate_.order().customer_id(), "alice");
  EXPECT_EQ(aggregate_.version(), 1);
  EXPECT_FALSE(aggregate_.terminal());
}

TEST_F(OrderAggregateTest, ConfirmOnceThenIdempotent) {
  auto event = aggregate_.Confirm();
  ASSERT_NE(event, nullptr);
  Append(*event);
  EXPECT_EQ(aggregate_.order().status(), v1::ORDER_STATUS_CONFIRMED);
  EXPECT_EQ(aggregate_.Confirm(), nullptr);
  EXPECT_EQ(aggregate_.version(), 2);
}

TEST_F(OrderAggregateTest, RejectRecordsTheReason) {
  Append(*aggregate_.Reject(v1::REJECT_REASON_OUT_OF_STOCK, "SKU-1"));
  EXPECT_EQ(aggregate_.order().status(), v1::ORDER_STATUS_REJECTED);
  EXPECT_EQ(aggregate_.order().reject_reason(), v1::REJECT_REASON_OUT_OF_STOCK);
  EXPECT_EQ(aggregate_.order().reject_detail(), "SKU-1");
  EXPECT_EQ(aggregate_.Reject(v1::REJECT_REASON_OUT_OF_STOCK, "again"), nullptr);
}

TEST_F(OrderAggregateTest, RejectForCancellationEndsCancelled) {
  Append(*aggregate_.RequestCancel());
  EXPECT_TRUE(aggregate_.order().cancel_requested());
  EXPECT_EQ(aggregate_.RequestCancel(), nullptr);  // asked twice, recorded once
  Append(*aggregate_.Reject(v1::REJECT_REASON_CANCELLED_BY_CUSTOMER, ""));
  EXPECT_EQ(aggregate_.order().status(), v1::ORDER_STATUS_CANCELLED);
}

TEST_F(OrderAggregateTest, FromTheSnapshotItDecidesAsAfterReplayingItsEvents) {
  Append(v1::OrderCancellationRequested());
  OrderAggregate restored = OrderAggregate::FromSnapshot(aggregate_.order());
  EXPECT_EQ(restored.order().SerializeAsString(), aggregate_.order().SerializeAsString());
  EXPECT_EQ(restored.version(), 2);
  EXPECT_EQ(restored.RequestCancel(), nullptr);  // already requested, as the events say
  ASSERT_NE(restored.Confirm(), nullptr);
}

TEST_F(OrderAggregateTest, OnlyAPendingOrderChanges) {
  Append(*aggregate_.Confirm());
  EXPECT_THROW((void)aggregate_.Reject(v1::REJECT_REASON_TIMEOUT, ""), FailedPrecondition);
  EXPECT_THROW((void)aggregate_.RequestCancel(), FailedPrecondition);
  OrderAggregate rejected;
  rejected.Apply({1, "orderly.v1.OrderPlaced", v1::OrderPlaced().SerializeAsString(), 0});
  rejected.Apply({2, "orderly.v1.OrderRejected", v1::OrderRejected().SerializeAsString(), 0});
  EXPECT_THROW((void)rejected.Confirm(), FailedPrecondition);
  EXPECT_THROW((void)rejected.Reject(v1::REJECT_REASON_CANCELLED_BY_CUSTOMER, ""), FailedPrecondition);
}

TEST_F(OrderAggregateTest, UnknownOrCorruptEventsAreInternalErrors) {
  EXPECT_THROW(aggregate_.Apply({2, "orderly.v1.Nope", "", 0}), Internal);
  EXPECT_THROW(aggregate_.Apply({2, "orderly.v1.OrderRejected", "\xff\xff", 0}), Internal);
}

}  // namespace
}  // namespace orderly::order
