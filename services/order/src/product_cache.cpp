#include "product_cache.h"

namespace orderly::order {

std::optional<v1::Product> ProductCache::Get(const std::string& sku) const {
  const auto now = clock_.Now();
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(sku);
  if (it == entries_.end() || it->second.expires_at <= now) return std::nullopt;
  return it->second.product;
}

void ProductCache::Put(const v1::Product& product) {
  if (ttl_.count() <= 0 || capacity_ == 0) return;
  const auto now = clock_.Now();
  std::lock_guard lock(mutex_);
  if (entries_.size() >= capacity_ && !entries_.contains(product.sku())) {
    std::erase_if(entries_, [now](const auto& entry) { return entry.second.expires_at <= now; });
    // Still full of live entries: a catalog larger than the cache; start over rather than scan for the oldest.
    if (entries_.size() >= capacity_) entries_.clear();
  }
  entries_.insert_or_assign(product.sku(), Entry{product, now + ttl_ / 2, now + ttl_});
}

bool ProductCache::ClaimRefresh(const std::string& sku) {
  const auto now = clock_.Now();
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(sku);
  if (it == entries_.end() || it->second.refresh_claimed || now < it->second.refresh_at || it->second.expires_at <= now) {
    return false;
  }
  it->second.refresh_claimed = true;
  return true;
}

void ProductCache::RefreshFailed(const std::string& sku) {
  std::lock_guard lock(mutex_);
  if (const auto it = entries_.find(sku); it != entries_.end()) it->second.refresh_claimed = false;
}

size_t ProductCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace orderly::order
