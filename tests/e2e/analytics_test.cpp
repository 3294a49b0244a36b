// Sales analytics on a private stack of processes: after a burst with every outcome the windows equal
// a recount from the order tables; a rewind of the analytics consumer group replays order.events and
// changes no window; orderlyctl prints them.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <sstream>

#include "orderly/v1/analytics.grpc.pb.h"
#include "process_stack.h"
#include "shop_client.h"
#include "test_tokens.h"

namespace orderly::testing {
namespace {

using google::protobuf::util::MessageDifferencer;
using google::protobuf::util::TimeUtil;

// What the order tables say: orders by outcome, revenue by currency, units and revenue by SKU.
struct Recount {
  int64_t orders = 0;
  std::map<v1::OrderStatus, int64_t> by_status;
  std::map<v1::RejectReason, int64_t> rejected_by_reason;
  std::map<std::string, int64_t> revenue;
  std::map<std::string, int64_t> units_by_sku;
  std::map<std::string, int64_t> revenue_by_sku;
};

// The sums of a GetSales answer, in the same shape.
Recount Sum(const v1::GetSalesResponse& sales) {
  Recount sum;
  for (const auto& window : sales.windows()) {
    sum.orders += window.placed();
    sum.by_status[v1::ORDER_STATUS_CONFIRMED] += window.confirmed();
    sum.by_status[v1::ORDER_STATUS_REJECTED] += window.rejected();
    sum.by_status[v1::ORDER_STATUS_CANCELLED] += window.cancelled();
    for (const auto& rejection : window.rejections()) sum.rejected_by_reason[rejection.reason()] += rejection.count();
    for (const auto& money : window.revenue()) sum.revenue[money.currency()] += money.minor_units();
  }
  return sum;
}

class AnalyticsE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new ProcessStack();
    shop_ = new ShopClient(stack_->settings().services);
    PlaceEveryOutcome();
  }
  static void TearDownTestSuite() {
    delete shop_;
    delete stack_;
  }

