#include "refunds.h"

#include <gtest/gtest.h>

#include <functional>

#include "aggregate.h"
#include "grpc_service.h"
#include "orderly/common/errors.h"

namespace orderly::order {
namespace {

v1::OrderLine Line(const std::string& sku, int32_t quantity, int64_t unit_price = 0) {
  v1::OrderLine line;
  line.set_sku(sku);
  line.set_quantity(quantity);
  if (unit_price > 0) {
    line.mutable_unit_price()->set_minor_units(unit_price);
    line.mutable_unit_price()->set_currency("EUR");
  }
  return line;
}

Lines Ask(std::initializer_list<v1::OrderLine> lines) {
  Lines all;
  for (const auto& line : lines) *all.Add() = line;
  return all;
}

// A confirmed order of 2 MUG at 12.00 and 3 TEA at 4.50: 37.50 EUR.
class RefundsTest : public ::testing::Test {
 protected:
  RefundsTest() {
    v1::OrderPlaced placed;
    placed.set_order_id("o-1");
    placed.set_customer_id("alice");
    *placed.add_lines() = Line("MUG", 2, 1200);
    *placed.add_lines() = Line("TEA", 3, 450);
    placed.mutable_total()->set_minor_units(3750);
    placed.mutable_total()->set_currency("EUR");
    Append(placed);
    Append(*aggregate_.Confirm());
  }

  void Append(const google::protobuf::Message& event) {
    aggregate_.Apply({aggregate_.version() + 1, event.GetDescriptor()->full_name(), event.SerializeAsString(),
                      1'700'000'000'000 + aggregate_.version()});
  }

  // Requests refund `id` of `lines` and appends the event.
  void Request(const std::string& id, const Lines& lines) {
    const auto event = aggregate_.RequestRefund(id, lines, "damaged");
    ASSERT_NE(event, nullptr);
    Append(*event);
  }

