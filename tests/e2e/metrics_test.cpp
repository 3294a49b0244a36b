// Prometheus metrics of a private stack of processes (ProcessStack): every service serves /metrics,
// the exposition passes `promtool check metrics`, and placing one order moves the counters of each
// service that took part in it.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <regex>

#include "process_stack.h"
#include "shop_client.h"

namespace orderly::testing {
namespace {

const std::vector<std::string> kServices = {"inventory", "payment", "order", "orchestrator", "analytics"};

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_ = std::make_unique<ProcessStack>();
    shop_ = std::make_unique<ShopClient>(stack_->settings().services);
  }

  // The service's metrics URL, from its start-up line (metrics_listen defaults to a free port).
  std::string MetricsUrl(const std::string& service) {
    static const std::regex kLine(R"(serving metrics on (http://[0-9.]+:[0-9]+/metrics))");
    std::smatch match;
    const std::string log = stack_->Log(service);
    EXPECT_TRUE(std::regex_search(log, match, kLine)) << service << " logged no metrics endpoint:\n" << log;
    return match.empty() ? "" : match[1].str();
  }

  std::string Scrape(const std::string& service) {
    const CommandResult result = RunCommand("curl -sf " + MetricsUrl(service));
    EXPECT_EQ(result.exit_code, 0) << service << ": " << result.output;
    return result.output;
  }

  // The value of the sample `series` (name and labels exactly as exposed), or 0 if absent.
  static double Value(const std::string& exposition, const std::string& series) {
    const std::string prefix = "\n" + series + " ";
    const auto at = ("\n" + exposition).find(prefix);
    if (at == std::string::npos) return 0;
    return std::stod(exposition.substr(at + prefix.size() - 1));
  }

  std::unique_ptr<ProcessStack> stack_;
  std::unique_ptr<ShopClient> shop_;
};

TEST_F(MetricsTest, EveryServicePassesPromtool) {
  for (const auto& service : kServices) {
    const std::string text = Scrape(service);
    const std::string file = ::testing::TempDir() + "metrics_" + service + ".txt";
    std::ofstream(file) << text;
    const CommandResult check = RunCommand("promtool check metrics < " + file + " 2>&1");
    EXPECT_EQ(check.exit_code, 0) << service << ":\n" << check.output;
    for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                             "process_start_time_seconds", "orderly_pg_pool_connections"}) {
      EXPECT_NE(text.find("\n" + std::string(name)), std::string::npos) << service << " lacks " << name;
    }
  }
}

TEST_F(MetricsTest, PlacingAnOrderMovesEveryServicesCounters) {
  shop_->AddProduct("metrics-mug", 500, 5);
  shop_->Fund("metrics-alice", 10'000);
  std::map<std::string, std::string> before;
  for (const auto& service : kServices) before[service] = Scrape(service);

  const std::string order_id = shop_->Place("metrics-alice", "metrics-mug", 1);
  ASSERT_EQ(shop_->WaitForTerminal(order_id).status(), v1::ORDER_STATUS_CONFIRMED);
  ASSERT_TRUE(WaitUntil([&] { return shop_->Settled(order_id); }, std::chrono::seconds(30)));

  const std::string prefix = stack_->settings().kafka.prefix;
  const auto moved = [&](const std::string& service, const std::string& series, double by) {
    double now = 0;
    WaitUntil([&] { return (now = Value(Scrape(service), series)) >= Value(before[service], series) + by; },
              std::chrono::seconds(10));
    EXPECT_EQ(now, Value(before[service], series) + by) << service << " " << series;
  };
  moved("order", R"(orderly_rpc_server_handled_total{method="orderly.v1.OrderService/PlaceOrder",code="OK"})", 1);
  moved("order", R"(orderly_rpc_server_duration_seconds_count{method="orderly.v1.OrderService/PlaceOrder",code="OK"})",
        1);
  moved("orchestrator", "orderly_sagas_started_total", 1);
  moved("orchestrator", R"(orderly_sagas_ended_total{state="CONFIRMED"})", 1);
  // Stock and payment each get a hold, then its capture or commit.
  moved("inventory", R"(orderly_messages_handled_total{topic=")" + prefix + R"(inventory.commands"})", 2);
  moved("payment", R"(orderly_messages_handled_total{topic=")" + prefix + R"(payment.commands"})", 2);
  moved("order", R"(orderly_messages_handled_total{topic=")" + prefix + R"(order.commands"})", 1);
  // OrderPlaced and OrderConfirmed.
  moved("analytics", R"(orderly_messages_handled_total{topic=")" + prefix + R"(order.events"})", 2);
  const std::string orchestrator = Scrape("orchestrator");
  EXPECT_GE(Value(orchestrator, R"(orderly_saga_step_duration_seconds_count{step="reserve_stock"})"), 1);
  EXPECT_GE(Value(orchestrator, R"(orderly_saga_step_duration_seconds_count{step="authorize_payment"})"), 1);
}

}  // namespace
}  // namespace orderly::testing
