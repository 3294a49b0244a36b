#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "orderly/metrics/metric.h"

namespace orderly::metrics {

enum class Type { kCounter, kGauge, kHistogram };

/// What every metric family shares: its name, help text, type and label names.
struct Descriptor {
  std::string name;
  std::string help;
  Type type = Type::kCounter;
  std::vector<std::string> label_names;
};

/// One sample of a callback family: label values in the family's label order, and the value.
struct Sample {
  std::vector<std::string> label_values;
  double value = 0;
};

namespace detail {

/// A family as the registry sees it: something that appends its samples to an exposition.
class FamilyBase {
 public:
  explicit FamilyBase(Descriptor descriptor) : descriptor_(std::move(descriptor)) {}
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  [[nodiscard]] const Descriptor& descriptor() const { return descriptor_; }
  /// Appends the family's sample lines (no HELP/TYPE) to `out`; thread-safe.
  virtual void Collect(std::string& out) const = 0;

 protected:
  /// Checks the number of label values; @throws orderly::InvalidArgument naming the family.
  void CheckLabels(size_t count) const;

 private:
  Descriptor descriptor_;
};

}  // namespace detail

/// The series of one metric, one per combination of label values. Labels() finds or creates a
/// series under a mutex and returns a reference that stays valid as long as the registry: resolve
/// it once (at construction, or per batch) and keep it, so the hot path is only the atomic update.
/// Thread-safe.
template <typename Metric>
class Family final : public detail::FamilyBase {
 public:
  Family(Descriptor descriptor, std::vector<double> bounds)
      : FamilyBase(std::move(descriptor)), bounds_(std::move(bounds)) {}

  /// The series for these label values, in the family's label order.
  /// @throws orderly::InvalidArgument if the number of values is wrong.
  Metric& Labels(std::initializer_list<std::string_view> values) {
    return Labels(std::vector<std::string>(values.begin(), values.end()));
  }
  Metric& Labels(std::vector<std::string> values) {
    CheckLabels(values.size());
    std::lock_guard lock(mutex_);
    auto& slot = series_[std::move(values)];
    if (slot == nullptr) slot = Make();
    return *slot;
  }
  /// The one series of a family without labels.
  Metric& Get() { return Labels(std::vector<std::string>{}); }

  [[nodiscard]] const std::vector<double>& bounds() const { return bounds_; }
  void Collect(std::string& out) const override;

 private:
  std::unique_ptr<Metric> Make() {
    if constexpr (std::is_same_v<Metric, Histogram>) {
      return std::make_unique<Histogram>(bounds_);
    } else {
      return std::make_unique<Metric>();
    }
  }

  const std::vector<double> bounds_;  // histograms only
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> series_ ABSL_GUARDED_BY(mutex_);
};

template <>
void Family<Counter>::Collect(std::string& out) const;
template <>
void Family<Gauge>::Collect(std::string& out) const;
template <>
void Family<Histogram>::Collect(std::string& out) const;

class Registry;

/// Keeps a callback registered; the callback is removed (and no longer called) when the handle is
/// destroyed. Destroy it before anything the callback reads. Movable.
class CallbackHandle final {
 public:
  CallbackHandle() = default;
  CallbackHandle(Registry* registry, std::string name, uint64_t id)
      : registry_(registry), name_(std::move(name)), id_(id) {}
  ~CallbackHandle();
  CallbackHandle(CallbackHandle&& other) noexcept;
  CallbackHandle& operator=(CallbackHandle&& other) noexcept;
  CallbackHandle(const CallbackHandle&) = delete;
  CallbackHandle& operator=(const CallbackHandle&) = delete;

 private:
  Registry* registry_ = nullptr;
  std::string name_;
  uint64_t id_ = 0;
};

/// Metric families by name, and their Prometheus text exposition (format 0.0.4). Registering a name
/// again with the same type, labels (and buckets) returns the same family, so code may register
/// where it uses a metric. Thread-safe.
class Registry final {
 public:
  using Callback = std::function<std::vector<Sample>()>;

  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  /// @throws orderly::InvalidArgument on an invalid name or label name, or a name registered with
  /// another type, labels or buckets. Counter names end in `_total`.
  Family<Counter>& CounterFamily(const std::string& name, const std::string& help,
                                 std::vector<std::string> label_names = {});
  Family<Gauge>& GaugeFamily(const std::string& name, const std::string& help,
                             std::vector<std::string> label_names = {});
  /// `bounds`: increasing, finite bucket upper bounds.
  Family<Histogram>& HistogramFamily(const std::string& name, const std::string& help,
                                     std::vector<std::string> label_names, std::vector<double> bounds);

  /// A counter or gauge family whose samples `callback` computes at every exposition (pool sizes,
  /// lags, /proc figures). Several callbacks may feed one family. The callback runs on the thread
  /// that calls Expose, so it must be thread-safe and quick; an exception from it drops its samples
  /// for that exposition. @throws orderly::InvalidArgument as CounterFamily.
  [[nodiscard]] CallbackHandle AddCallback(Descriptor descriptor, Callback callback);

  /// Every family with at least one sample, sorted by name, in the Prometheus text format.
  [[nodiscard]] std::string Expose() const;

 private:
  friend class CallbackHandle;
  struct Impl;
  void RemoveCallback(const std::string& name, uint64_t id);
  template <typename Metric>
  Family<Metric>& FindOrAdd(Descriptor descriptor, std::vector<double> bounds);
  std::unique_ptr<Impl> impl_;
};

/// The process-wide registry every library records into and each service's /metrics serves.
[[nodiscard]] Registry& DefaultRegistry();

}  // namespace orderly::metrics
