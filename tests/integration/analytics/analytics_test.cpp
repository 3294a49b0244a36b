// The analytics service in-process against the test servers, fed envelopes with chosen event times
// on order.events: windows by event time, exactly once per message, the late allowance, the API.
#include "orderly/analytics/analytics.h"

#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "event_recorder.h"
#include "orderly/messaging/envelope.h"
#include "orderly/messaging/topics.h"
#include "orderly/metrics/registry.h"
#include "orderly/v1/analytics.grpc.pb.h"
#include "service_harness.h"
#include "test_env.h"
#include "test_tokens.h"
#include "windows.h"

namespace orderly::analytics {
namespace {

using google::protobuf::util::MessageDifferencer;
using google::protobuf::util::TimeUtil;
using std::chrono::milliseconds;

constexpr int64_t kMinute = 60'000;
constexpr int64_t kT0 = 1'893'456'000'000;  // 2030-01-01 00:00 UTC, a window start

v1::Money Eur(int64_t minor_units) {
  v1::Money money;
  money.set_minor_units(minor_units);
  money.set_currency("EUR");
  return money;
}

v1::OrderPlaced Placed(const std::string& order_id, const std::string& sku, int quantity, int64_t unit_price) {
  v1::OrderPlaced placed;
  placed.set_order_id(order_id);
  placed.set_customer_id("alice");
  v1::OrderLine* line = placed.add_lines();
  line->set_sku(sku);
  line->set_quantity(quantity);
  *line->mutable_unit_price() = Eur(unit_price);
  *placed.mutable_total() = Eur(quantity * unit_price);
  return placed;
}

class AnalyticsTest : public ::testing::Test {
 protected:
  AnalyticsTest() {
    auto& analytics = service_.settings().services.analytics;
    analytics.late_allowance = milliseconds(2 * kMinute);
    analytics.watch_poll = milliseconds(20);
    service_.Start();
    stub_ = testing::TokenStub<v1::AnalyticsService>(service_.Address());
  }

  // The envelope of `payload` for `order_id` as produced at `at_ms`.
  v1::Envelope Make(const std::string& order_id, const google::protobuf::Message& payload, int64_t at_ms) {
    clock_.Set(Clock::TimePoint(milliseconds(at_ms)));
    return messaging::MakeEnvelope(payload, {order_id, "", "", "", ""}, ids_, clock_);
  }

  // Publishes `payload` for `order_id` on order.events as produced at `at_ms`; returns the envelope.
  v1::Envelope Publish(const std::string& order_id, const google::protobuf::Message& payload, int64_t at_ms) {
    const v1::Envelope envelope = Make(order_id, payload, at_ms);
    service_.SendEnvelope(messaging::kOrderEvents, envelope);
    return envelope;
  }

