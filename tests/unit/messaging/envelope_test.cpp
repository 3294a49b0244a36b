#include "orderly/messaging/envelope.h"

#include <gtest/gtest.h>

#include "orderly/log/trace.h"

namespace orderly::messaging {
namespace {

constexpr const char* kTrace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr const char* kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

class EnvelopeTest : public ::testing::Test {
 protected:
  v1::Envelope Sample() {
    v1::ReserveStock command;
    command.set_order_id("order-1");
    auto* line = command.add_lines();
    line->set_sku("SKU-1");
    line->set_quantity(2);
    return MakeEnvelope(command, {"order-1", "saga-1", "cause-1", "corr-1", kTrace}, ids_, clock_);
  }

  ManualClock clock_;
  UuidV7Generator ids_{clock_};
};

TEST_F(EnvelopeTest, RoundTripKeepsEveryField) {
  const v1::Envelope original = Sample();
  const v1::Envelope decoded = Decode(Encode(original));
  EXPECT_EQ(decoded.message_id(), original.message_id());
  EXPECT_EQ(decoded.type(), "orderly.v1.ReserveStock");
  EXPECT_EQ(decoded.order_id(), "order-1");
  EXPECT_EQ(decoded.saga_id(), "saga-1");
  EXPECT_EQ(decoded.causation_id(), "cause-1");
  EXPECT_EQ(decoded.correlation_id(), "corr-1");
  // A span of the cause's trace.
  EXPECT_EQ(log::TraceIdOf(decoded.traceparent()), kTraceId);
  EXPECT_NE(decoded.traceparent(), kTrace);
  EXPECT_EQ(decoded.produced_at().seconds() * 1000 + decoded.produced_at().nanos() / 1'000'000,
            ToUnixMillis(clock_.Now()));
  const auto payload = Payload<v1::ReserveStock>(decoded);
  ASSERT_EQ(payload.lines_size(), 1);
  EXPECT_EQ(payload.lines(0).sku(), "SKU-1");
  EXPECT_EQ(payload.lines(0).quantity(), 2);
}

TEST_F(EnvelopeTest, CorrelationDefaultsToTheFirstMessageId) {
  v1::OrderPlaced placed;
  const v1::Envelope envelope = MakeEnvelope(placed, {"order-1", "", "", "", ""}, ids_, clock_);
  EXPECT_EQ(envelope.correlation_id(), envelope.message_id());
}

TEST_F(EnvelopeTest, CausedByCarriesTheChain) {
  const v1::Envelope cause = Sample();
  const EnvelopeContext context = CausedBy(cause);
  EXPECT_EQ(context.order_id, "order-1");
  EXPECT_EQ(context.causation_id, cause.message_id());
  EXPECT_EQ(context.correlation_id, "corr-1");
  EXPECT_EQ(context.traceparent, cause.traceparent());
}

TEST_F(EnvelopeTest, WithoutACauseTheThreadsTraceContinues) {
  v1::OrderPlaced placed;
  const log::ScopedTrace trace(kTrace);
  EXPECT_EQ(log::TraceIdOf(MakeEnvelope(placed, {"order-1", "", "", "", ""}, ids_, clock_).traceparent()), kTraceId);
}

TEST_F(EnvelopeTest, WithoutAnyTraceANewOneStarts) {
  v1::OrderPlaced placed;
  const std::string first = MakeEnvelope(placed, {"order-1", "", "", "", ""}, ids_, clock_).traceparent();
  const std::string second = MakeEnvelope(placed, {"order-2", "", "", "", ""}, ids_, clock_).traceparent();
  ASSERT_TRUE(log::ParseTraceparent(first).has_value());
  EXPECT_NE(log::TraceIdOf(first), log::TraceIdOf(second));
}

TEST_F(EnvelopeTest, GarbageIsPoison) {
  EXPECT_THROW(Decode("\xff\xff\xff not protobuf"), PoisonMessage);
}

TEST_F(EnvelopeTest, EmptyValueIsPoison) {
  try {
    (void)Decode("");
    FAIL() << "expected PoisonMessage";
  } catch (const PoisonMessage& e) {
    EXPECT_EQ(e.field(), "envelope.message_id");
  }
}

TEST_F(EnvelopeTest, TypeNotMatchingPayloadIsPoison) {
  v1::Envelope envelope = Sample();
  envelope.set_type("orderly.v1.CommitStock");
  try {
    (void)Decode(Encode(envelope));
    FAIL() << "expected PoisonMessage";
  } catch (const PoisonMessage& e) {
    EXPECT_EQ(e.field(), "envelope.type");
  }
}

TEST_F(EnvelopeTest, UnpackingTheWrongTypeIsPoison) {
  EXPECT_THROW((void)Payload<v1::CommitStock>(Sample()), PoisonMessage);
}

}  // namespace
}  // namespace orderly::messaging
