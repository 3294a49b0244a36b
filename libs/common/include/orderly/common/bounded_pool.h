#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace orderly {

/// A pool of at most `max_size` objects (connections), created lazily by `factory`. An object given
/// back broken is destroyed, and a later Acquire creates a fresh one. Thread-safe.
template <typename T>
class BoundedPool final {
 public:
  using Factory = std::function<std::unique_ptr<T>()>;

  /// An object on loan; goes back to the pool when destroyed. Movable, not copyable.
  class Lease final {
   public:
    Lease(BoundedPool* pool, std::unique_ptr<T> object) : pool_(pool), object_(std::move(object)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), object_(std::move(other.object_)), broken_(other.broken_) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->Release(std::move(object_), broken_);
    }
    T& operator*() { return *object_; }
    T* operator->() { return object_.get(); }
    /// The object must not be reused: it broke, or its state is unknown.
    void MarkBroken() { broken_ = true; }

   private:
    BoundedPool* pool_;
    std::unique_ptr<T> object_;
    bool broken_ = false;
  };

  struct Stats {
    size_t open = 0;  // idle + on loan
    size_t idle = 0;
  };

  BoundedPool(size_t max_size, Factory factory) : max_size_(max_size), factory_(std::move(factory)) {}
  BoundedPool(const BoundedPool&) = delete;
  BoundedPool& operator=(const BoundedPool&) = delete;

  /// An idle object, or a new one while fewer than max_size exist; std::nullopt after `timeout`.
  /// Blocks up to `timeout`, plus the factory's time. @throws what the factory throws.
  std::optional<Lease> TryAcquire(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!available_.wait_for(lock, timeout, [&] { return !idle_.empty() || open_ < max_size_; })) return std::nullopt;
    if (!idle_.empty()) {
      auto object = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(object));
    }
    ++open_;
    lock.unlock();
    try {
      return Lease(this, factory_());
    } catch (...) {
      Release(nullptr, true);
      throw;
    }
  }

  [[nodiscard]] Stats GetStats() const {
    std::lock_guard lock(mutex_);
    return Stats{open_, idle_.size()};
  }

 private:
  void Release(std::unique_ptr<T> object, bool broken) {
    std::lock_guard lock(mutex_);
    if (object != nullptr && !broken) {
      idle_.push_back(std::move(object));
    } else {
      --open_;
    }
    available_.notify_one();
  }

  const size_t max_size_;
  const Factory factory_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<T>> idle_;
  size_t open_ = 0;  // idle + on loan + being created
};

}  // namespace orderly
