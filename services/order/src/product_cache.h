#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "orderly/common/clock.h"
#include "orderly/v1/inventory.pb.h"

namespace orderly::order {

/// Products lately read from inventory, each kept for `ttl`, so a burst of orders for the same SKUs
/// asks inventory once per SKU and ttl instead of once per order line. A price change therefore
/// reaches new orders within `ttl`. Once a product is half its ttl old, one caller may claim to read
/// it again while every order keeps using it, so a busy SKU never expires under its orders. Unknown
/// SKUs are never kept. At most `capacity` products: when full, expired ones go first, then all. A
/// ttl of zero keeps nothing. Thread-safe.
class ProductCache final {
 public:
  ProductCache(std::chrono::milliseconds ttl, size_t capacity, const Clock& clock)
      : ttl_(ttl), capacity_(capacity), clock_(clock) {}
  ProductCache(const ProductCache&) = delete;
  ProductCache& operator=(const ProductCache&) = delete;

  /// The product as read less than ttl ago, if any.
  [[nodiscard]] std::optional<v1::Product> Get(const std::string& sku) const;
  /// Keeps `product` under its sku until ttl from now.
  void Put(const v1::Product& product);
  /// True for the one caller that should read `sku` again now: it is kept, at least half its ttl
  /// old, and nobody claimed it since it was put. It stays served meanwhile.
  [[nodiscard]] bool ClaimRefresh(const std::string& sku);
  /// The claimed read failed: a later caller may claim it again.
  void RefreshFailed(const std::string& sku);
  [[nodiscard]] size_t size() const;

 private:
  struct Entry {
    v1::Product product;
    Clock::TimePoint refresh_at;
    Clock::TimePoint expires_at;
    bool refresh_claimed = false;
  };

  const std::chrono::milliseconds ttl_;
  const size_t capacity_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace orderly::order
