#pragma once

#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "orderly/auth/token_minter.h"
#include "orderly/rpc/circuit_breaker.h"
#include "orderly/rpc/settings.h"
#include "orderly/v1/inventory.grpc.pb.h"
#include "product_cache.h"

namespace orderly::order {

/// Looks up products in the inventory service: each call has the configured deadline and gRPC's
/// retries; a circuit breaker makes calls fail fast with Unavailable while inventory is down. What
/// inventory answered is kept in `cache` for its ttl, so most order lines need no call at all; a
/// product past half its ttl is read again in the background while orders go on with the kept one,
/// so no order waits for inventory while its SKU keeps selling. Orders that miss the same SKU at
/// once share one call. Thread-safe.
class InventoryPricer final {
 public:
  /// Calls carry a token from `tokens` (scope service) when it is not null.
  InventoryPricer(const rpc::ClientSettings& settings, int breaker_failures, std::chrono::milliseconds breaker_open,
                  std::shared_ptr<auth::TokenSource> tokens, ProductCache& cache);
  /// Waits for the background reads still out (each ends within the deadline).
  ~InventoryPricer();
  InventoryPricer(const InventoryPricer&) = delete;
  InventoryPricer& operator=(const InventoryPricer&) = delete;

  /// @throws NotFound naming `field` for an unknown sku; Unavailable while inventory cannot answer.
  [[nodiscard]] v1::Product Product(const std::string& sku, const std::string& field);

 private:
  struct Refresh;
  // What one call to inventory answered, for every order that waited for it.
  struct Answer {
    grpc::Status status;
    v1::Product product;
  };

  // Calls inventory for `sku`, or waits for the call another order already made.
  Answer Load(const std::string& sku);
  void RefreshInBackground(const std::string& sku);
  // Feeds the circuit breaker: only inventory failing counts, not a request it refused.
  void Record(const grpc::Status& status);

  const rpc::ClientSettings settings_;
  std::unique_ptr<v1::InventoryService::Stub> stub_;
  rpc::CircuitBreaker breaker_;
  ProductCache& cache_;
  std::mutex mutex_;
  std::condition_variable refreshes_done_;
  int refreshes_out_ = 0;  // guarded by mutex_
  std::mutex flights_mutex_;
  std::unordered_map<std::string, std::shared_future<Answer>> flights_;  // by sku, guarded by flights_mutex_
};

}  // namespace orderly::order