  OrderAggregate aggregate_;
};

TEST_F(RefundsTest, PlanPricesEachLineAtTheOrdersUnitPrice) {
  const auto planned = PlanRefund(aggregate_.order(), "r-1", Ask({Line("MUG", 1), Line("TEA", 2)}), "damaged");
  EXPECT_EQ(planned.amount().minor_units(), 1200 + 2 * 450);
  EXPECT_EQ(planned.amount().currency(), "EUR");
  ASSERT_EQ(planned.lines_size(), 2);
  EXPECT_EQ(planned.lines(1).unit_price().minor_units(), 450);
  EXPECT_EQ(planned.customer_id(), "alice");
  EXPECT_EQ(planned.refund_id(), "r-1");
}

TEST_F(RefundsTest, PlanRefusesASkuNotOnTheOrderNamingTheLine) {
  try {
    (void)PlanRefund(aggregate_.order(), "r-1", Ask({Line("MUG", 1), Line("PEN", 1)}), "");
    FAIL() << "no exception";
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(e.field(), "lines[1].sku");
  }
}

TEST_F(RefundsTest, PlanRefusesMoreUnitsThanSoldNamingTheLine) {
  try {
    (void)PlanRefund(aggregate_.order(), "r-1", Ask({Line("TEA", 4)}), "");
    FAIL() << "no exception";
  } catch (const FailedPrecondition& e) {
    EXPECT_EQ(std::string(e.what()), "lines[0].quantity: asks back 4 of sku 'TEA'; returnable: 3 of the 3 sold");
  }
}

TEST_F(RefundsTest, PlanRefusesMoreMoneyThanRemainsCaptured) {
  v1::Order cheap = aggregate_.order();
  cheap.mutable_total()->set_minor_units(1000);  // a total below its lines' value: a discount
  try {
    (void)PlanRefund(cheap, "r-1", Ask({Line("MUG", 1)}), "");
    FAIL() << "no exception";
  } catch (const FailedPrecondition& e) {
    EXPECT_EQ(std::string(e.what()), "amount: a refund of 1200 exceeds the 1000 not yet refunded of order o-1");
  }
}

TEST_F(RefundsTest, RequestedAndDoneRefundsCountFailedOnesDoNot) {
  Request("r-1", Ask({Line("TEA", 1)}));
  Request("r-2", Ask({Line("TEA", 1)}));
  Append(*aggregate_.CompleteRefund("r-1"));
  Append(*aggregate_.FailRefund("r-2", "payment refused"));
  Request("r-3", Ask({Line("MUG", 2)}));
  const auto returnable = ReturnableUnits(aggregate_.order());
  EXPECT_EQ(returnable.at("MUG"), 0);
  EXPECT_EQ(returnable.at("TEA"), 2);
  EXPECT_EQ(RefundableAmount(aggregate_.order()), 3750 - 450 - 2400);
}

TEST_F(RefundsTest, ALineIsNeverReturnedTwice) {
  Request("r-1", Ask({Line("MUG", 2)}));
  EXPECT_THROW((void)aggregate_.RequestRefund("r-2", Ask({Line("MUG", 1)}), "again"), FailedPrecondition);
}

TEST_F(RefundsTest, TheSameKeyGivesTheSameRefundAndOtherLinesAreRefused) {
  Request("r-1", Ask({Line("MUG", 1)}));
  EXPECT_EQ(aggregate_.RequestRefund("r-1", Ask({Line("MUG", 1)}), "damaged"), nullptr);
  try {
    (void)aggregate_.RequestRefund("r-1", Ask({Line("MUG", 2)}), "damaged");
    FAIL() << "no exception";
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(e.field(), "idempotency_key");
  }
}

TEST_F(RefundsTest, PartialThenFullReturnEndsRefunded) {
  Request("r-1", Ask({Line("MUG", 1)}));
  EXPECT_EQ(aggregate_.order().refunds(0).status(), v1::REFUND_STATUS_REQUESTED);
  const auto partial = aggregate_.CompleteRefund("r-1");
  EXPECT_EQ(partial->GetDescriptor()->full_name(), "orderly.v1.OrderPartiallyRefunded");
  Append(*partial);
  EXPECT_EQ(aggregate_.order().status(), v1::ORDER_STATUS_PARTIALLY_REFUNDED);
  EXPECT_EQ(aggregate_.order().refunds(0).status(), v1::REFUND_STATUS_REFUNDED);
  EXPECT_EQ(aggregate_.order().refunds(0).settled_version(), aggregate_.version());
  EXPECT_EQ(aggregate_.CompleteRefund("r-1"), nullptr);  // done: a repeated command changes nothing

  Request("r-2", Ask({Line("MUG", 1), Line("TEA", 3)}));
  const auto full = aggregate_.CompleteRefund("r-2");
  EXPECT_EQ(full->GetDescriptor()->full_name(), "orderly.v1.OrderRefunded");
  Append(*full);
  EXPECT_EQ(aggregate_.order().status(), v1::ORDER_STATUS_REFUNDED);
  EXPECT_THROW((void)aggregate_.RequestRefund("r-3", Ask({Line("TEA", 1)}), ""), FailedPrecondition);
}

TEST_F(RefundsTest, ARunningRefundDoesNotCountAsReturnedForTheOrdersStatus) {
  Request("r-1", Ask({Line("MUG", 2)}));
  Request("r-2", Ask({Line("TEA", 3)}));
  // r-2 completes first: r-1's units are not back yet, so the order is only partly refunded.
  Append(*aggregate_.CompleteRefund("r-2"));
  EXPECT_EQ(aggregate_.order().status(), v1::ORDER_STATUS_PARTIALLY_REFUNDED);
  EXPECT_TRUE(ReturnsEverything(aggregate_.order(), "r-1"));
  Append(*aggregate_.CompleteRefund("r-1"));
  EXPECT_EQ(aggregate_.order().status(), v1::ORDER_STATUS_REFUNDED);
}

TEST_F(RefundsTest, AFailedRefundKeepsItsReasonAndFreesItsLines) {
  Request("r-1", Ask({Line("MUG", 2)}));
  Append(*aggregate_.FailRefund("r-1", "payment refused the refund: the payment of order o-1 is refunded"));
  EXPECT_EQ(aggregate_.order().status(), v1::ORDER_STATUS_CONFIRMED);
  EXPECT_EQ(aggregate_.order().refunds(0).status(), v1::REFUND_STATUS_FAILED);
  EXPECT_EQ(aggregate_.order().refunds(0).failure(),
            "payment refused the refund: the payment of order o-1 is refunded");
  EXPECT_EQ(aggregate_.FailRefund("r-1", "again"), nullptr);
  EXPECT_THROW((void)aggregate_.CompleteRefund("r-1"), FailedPrecondition);
  Request("r-2", Ask({Line("MUG", 2)}));
}

TEST_F(RefundsTest, OnlyAConfirmedOrderIsRefundedAndUnknownRefundsAreRefused) {
  OrderAggregate pending;
  v1::OrderPlaced placed;
  *placed.add_lines() = Line("MUG", 1, 100);
  pending.Apply({1, "orderly.v1.OrderPlaced", placed.SerializeAsString(), 0});
  EXPECT_THROW((void)pending.RequestRefund("r-1", Ask({Line("MUG", 1)}), ""), FailedPrecondition);
  EXPECT_THROW((void)aggregate_.CompleteRefund("nope"), FailedPrecondition);
  EXPECT_THROW((void)aggregate_.FailRefund("nope", ""), FailedPrecondition);
}

// The request's shape, checked before the order is read: the first bad field is named.
TEST(ValidateRefundOrderTest, NamesTheFirstBadField) {
  const auto field_of = [](const std::function<void(v1::RefundOrderRequest&)>& spoil) -> std::string {
    v1::RefundOrderRequest request;
    request.set_order_id("o-1");
    request.set_idempotency_key("k-1");
    request.set_reason("damaged");
    *request.add_lines() = Line("MUG", 1);
    spoil(request);
    try {
      ValidateRefundOrder(request);
    } catch (const InvalidArgument& e) {
      return e.field();
    }
    return "";
  };
  EXPECT_EQ(field_of([](auto&) {}), "");
  EXPECT_EQ(field_of([](auto& r) { r.clear_order_id(); }), "order_id");
  EXPECT_EQ(field_of([](auto& r) { r.set_idempotency_key("a b"); }), "idempotency_key");
  EXPECT_EQ(field_of([](auto& r) { r.clear_reason(); }), "reason");
  EXPECT_EQ(field_of([](auto& r) { r.set_reason(std::string(501, 'r')); }), "reason");
  EXPECT_EQ(field_of([](auto& r) { r.clear_lines(); }), "lines");
  EXPECT_EQ(field_of([](auto& r) { r.mutable_lines(0)->set_quantity(1001); }), "lines[0].quantity");
  EXPECT_EQ(field_of([](auto& r) { *r.add_lines() = Line("MUG", 1); }), "lines[1].sku");
}

}  // namespace
}  // namespace orderly::order