  // Seven confirmed orders over two products, two rejected for stock, two for payment, and one
  // cancelled while its payment step waits (payment is stopped meanwhile).
  static void PlaceEveryOutcome() {
    shop_->AddProduct(mug_, 500, 5);
    shop_->AddProduct(tea_, 300, 20);
    const auto rich = shop_->FundCustomers(5, 100'000);
    const auto poor = shop_->FundCustomers(2, 100);
    std::vector<std::string> ids;
    for (int i = 0; i < 4; ++i) ids.push_back(shop_->Place(rich[i], mug_, 1));
    for (int i = 0; i < 3; ++i) ids.push_back(shop_->Place(rich[i], tea_, i + 1, "tea"));
    ids.push_back(shop_->Place(rich[4], mug_, 50));         // out of stock
    ids.push_back(shop_->Place(rich[4], tea_, 99, "tea"));  // out of stock
    for (const auto& customer : poor) ids.push_back(shop_->Place(customer, tea_, 1));
    for (const auto& id : ids) EXPECT_NE(shop_->WaitForTerminal(id).status(), v1::ORDER_STATUS_PENDING) << id;

    stack_->Stop("payment");
    const std::string cancelled = shop_->Place(rich[4], tea_, 2, "cancel-me");
    ASSERT_TRUE(WaitUntil([&] { return shop_->Stock(tea_).reserved() == 2; }, std::chrono::seconds(30)));
    shop_->Cancel(cancelled);
    EXPECT_EQ(shop_->WaitForTerminal(cancelled).status(), v1::ORDER_STATUS_CANCELLED);
    stack_->Start("payment");
    order_count_ = static_cast<int64_t>(ids.size()) + 1;
  }

  // Every order of the stack's order tables (projection snapshots on each shard), counted.
  static Recount FromOrderTables() {
    Recount recount;
    for (const std::string& output : stack_->QueryShards("SELECT encode(snapshot, 'hex') FROM orders.orders")) {
      std::istringstream lines(output);
      std::string hex;
      while (std::getline(lines, hex)) {
        if (hex.empty()) continue;
        std::string bytes;
        for (size_t i = 0; i + 1 < hex.size(); i += 2) {
          bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
        }
        v1::Order order;
        EXPECT_TRUE(order.ParseFromString(bytes));
        ++recount.orders;
        ++recount.by_status[order.status()];
        if (order.status() == v1::ORDER_STATUS_REJECTED) ++recount.rejected_by_reason[order.reject_reason()];
        if (order.status() != v1::ORDER_STATUS_CONFIRMED) continue;
        recount.revenue[order.total().currency()] += order.total().minor_units();
        for (const auto& line : order.lines()) {
          recount.units_by_sku[line.sku()] += line.quantity();
          recount.revenue_by_sku[line.sku()] += line.quantity() * line.unit_price().minor_units();
        }
      }
    }
    return recount;
  }

  static v1::GetSalesResponse Sales() {
    v1::GetSalesRequest request;
    *request.mutable_from() = TimeUtil::MillisecondsToTimestamp(from_ms_);
    *request.mutable_to() = TimeUtil::MillisecondsToTimestamp(from_ms_ + 2 * 3600 * 1000);
    v1::GetSalesResponse response;
    grpc::ClientContext context;
    const grpc::Status status = Analytics().GetSales(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  static v1::TopProductsResponse Top() {
    v1::TopProductsRequest request;
    *request.mutable_from() = TimeUtil::MillisecondsToTimestamp(from_ms_);
    *request.mutable_to() = TimeUtil::MillisecondsToTimestamp(from_ms_ + 2 * 3600 * 1000);
    request.set_n(1000);
    v1::TopProductsResponse response;
    grpc::ClientContext context;
    const grpc::Status status = Analytics().TopProducts(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  static v1::AnalyticsService::Stub& Analytics() {
    static auto stub = TokenStub<v1::AnalyticsService>(stack_->settings().services.analytics.server.listen);
    return *stub;
  }

  // Waits until analytics has seen every order end.
  static void AwaitEveryOrderCounted() {
    Recount sum;
    ASSERT_TRUE(WaitUntil(
        [&] {
          sum = Sum(Sales());
          return sum.orders == order_count_ && sum.by_status[v1::ORDER_STATUS_CONFIRMED] +
                                                       sum.by_status[v1::ORDER_STATUS_REJECTED] +
                                                       sum.by_status[v1::ORDER_STATUS_CANCELLED] ==
                                                   order_count_;
        },
        std::chrono::seconds(60)))
        << Sales().DebugString();
  }

  static inline ProcessStack* stack_ = nullptr;
  static inline ShopClient* shop_ = nullptr;
  static inline const std::string mug_ = UniqueName("MUG");
  static inline const std::string tea_ = UniqueName("TEA");
  static inline int64_t order_count_ = 0;
  // An hour back from the start: the range, not an assertion, depends on the wall clock.
  static inline const int64_t from_ms_ = ToUnixMillis(SystemClock::Instance().Now()) - 3600 * 1000;
};

TEST_F(AnalyticsE2eTest, WindowsEqualARecountFromTheOrderTables) {
  ASSERT_NO_FATAL_FAILURE(AwaitEveryOrderCounted());
  const Recount tables = FromOrderTables();
  ASSERT_EQ(tables.orders, order_count_);
  EXPECT_EQ(tables.by_status.at(v1::ORDER_STATUS_CONFIRMED), 7);
  EXPECT_EQ(tables.rejected_by_reason.at(v1::REJECT_REASON_OUT_OF_STOCK), 2);
  EXPECT_EQ(tables.rejected_by_reason.at(v1::REJECT_REASON_PAYMENT_DECLINED), 2);
  EXPECT_EQ(tables.by_status.at(v1::ORDER_STATUS_CANCELLED), 1);
  EXPECT_EQ(tables.revenue, (std::map<std::string, int64_t>{{"EUR", 4 * 500 + 6 * 300}}));

  const Recount windows = Sum(Sales());
  EXPECT_EQ(windows.orders, tables.orders);
  EXPECT_EQ(windows.by_status, tables.by_status);
  EXPECT_EQ(windows.rejected_by_reason, tables.rejected_by_reason);
  EXPECT_EQ(windows.revenue, tables.revenue);

  std::map<std::string, int64_t> units, revenue;
  const v1::TopProductsResponse top = Top();
  for (const auto& product : top.products()) {
    units[product.sku()] = product.units();
    ASSERT_EQ(product.revenue_size(), 1) << product.DebugString();
    EXPECT_EQ(product.revenue(0).currency(), "EUR");
    revenue[product.sku()] = product.revenue(0).minor_units();
  }
  EXPECT_EQ(units, tables.units_by_sku);
  EXPECT_EQ(units, (std::map<std::string, int64_t>{{mug_, 4}, {tea_, 6}}));
  EXPECT_EQ(revenue, tables.revenue_by_sku);

  int64_t latencies = 0;
  const v1::GetSalesResponse sales = Sales();
  for (const auto& window : sales.windows()) {
    latencies += window.latency().count();
    if (window.latency().count() > 0) {
      EXPECT_LE(window.latency().p50_ms(), window.latency().p99_ms());
    }
  }
  EXPECT_EQ(latencies, order_count_);  // every order's place -> end
}

TEST_F(AnalyticsE2eTest, OrderlyctlPrintsTheWindowsAndTheTopProducts) {
  ASSERT_NO_FATAL_FAILURE(AwaitEveryOrderCounted());
  const CommandResult sales = stack_->Ctl("analytics sales --last 2h --granularity 10m");
  ASSERT_EQ(sales.exit_code, 0) << sales.output;
  EXPECT_NE(sales.output.find("WINDOW"), std::string::npos) << sales.output;
  EXPECT_NE(sales.output.find("\u2588"), std::string::npos) << sales.output;  // the chart
  EXPECT_NE(sales.output.find(" windows: 12 placed, 7 confirmed, 4 rejected (OUT_OF_STOCK 2, PAYMENT_DECLINED 2), "
                              "1 cancelled, 0 refunded; revenue 38.00 EUR, refunds -; 0 late events dropped"),
            std::string::npos)
      << sales.output;

  const CommandResult json = stack_->Ctl("--json analytics sales --last 1h");
  ASSERT_EQ(json.exit_code, 0) << json.output;
  google::protobuf::Struct document;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.output, &document).ok()) << json.output;
  int64_t placed = 0;  // proto JSON writes int64 as strings and leaves zeros out
  for (const auto& window : document.fields().at("windows").list_value().values()) {
    const auto& fields = window.struct_value().fields();
    if (fields.count("placed")) placed += std::stoll(fields.at("placed").string_value());
  }
  EXPECT_EQ(placed, order_count_);

  const CommandResult top = stack_->Ctl("analytics top --last 1h -n 1");
  ASSERT_EQ(top.exit_code, 0) << top.output;
  EXPECT_NE(top.output.find(tea_ + "  6      18.00 EUR"), std::string::npos) << top.output;
  EXPECT_EQ(top.output.find(mug_), std::string::npos) << top.output;

  const CommandResult bad = stack_->Ctl("analytics sales --last 2d --granularity 1m");
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("granularity: gives"), std::string::npos) << bad.output;
  EXPECT_EQ(stack_->Ctl("analytics top --last 1x").exit_code, 2);
}

// As an operator would after restoring analytics' database: stop it, rewind its group, start it. It
// consumes all of order.events again; every window stays as it was, revisions included.
TEST_F(AnalyticsE2eTest, ReplayingOrderEventsAfterARewindChangesNoWindow) {
  ASSERT_NO_FATAL_FAILURE(AwaitEveryOrderCounted());
  const v1::GetSalesResponse before = Sales();
  const v1::TopProductsResponse top_before = Top();

  stack_->Stop("analytics");
  const CommandResult rewind = stack_->Ctl("groups rewind analytics");
  ASSERT_EQ(rewind.exit_code, 0) << rewind.output;
  EXPECT_NE(rewind.output.find("will consume"), std::string::npos) << rewind.output;
  EXPECT_EQ(rewind.output.find("consume 0 messages"), std::string::npos) << rewind.output;
  stack_->Start("analytics");
  CommandResult groups;
  EXPECT_TRUE(WaitUntil(
      [&] {
        groups = stack_->Ctl("--json groups list");
        google::protobuf::Struct listed;
        if (!google::protobuf::util::JsonStringToMessage(groups.output, &listed).ok()) return false;
        for (const auto& group : listed.fields().at("groups").list_value().values()) {
          const auto& fields = group.struct_value().fields();
          if (fields.at("service").string_value() == "analytics") return fields.at("lag").number_value() == 0;
        }
        return false;
      },
      std::chrono::seconds(90)))
      << "analytics did not consume order.events again:\n"
      << groups.output;

  const v1::GetSalesResponse after = Sales();
  EXPECT_TRUE(MessageDifferencer::Equals(before, after)) << "before:\n"
                                                         << before.DebugString() << "after:\n"
                                                         << after.DebugString();
  EXPECT_TRUE(MessageDifferencer::Equals(top_before, Top()));
}

}  // namespace
}  // namespace orderly::testing
