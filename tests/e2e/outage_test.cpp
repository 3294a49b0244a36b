// Infrastructure outages during a burst of orders, each on a private stack: the Kafka brokers down
// (all, or one of three), Redis down or flushed, inventory unreachable from the order service.
// Every order that had stock and money ends CONFIRMED; each test prints its figures (FAULT ...).
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "devbroker_process.h"
#include "fault_drill.h"

namespace orderly::testing {
namespace {

constexpr int kOrders = 150;

// A private redis-server on a free port, stopped by its pid.
class RedisServer final {
 public:
  RedisServer() : port_(FreePort()), dir_(std::filesystem::temp_directory_path() / UniqueName("redis")) {
    std::filesystem::create_directories(dir_);
    const CommandResult started =
        RunCommand("redis-server --bind 127.0.0.1 --port " + std::to_string(port_) + " --save '' --appendonly no " +
                   "--daemonize yes --dir " + dir_.string() + " --pidfile " + (dir_ / "redis.pid").string());
    if (started.exit_code != 0) throw std::runtime_error("redis-server: " + started.output);
    if (!WaitUntil([&] { return Cli("PING").output.find("PONG") != std::string::npos; })) {
      throw std::runtime_error("redis-server on port " + std::to_string(port_) + " does not answer");
    }
  }
  ~RedisServer() {
    std::ifstream pid_file(dir_ / "redis.pid");
    pid_t pid = -1;
    if (pid_file >> pid && pid > 0) {
      kill(pid, SIGTERM);
      WaitUntil([&] { return kill(pid, 0) != 0; });
    }
    std::filesystem::remove_all(dir_);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  [[nodiscard]] int port() const { return port_; }
  CommandResult Cli(const std::string& command) const {
    return RunCommand("redis-cli -h 127.0.0.1 -p " + std::to_string(port_) + " " + command);
  }

 private:
  int port_;
  std::filesystem::path dir_;
};

TEST(OutageTest, BrokersDownFor30sMidBurstEveryOrderIsConfirmed) {
  DevbrokerProcess broker;  // private: the shared one stays up for the other tests
  ProcessStack stack({.kafka_brokers = broker.bootstrap()});
  FaultDrill drill(stack, kOrders);
  drill.Run([&] { broker.SetDown(); }, std::chrono::seconds(30), [&] { broker.SetUp(); });
  drill.ExpectEveryOrderConfirmed("kafka brokers down 30 s");
}

TEST(OutageTest, OneBrokerOfThreeDownFor30sMidBurstLeadershipMovesAndEveryOrderIsConfirmed) {
  DevbrokerProcess broker(3);
  ProcessStack stack({.kafka_brokers = broker.bootstrap()});
  FaultDrill drill(stack, kOrders);
  drill.Run([&] { broker.SetBrokerDown(2); }, std::chrono::seconds(30), [&] { broker.SetBrokerUp(2); });
  drill.ExpectEveryOrderConfirmed("one kafka broker of three down 30 s");
}

TEST(OutageTest, RedisDownForTheWholeRunEveryOrderIsConfirmed) {
  ProcessStack stack({.redis_host = "127.0.0.1", .redis_port = FreePort()});  // nothing listens there
  FaultDrill drill(stack, kOrders);
  drill.Run([] {}, std::chrono::seconds(0), [] {});
  drill.ExpectEveryOrderConfirmed("redis down for the whole run");
}

TEST(OutageTest, RedisFlushedMidBurstEveryOrderIsConfirmed) {
  RedisServer redis;
  ProcessStack stack({.redis_host = "127.0.0.1", .redis_port = redis.port()});
  FaultDrill drill(stack, kOrders);
  drill.Run([&] { EXPECT_EQ(redis.Cli("FLUSHALL").exit_code, 0); }, std::chrono::seconds(0), [] {});
  drill.ExpectEveryOrderConfirmed("redis flushed mid-burst");
}

TEST(OutageTest, InventoryDownPlaceOrderFailsFastAndRecoversByItself) {
  ProcessStack stack;
  ShopClient shop(stack.settings().services);
  const std::string sku = UniqueName("SKU");
  shop.AddProduct(sku, 100, 10);
  const std::vector<std::string> customers = shop.FundCustomers(2, 1'000);
  stack.Stop("inventory");
  ShopClient::Attempt refused;
  for (int i = 0; i < 6; ++i) {
    refused = shop.TryPlace(customers[0], sku, 1, "while-down-" + std::to_string(i));
    EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.status.error_message();
  }
  // By now the breaker is open: refused without trying inventory at all.
  EXPECT_NE(refused.status.error_message().find("circuit open"), std::string::npos) << refused.status.error_message();

  stack.Start("inventory");
  ShopClient::Attempt placed;
  EXPECT_TRUE(WaitUntil(
      [&] { return (placed = shop.TryPlace(customers[1], sku, 1, "after-return")).status.ok(); },
      std::chrono::seconds(60)))
      << placed.status.error_message();
  EXPECT_EQ(shop.WaitForTerminal(placed.order_id).status(), v1::ORDER_STATUS_CONFIRMED);
  EXPECT_EQ(shop.Account(customers[0]).available().minor_units(), 1'000);  // the refused orders took nothing
  const CommandResult audit = stack.Ctl("audit");
  EXPECT_EQ(audit.exit_code, 0) << audit.output;
}

}  // namespace
}  // namespace orderly::testing
