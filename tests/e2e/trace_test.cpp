// Trace context through a private stack of processes (ProcessStack): one order's saga is one trace
// across the four services' logs, and `orderlyctl orders trace` shows each of its messages.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "process_stack.h"
#include "shop_client.h"

namespace orderly::testing {
namespace {

class TraceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The services inherit it: the consumers' per-message lines are debug lines.
    setenv("ORDERLY_LOG__LEVEL", "debug", 1);
    stack_ = std::make_unique<ProcessStack>();
    unsetenv("ORDERLY_LOG__LEVEL");
    shop_ = std::make_unique<ShopClient>(stack_->settings().services);
    shop_->AddProduct("trace-mug", 500, 5);
    shop_->Fund("trace-alice", 10'000);
    order_id_ = shop_->Place("trace-alice", "trace-mug", 1);
    ASSERT_EQ(shop_->WaitForTerminal(order_id_).status(), v1::ORDER_STATUS_CONFIRMED);
    ASSERT_TRUE(WaitUntil([&] { return shop_->Settled(order_id_); }, std::chrono::seconds(30)));
  }

  // The trace ids of `service`'s log lines about the order (each line with order_id=<it>), and how
  // many such lines lack one.
  std::pair<std::set<std::string>, int> TraceIds(const std::string& service) {
    static const std::regex kTraceId(R"((?:^| )trace_id=([0-9a-f]{32})(?: |$))");
    std::set<std::string> ids;
    int without = 0;
    std::istringstream lines(stack_->Log(service));
    for (std::string line; std::getline(lines, line);) {
      if (line.find("order_id=" + order_id_) == std::string::npos) continue;
      std::smatch match;
      if (std::regex_search(line, match, kTraceId)) {
        ids.insert(match[1].str());
      } else {
        ++without;
      }
    }
    return {ids, without};
  }

  std::unique_ptr<ProcessStack> stack_;
  std::unique_ptr<ShopClient> shop_;
  std::string order_id_;
};

TEST_F(TraceTest, OneOrdersLogLinesShareOneTraceIdOnEveryService) {
  std::set<std::string> all;
  for (const std::string service : {"order", "orchestrator", "inventory", "payment"}) {
    ASSERT_TRUE(WaitUntil([&] { return !TraceIds(service).first.empty(); }, std::chrono::seconds(10)))
        << service << " logged no line about order " << order_id_ << " with a trace id:\n" << stack_->Log(service);
    const auto [ids, without] = TraceIds(service);
    EXPECT_EQ(ids.size(), 1u) << service;
    EXPECT_EQ(without, 0) << service << " logged lines about the order without a trace id";
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(all.size(), 1u) << "the services logged different traces for one order";
}

TEST_F(TraceTest, OrdersTraceShowsEveryStep) {
  const CommandResult trace = stack_->Ctl("orders trace " + order_id_);
  ASSERT_EQ(trace.exit_code, 0) << trace.output;
  const std::string trace_id = *TraceIds("orchestrator").first.begin();
  EXPECT_NE(trace.output.find("order " + order_id_ + "  trace " + trace_id + "\n"), std::string::npos)
      << trace.output;
  // Each message of the saga, with the service that handled it; a command answered by a message shows
  // when and how long.
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"OrderPlaced", "orchestrator"},   {"ReserveStock", "inventory"},  {"AuthorizePayment", "payment"},
      {"StockReserved", "orchestrator"}, {"PaymentAuthorized", "orchestrator"}, {"ConfirmOrder", "order"},
      {"CapturePayment", "payment"},     {"CommitStock", "inventory"},   {"OrderConfirmed", "orchestrator"}};
  for (const auto& [type, service] : expected) {
    const std::regex row(" " + type + " +" + service + " +[0-9-]+ [0-9:.]+ +");
    EXPECT_TRUE(std::regex_search(trace.output, row)) << type << " handled by " << service << " missing:\n"
                                                       << trace.output;
  }
  const std::regex answered(" ReserveStock +inventory +[0-9-]+ [0-9:.]+ +[0-9-]+ [0-9:.]+ +[0-9]+ ms");
  EXPECT_TRUE(std::regex_search(trace.output, answered)) << trace.output;
}

}  // namespace
}  // namespace orderly::testing
