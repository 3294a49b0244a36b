// A burst far over capacity against a private stack whose order service admits few sagas at once:
// what is accepted ends CONFIRMED (stock and money suffice, nothing times out), what is not is
// refused at the door with RESOURCE_EXHAUSTED and a retry delay, creating nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "process_stack.h"
#include "shop_client.h"

namespace orderly::testing {
namespace {

constexpr int kClients = 32;
constexpr int kOrdersPerClient = 40;
constexpr int64_t kMaxPending = 20;

TEST(OverloadTest, BurstOverCapacityConfirmsWhatItAcceptsAndRefusesTheRestWithRetryDelay) {
  ProcessStack stack({.max_pending = kMaxPending});
  ShopClient shop(stack.settings().services);
  const std::string sku = UniqueName("SKU");
  shop.AddProduct(sku, 100, kClients * kOrdersPerClient);
  const std::vector<std::string> customers = shop.FundCustomers(kClients, 100 * kOrdersPerClient);

  std::mutex mutex;
  std::vector<std::string> accepted;
  std::map<grpc::StatusCode, int> failures;
  int refused_with_delay = 0;
  std::vector<std::thread> clients;
  for (const auto& customer : customers) {
    clients.emplace_back([&, customer] {  // as fast as the client can send, one try per order
      for (int i = 0; i < kOrdersPerClient; ++i) {
        const ShopClient::Attempt attempt = shop.TryPlace(customer, sku, 1, "burst-" + std::to_string(i));
        std::lock_guard lock(mutex);
        if (attempt.status.ok()) {
          accepted.push_back(attempt.order_id);
        } else {
          ++failures[attempt.status.error_code()];
          refused_with_delay += attempt.retry_after_ms > 0 ? 1 : 0;
        }
      }
    });
  }
  for (auto& client : clients) client.join();

  const int refused = failures[grpc::StatusCode::RESOURCE_EXHAUSTED];
  EXPECT_EQ(static_cast<int>(accepted.size()) + refused, kClients * kOrdersPerClient);
  EXPECT_GT(refused, 0) << "a burst of " << kClients * kOrdersPerClient << " never hit the limit of " << kMaxPending;
  EXPECT_EQ(refused_with_delay, refused);
  auto outcomes = shop.Outcomes(accepted);
  EXPECT_EQ(outcomes[v1::ORDER_STATUS_CONFIRMED], static_cast<int>(accepted.size()));
  for (const auto& id : accepted) EXPECT_NE(shop.Order(id).reject_reason(), v1::REJECT_REASON_TIMEOUT) << id;

  // A refusal created nothing: only accepted orders were sold and charged.
  const auto sold = static_cast<int64_t>(accepted.size());
  EXPECT_TRUE(WaitUntil([&] { return shop.Stock(sku).committed() == sold; }, std::chrono::seconds(60)));
  EXPECT_EQ(shop.Stock(sku).reserved(), 0);
  int64_t charged = 0;
  for (const auto& customer : customers) {
    EXPECT_TRUE(WaitUntil([&] { return shop.Account(customer).held().minor_units() == 0; })) << customer;
    charged += 100 * kOrdersPerClient - shop.Account(customer).available().minor_units();
  }
  EXPECT_EQ(charged, 100 * sold);
  const CommandResult audit = stack.Ctl("audit");
  EXPECT_EQ(audit.exit_code, 0) << audit.output;
}

}  // namespace
}  // namespace orderly::testing
