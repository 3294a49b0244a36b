#include "outcome.h"

#include <gtest/gtest.h>

#include "orderly/messaging/envelope.h"

namespace orderly::loadgen {
namespace {

template <typename Event>
v1::Envelope Wrap(const Event& event) {
  v1::Envelope envelope;
  envelope.set_type(Event::descriptor()->full_name());
  envelope.mutable_payload()->PackFrom(event);
  return envelope;
}

v1::OrderRejected Rejected(v1::RejectReason reason) {
  v1::OrderRejected rejected;
  rejected.set_order_id("o1");
  rejected.set_reason(reason);
  rejected.set_detail("why");
  return rejected;
}

TEST(OutcomeTest, TerminalEventsMapToOutcomes) {
  v1::OrderConfirmed confirmed;
  confirmed.set_order_id("o1");
  EXPECT_EQ(TerminalOf(Wrap(confirmed))->outcome, Outcome::kConfirmed);
  v1::OrderCancelled cancelled;
  cancelled.set_order_id("o1");
  EXPECT_EQ(TerminalOf(Wrap(cancelled))->outcome, Outcome::kCancelled);
  const auto stock = TerminalOf(Wrap(Rejected(v1::REJECT_REASON_OUT_OF_STOCK)));
  EXPECT_EQ(stock->order_id, "o1");
  EXPECT_EQ(stock->outcome, Outcome::kRejectedOutOfStock);
  EXPECT_EQ(stock->detail, "why");
  EXPECT_EQ(TerminalOf(Wrap(Rejected(v1::REJECT_REASON_PAYMENT_DECLINED)))->outcome, Outcome::kRejectedDeclined);
  EXPECT_EQ(TerminalOf(Wrap(Rejected(v1::REJECT_REASON_TIMEOUT)))->outcome, Outcome::kRejectedTimeout);
  EXPECT_EQ(TerminalOf(Wrap(Rejected(v1::REJECT_REASON_UNSPECIFIED)))->outcome, Outcome::kRejectedOther);
}

TEST(OutcomeTest, OtherEventsAreNotTerminal) {
  v1::OrderPlaced placed;
  placed.set_order_id("o1");
  EXPECT_EQ(TerminalOf(Wrap(placed)), std::nullopt);
  v1::OrderCancellationRequested requested;
  requested.set_order_id("o1");
  EXPECT_EQ(TerminalOf(Wrap(requested)), std::nullopt);
}

TEST(OutcomeTest, EachExpectationAcceptsItsOutcomesOnly) {
  EXPECT_TRUE(IsExpected(Expected::kConfirmed, Outcome::kConfirmed));
  EXPECT_FALSE(IsExpected(Expected::kConfirmed, Outcome::kRejectedTimeout));
  EXPECT_FALSE(IsExpected(Expected::kConfirmed, Outcome::kCancelled));
  EXPECT_TRUE(IsExpected(Expected::kOutOfStock, Outcome::kRejectedOutOfStock));
  EXPECT_FALSE(IsExpected(Expected::kOutOfStock, Outcome::kRejectedTimeout));
  EXPECT_TRUE(IsExpected(Expected::kDeclined, Outcome::kRejectedDeclined));
  EXPECT_FALSE(IsExpected(Expected::kDeclined, Outcome::kConfirmed));
  EXPECT_TRUE(IsExpected(Expected::kCancelled, Outcome::kCancelled));
  EXPECT_TRUE(IsExpected(Expected::kCancelled, Outcome::kConfirmed));  // the saga finished first
  EXPECT_FALSE(IsExpected(Expected::kCancelled, Outcome::kRejectedTimeout));
}

}  // namespace
}  // namespace orderly::loadgen