  v1::GetSalesResponse Sales(int64_t from_ms, int64_t to_ms, int64_t granularity_ms = kMinute) {
    v1::GetSalesRequest request;
    *request.mutable_from() = TimeUtil::MillisecondsToTimestamp(from_ms);
    *request.mutable_to() = TimeUtil::MillisecondsToTimestamp(to_ms);
    *request.mutable_granularity() = TimeUtil::MillisecondsToDuration(granularity_ms);
    v1::GetSalesResponse response;
    grpc::ClientContext context;
    const grpc::Status status = stub_->GetSales(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // The one-minute window starting at `start_ms`.
  v1::SalesWindow Window(int64_t start_ms) { return Sales(start_ms, start_ms + kMinute).windows(0); }

  // Waits until the window starting at `start_ms` satisfies `condition`; fails the test if it never does.
  void AwaitWindow(int64_t start_ms, const std::function<bool(const v1::SalesWindow&)>& condition) {
    v1::SalesWindow window;
    ASSERT_TRUE(testing::WaitUntil([&] { return condition(window = Window(start_ms)); })) << window.DebugString();
  }

  // Three orders placed in the first minute that end in the second (confirmed, rejected for stock,
  // cancelled), and a partial refund of the confirmed one in the third.
  std::vector<v1::Envelope> EveryOutcome() {
    std::vector<v1::Envelope> sent;
    sent.push_back(Make("order-a", Placed("order-a", "MUG", 2, 500), kT0 + 5'000));
    sent.push_back(Make("order-b", Placed("order-b", "TEA", 1, 300), kT0 + 10'000));
    sent.push_back(Make("order-c", Placed("order-c", "MUG", 1, 500), kT0 + 20'000));
    v1::OrderConfirmed confirmed;
    confirmed.set_order_id("order-a");
    sent.push_back(Make("order-a", confirmed, kT0 + 65'000));
    v1::OrderRejected rejected;
    rejected.set_order_id("order-b");
    rejected.set_reason(v1::REJECT_REASON_OUT_OF_STOCK);
    sent.push_back(Make("order-b", rejected, kT0 + 70'000));
    v1::OrderCancelled cancelled;
    cancelled.set_order_id("order-c");
    sent.push_back(Make("order-c", cancelled, kT0 + 90'000));
    v1::OrderPartiallyRefunded refunded;
    refunded.set_order_id("order-a");
    *refunded.mutable_amount() = Eur(500);
    sent.push_back(Make("order-a", refunded, kT0 + 130'000));
    return sent;
  }

  // EveryOutcome, every envelope sent on order.events.
  std::vector<v1::Envelope> PublishEveryOutcome() {
    std::vector<v1::Envelope> sent = EveryOutcome();
    for (const v1::Envelope& envelope : sent) service_.SendEnvelope(messaging::kOrderEvents, envelope);
    return sent;
  }

  // The windows of EveryOutcome, as they must read once every event counted.
  void ExpectEveryOutcome() {
    const v1::GetSalesResponse sales = Sales(kT0, kT0 + 3 * kMinute);
    ASSERT_EQ(sales.windows_size(), 3);
    const v1::SalesWindow& placing = sales.windows(0);
    EXPECT_EQ(TimeUtil::TimestampToMilliseconds(placing.start()), kT0);
    EXPECT_EQ(TimeUtil::TimestampToMilliseconds(placing.end()), kT0 + kMinute);
    EXPECT_EQ(placing.placed(), 3);
    EXPECT_EQ(placing.confirmed() + placing.rejected() + placing.cancelled(), 0);
    EXPECT_EQ(placing.revision(), 3);  // one per event

    const v1::SalesWindow& ending = sales.windows(1);
    EXPECT_EQ(ending.placed(), 0);
    EXPECT_EQ(ending.confirmed(), 1);
    EXPECT_EQ(ending.rejected(), 1);
    EXPECT_EQ(ending.cancelled(), 1);
    EXPECT_EQ(ending.revision(), 3);
    ASSERT_EQ(ending.rejections_size(), 1);
    EXPECT_EQ(ending.rejections(0).reason(), v1::REJECT_REASON_OUT_OF_STOCK);
    EXPECT_EQ(ending.rejections(0).count(), 1);
    ASSERT_EQ(ending.revenue_size(), 1);
    EXPECT_TRUE(MessageDifferencer::Equals(ending.revenue(0), Eur(1000)));
    // Latencies 60 s (a), 60 s (b) and 70 s (c), each counted in its bucket: p50 is the upper bound of
    // 60 s's, (55.1 s, 65.536 s], p99 and max that of 70 s's, (65.536 s, 77.936 s].
    EXPECT_EQ(ending.latency().count(), 3);
    EXPECT_EQ(ending.latency().p50_ms(), 65'536);
    EXPECT_EQ(ending.latency().p99_ms(), 77'936);
    EXPECT_EQ(ending.latency().max_ms(), ending.latency().p99_ms());

    const v1::SalesWindow& refunding = sales.windows(2);
    EXPECT_EQ(refunding.refunded(), 1);
    EXPECT_EQ(refunding.revision(), 1);
    ASSERT_EQ(refunding.refunds_size(), 1);
    EXPECT_TRUE(MessageDifferencer::Equals(refunding.refunds(0), Eur(500)));
    EXPECT_EQ(refunding.revenue_size(), 0);
  }

  testing::ServiceHarness service_{Definition()};
  std::unique_ptr<v1::AnalyticsService::Stub> stub_;
  ManualClock clock_;
  UuidV7Generator ids_{SystemClock::Instance()};
};

TEST_F(AnalyticsTest, EachEventCountsInTheWindowOfItsEventTime) {
  PublishEveryOutcome();
  ASSERT_NO_FATAL_FAILURE(AwaitWindow(kT0 + 2 * kMinute, [](const auto& w) { return w.refunded() == 1; }));
  ASSERT_NO_FATAL_FAILURE(AwaitWindow(kT0 + kMinute, [](const auto& w) { return w.latency().count() == 3; }));

  ASSERT_NO_FATAL_FAILURE(ExpectEveryOutcome());

  // Three minutes merged into one window.
  const v1::GetSalesResponse merged = Sales(kT0, kT0 + 3 * kMinute, 3 * kMinute);
  ASSERT_EQ(merged.windows_size(), 1);
  EXPECT_EQ(merged.windows(0).placed(), 3);
  EXPECT_EQ(merged.windows(0).confirmed(), 1);
  EXPECT_EQ(merged.windows(0).refunded(), 1);
  EXPECT_EQ(merged.windows(0).latency().count(), 3);

  v1::TopProductsRequest request;
  *request.mutable_from() = TimeUtil::MillisecondsToTimestamp(kT0);
  *request.mutable_to() = TimeUtil::MillisecondsToTimestamp(kT0 + 3 * kMinute);
  v1::TopProductsResponse top;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->TopProducts(&context, request, &top).ok());
  ASSERT_EQ(top.products_size(), 1);  // only the confirmed order sold anything
  EXPECT_EQ(top.products(0).sku(), "MUG");
  EXPECT_EQ(top.products(0).units(), 2);
  ASSERT_EQ(top.products(0).revenue_size(), 1);
  EXPECT_TRUE(MessageDifferencer::Equals(top.products(0).revenue(0), Eur(1000)));
}

// Under load the consumer hands over a batch in one transaction, whose changes are summed and
// written at its end: they must equal the events' one by one. Here all in one transaction, an order
// placed and ended in it; then placings in one and their endings in the next, with a late event.
TEST_F(AnalyticsTest, EventsOfOneTransactionCountAsTheyWouldOneByOne) {
  const EventRecorder recorder(milliseconds(2 * kMinute), metrics::DefaultRegistry());
  pg::Cluster& cluster = *service_.runtime().cluster;
  const auto record = [&](const std::vector<v1::Envelope>& envelopes) {
    cluster.Transact(cluster.ShardFor(kShardKey), [&](pg::Transaction& tx) {
      for (const v1::Envelope& envelope : envelopes) recorder.Record(tx, envelope);
    });
  };
  record(EveryOutcome());
  ASSERT_NO_FATAL_FAILURE(ExpectEveryOutcome());

  const int64_t t1 = kT0 + 10 * kMinute;
  record({Make("order-d", Placed("order-d", "TEA", 3, 300), t1), Make("order-e", Placed("order-e", "MUG", 1, 500), t1)});
  v1::OrderConfirmed confirmed;
  confirmed.set_order_id("order-d");
  v1::OrderCancelled cancelled;
  cancelled.set_order_id("order-e");
  // order-e's cancellation comes after order-d's confirmation moved the newest event time 4 minutes
  // on: its window (t1's) closed 2 minutes before, so it only counts as dropped.
  record({Make("order-d", confirmed, t1 + 4 * kMinute + 1'000), Make("order-e", cancelled, t1 + 30'000)});
  const v1::SalesWindow placing = Window(t1);
  EXPECT_EQ(placing.placed(), 2);
  EXPECT_EQ(placing.cancelled(), 0);
  EXPECT_EQ(placing.late_dropped(), 1);
  EXPECT_EQ(placing.revision(), 3);
  const v1::SalesWindow ending = Window(t1 + 4 * kMinute);
  EXPECT_EQ(ending.confirmed(), 1);
  ASSERT_EQ(ending.revenue_size(), 1);
  EXPECT_TRUE(MessageDifferencer::Equals(ending.revenue(0), Eur(900)));
  EXPECT_EQ(ending.latency().count(), 1);
  // Neither order is remembered any longer: each ended, one counted and one dropped.
  const int64_t remembered =
      cluster.Transact(cluster.ShardFor(kShardKey), [](pg::Transaction& tx) {
        return tx.Exec("SELECT count(*) FROM placed_orders WHERE order_id IN ('order-d', 'order-e')").One().Int(0);
      });
  EXPECT_EQ(remembered, 0);
}

// Every message delivered again changes nothing. A new refund of each order follows its redelivered
// messages in the order's partition, so once the refunds are counted the redeliveries were handled.
TEST_F(AnalyticsTest, ARedeliveredMessageChangesNoWindow) {
  const std::vector<v1::Envelope> sent = PublishEveryOutcome();
  ASSERT_NO_FATAL_FAILURE(AwaitWindow(kT0 + 2 * kMinute, [](const auto& w) { return w.refunded() == 1; }));
  ASSERT_NO_FATAL_FAILURE(AwaitWindow(kT0 + kMinute, [](const auto& w) { return w.latency().count() == 3; }));
  const v1::GetSalesResponse before = Sales(kT0, kT0 + 2 * kMinute);

  for (const v1::Envelope& envelope : sent) service_.SendEnvelope(messaging::kOrderEvents, envelope);
  for (const std::string order_id : {"order-a", "order-b", "order-c"}) {
    v1::OrderRefunded refunded;
    refunded.set_order_id(order_id);
    *refunded.mutable_amount() = Eur(1);
    Publish(order_id, refunded, kT0 + 140'000);
  }
  ASSERT_NO_FATAL_FAILURE(AwaitWindow(kT0 + 2 * kMinute, [](const auto& w) { return w.refunded() == 4; }));

  const v1::GetSalesResponse after = Sales(kT0, kT0 + 2 * kMinute);
  EXPECT_TRUE(MessageDifferencer::Equals(before, after)) << "before:\n"
                                                         << before.DebugString() << "after:\n"
                                                         << after.DebugString();
  const v1::SalesWindow refunds = Window(kT0 + 2 * kMinute);
  ASSERT_EQ(refunds.refunds_size(), 1);
  EXPECT_EQ(refunds.refunds(0).minor_units(), 503);
}

// Sent one at a time, each counted before the next, so the newest event time is known at each step.
TEST_F(AnalyticsTest, ALateEventCountsInItsWindowWithinTheAllowanceAndIsDroppedBeyondIt) {
  metrics::Counter& dropped =
      metrics::DefaultRegistry()
          .CounterFamily("orderly_analytics_late_events_dropped_total",
                         "order.events that came after their window closed (late_allowance_ms).")
          .Get();
  const uint64_t dropped_before = dropped.Value();
  Publish("late-1", Placed("late-1", "MUG", 1, 500), kT0 + 10 * kMinute);  // newest event time: 10 min
  ASSERT_NO_FATAL_FAILURE(AwaitWindow(kT0 + 10 * kMinute, [](const auto& w) { return w.placed() == 1; }));

  // Its window [8, 9) ends 1 min before the newest event, within the allowance of 2.
  Publish("late-2", Placed("late-2", "TEA", 1, 300), kT0 + 8 * kMinute + 30'000);
  ASSERT_NO_FATAL_FAILURE(AwaitWindow(kT0 + 8 * kMinute, [](const auto& w) { return w.placed() == 1; }));

  // Its window [7, 8) ends exactly the allowance before the newest event: closed.
  Publish("late-3", Placed("late-3", "MUG", 3, 500), kT0 + 7 * kMinute + 59'000);
  ASSERT_NO_FATAL_FAILURE(AwaitWindow(kT0 + 7 * kMinute, [](const auto& w) { return w.late_dropped() == 1; }));
  EXPECT_EQ(Window(kT0 + 7 * kMinute).placed(), 0);
  EXPECT_TRUE(testing::WaitUntil([&] { return dropped.Value() == dropped_before + 1; }));  // counted once committed

  // The dropped placing is still known: the order's confirmation, on time, has its revenue.
  v1::OrderConfirmed confirmed;
  confirmed.set_order_id("late-3");
  Publish("late-3", confirmed, kT0 + 10 * kMinute + 5'000);
  ASSERT_NO_FATAL_FAILURE(AwaitWindow(kT0 + 10 * kMinute, [](const auto& w) { return w.confirmed() == 1; }));
  const v1::SalesWindow ten = Window(kT0 + 10 * kMinute);
  ASSERT_EQ(ten.revenue_size(), 1);
  EXPECT_TRUE(MessageDifferencer::Equals(ten.revenue(0), Eur(1500)));
  EXPECT_EQ(ten.latency().p50_ms(), 131'072);  // 2 min 6 s lies in (110.2 s, 131.072 s]
}

TEST_F(AnalyticsTest, AMessageNoOrderEventGoesToTheDeadLetterTopicAndTheNextOneCounts) {
  v1::StockReserved stray;
  stray.set_order_id("stray-1");
  Publish("stray-1", stray, kT0 + kMinute);
  Publish("stray-1", Placed("stray-1", "MUG", 1, 500), kT0 + kMinute + 1'000);
  ASSERT_NO_FATAL_FAILURE(AwaitWindow(kT0 + kMinute, [](const auto& w) { return w.placed() == 1; }));
  EXPECT_TRUE(service_.Reader(messaging::DeadLetterTopic(messaging::kOrderEvents))
                  .WaitFor("orderly.v1.StockReserved", "stray-1")
                  .has_value());
  EXPECT_EQ(Window(kT0 + kMinute).revision(), 1);  // the stray message changed nothing
}

TEST_F(AnalyticsTest, WatchSalesSendsAWindowAgainEachTimeItChanges) {
  Publish("watch-1", Placed("watch-1", "MUG", 1, 500), kT0 + kMinute);
  v1::WatchSalesRequest request;
  *request.mutable_from() = TimeUtil::MillisecondsToTimestamp(kT0);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto reader = stub_->WatchSales(&context, request);
  v1::WatchSalesResponse update;
  ASSERT_TRUE(reader->Read(&update));
  EXPECT_EQ(TimeUtil::TimestampToMilliseconds(update.window().start()), kT0 + kMinute);
  EXPECT_EQ(update.window().placed(), 1);
  const int64_t revision = update.window().revision();

  Publish("watch-2", Placed("watch-2", "TEA", 2, 300), kT0 + kMinute + 5'000);
  ASSERT_TRUE(reader->Read(&update));
  EXPECT_EQ(TimeUtil::TimestampToMilliseconds(update.window().start()), kT0 + kMinute);
  EXPECT_EQ(update.window().placed(), 2);
  EXPECT_GT(update.window().revision(), revision);
  context.TryCancel();
}

TEST_F(AnalyticsTest, BadRangesGranularitiesAndCountsNameTheirField) {
  const auto sales_error = [&](const std::function<void(v1::GetSalesRequest&)>& change) {
    v1::GetSalesRequest request;
    *request.mutable_from() = TimeUtil::MillisecondsToTimestamp(kT0);
    *request.mutable_to() = TimeUtil::MillisecondsToTimestamp(kT0 + 60 * kMinute);
    change(request);
    v1::GetSalesResponse response;
    grpc::ClientContext context;
    const grpc::Status status = stub_->GetSales(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    return status.error_message();
  };
  EXPECT_EQ(sales_error([](auto& r) { r.clear_from(); }), "from: is required");
  EXPECT_EQ(sales_error([](auto& r) { r.clear_to(); }), "to: is required");
  EXPECT_EQ(sales_error([](auto& r) { *r.mutable_to() = r.from(); }), "to: must be after from");
  EXPECT_EQ(
      sales_error([](auto& r) { *r.mutable_to() = TimeUtil::MillisecondsToTimestamp(kT0 + 32LL * 1440 * kMinute); }),
      "to: must be at most 31 days after from");
  EXPECT_EQ(sales_error([](auto& r) { r.mutable_granularity()->set_seconds(90); }),
            "granularity: must be a positive whole number of minutes");
  EXPECT_EQ(sales_error([](auto& r) { r.mutable_granularity()->set_seconds(-60); }),
            "granularity: must be a positive whole number of minutes");
  EXPECT_EQ(sales_error([](auto& r) {
              *r.mutable_to() = TimeUtil::MillisecondsToTimestamp(kT0 + 2 * 1440 * kMinute);
              r.mutable_granularity()->set_seconds(60);
            }),
            "granularity: gives 2880 windows over [from, to); at most 1440: choose a coarser one");

  v1::TopProductsRequest top;
  *top.mutable_from() = TimeUtil::MillisecondsToTimestamp(kT0);
  *top.mutable_to() = TimeUtil::MillisecondsToTimestamp(kT0 + kMinute);
  top.set_n(1001);
  v1::TopProductsResponse products;
  grpc::ClientContext context;
  const grpc::Status status = stub_->TopProducts(&context, top, &products);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "n: must be in 1..1000, got 1001");
}

TEST_F(AnalyticsTest, WatchingFromMoreThanADayAgoNamesFrom) {
  v1::WatchSalesRequest request;
  *request.mutable_from() =
      TimeUtil::MillisecondsToTimestamp(ToUnixMillis(SystemClock::Instance().Now()) - 2 * 1440 * kMinute);
  grpc::ClientContext context;
  auto reader = stub_->WatchSales(&context, request);
  v1::WatchSalesResponse update;
  EXPECT_FALSE(reader->Read(&update));
  const grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "from: must be at most 1 day ago");
}

TEST_F(AnalyticsTest, OnlyAdminsReadTheShopsFigures) {
  auto customer = testing::TokenStub<v1::AnalyticsService>(
      service_.Address(), std::make_shared<auth::StaticTokenSource>(testing::TestToken("alice", {"orders"})));
  v1::GetSalesRequest request;
  *request.mutable_from() = TimeUtil::MillisecondsToTimestamp(kT0);
  *request.mutable_to() = TimeUtil::MillisecondsToTimestamp(kT0 + kMinute);
  v1::GetSalesResponse response;
  grpc::ClientContext context;
  EXPECT_EQ(customer->GetSales(&context, request, &response).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace orderly::analytics
