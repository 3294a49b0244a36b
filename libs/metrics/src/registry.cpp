#include "orderly/metrics/registry.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cmath>

#include "orderly/common/errors.h"
#include "text_format.h"

namespace orderly::metrics {

namespace {

constexpr std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// A counter or gauge whose samples come from callbacks at exposition time.
class CallbackFamily final : public detail::FamilyBase {
 public:
  explicit CallbackFamily(Descriptor descriptor) : FamilyBase(std::move(descriptor)) {}

  void Add(uint64_t id, Registry::Callback callback) {
    std::lock_guard lock(mutex_);
    callbacks_.emplace(id, std::move(callback));
  }
  void Remove(uint64_t id) {
    std::lock_guard lock(mutex_);
    callbacks_.erase(id);
  }

  void Collect(std::string& out) const override {
    const Descriptor& d = descriptor();
    std::lock_guard lock(mutex_);  // held while callbacks run, so a removed callback never runs again
    for (const auto& [id, callback] : callbacks_) {
      std::vector<Sample> samples;
      try {
        samples = callback();
      } catch (const std::exception& e) {
        spdlog::warn("metric {}: callback failed, its samples are left out: {}", d.name, e.what());
        continue;
      }
      for (const Sample& sample : samples) {
        if (sample.label_values.size() != d.label_names.size()) continue;
        detail::AppendSample(out, d.name, d.label_names, sample.label_values, detail::FormatValue(sample.value));
      }
    }
  }

 private:
  mutable std::mutex mutex_;
  std::map<uint64_t, Registry::Callback> callbacks_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace

void detail::FamilyBase::CheckLabels(size_t count) const {
  if (count != descriptor_.label_names.size()) {
    throw InvalidArgument(descriptor_.name, "takes " + std::to_string(descriptor_.label_names.size()) +
                                                " label values, got " + std::to_string(count));
  }
}

template <>
void Family<Counter>::Collect(std::string& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& [labels, counter] : series_) {
    detail::AppendSample(out, descriptor().name, descriptor().label_names, labels, std::to_string(counter->Value()));
  }
}

template <>
void Family<Gauge>::Collect(std::string& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& [labels, gauge] : series_) {
    detail::AppendSample(out, descriptor().name, descriptor().label_names, labels,
                         detail::FormatValue(gauge->Value()));
  }
}

template <>
void Family<Histogram>::Collect(std::string& out) const {
  const std::string& name = descriptor().name;
  const auto& label_names = descriptor().label_names;
  std::lock_guard lock(mutex_);
  for (const auto& [labels, histogram] : series_) {
    const Histogram::Snapshot snapshot = histogram->Read();
    for (size_t i = 0; i < bounds_.size(); ++i) {
      detail::AppendSample(out, name + "_bucket", label_names, labels, std::to_string(snapshot.cumulative[i]), "le",
                           detail::FormatValue(bounds_[i]));
    }
    detail::AppendSample(out, name + "_bucket", label_names, labels, std::to_string(snapshot.count()), "le", "+Inf");
    detail::AppendSample(out, name + "_sum", label_names, labels, detail::FormatValue(snapshot.sum));
    detail::AppendSample(out, name + "_count", label_names, labels, std::to_string(snapshot.count()));
  }
}

CallbackHandle::~CallbackHandle() {
  if (registry_ != nullptr) registry_->RemoveCallback(name_, id_);
}

CallbackHandle::CallbackHandle(CallbackHandle&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), name_(std::move(other.name_)), id_(other.id_) {}

CallbackHandle& CallbackHandle::operator=(CallbackHandle&& other) noexcept {
  if (this != &other) {
    if (registry_ != nullptr) registry_->RemoveCallback(name_, id_);
    registry_ = std::exchange(other.registry_, nullptr);
    name_ = std::move(other.name_);
    id_ = other.id_;
  }
  return *this;
}

struct Registry::Impl {
  mutable std::mutex mutex;
  std::map<std::string, std::unique_ptr<detail::FamilyBase>> families ABSL_GUARDED_BY(mutex);
  std::atomic<uint64_t> next_callback_id{1};
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

namespace {

void Validate(const Descriptor& d, const std::vector<double>& bounds) {
  if (!detail::ValidMetricName(d.name)) {
    throw InvalidArgument(d.name, "not a valid metric name: use [a-zA-Z_:][a-zA-Z0-9_:]*");
  }
  if (d.type == Type::kCounter && !d.name.ends_with("_total")) {
    throw InvalidArgument(d.name, "a counter's name ends in _total");
  }
  for (const auto& label : d.label_names) {
    if (!detail::ValidLabelName(label) || (d.type == Type::kHistogram && label == "le")) {
      throw InvalidArgument(d.name, "label name '" + label + "' is not valid (or reserved)");
    }
  }
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      throw InvalidArgument(d.name, "histogram buckets must be finite and increasing");
    }
  }
}

// Whether an existing family was registered the same way.
template <typename Wanted>
bool SameShape(const detail::FamilyBase& existing, const Descriptor& d, const std::vector<double>& bounds) {
  if (existing.descriptor().type != d.type || existing.descriptor().label_names != d.label_names) return false;
  const auto* typed = dynamic_cast<const Wanted*>(&existing);
  if (typed == nullptr) return false;
  if constexpr (std::is_same_v<Wanted, Family<Histogram>>) return typed->bounds() == bounds;
  return true;
}

}  // namespace

template <typename Metric>
Family<Metric>& Registry::FindOrAdd(Descriptor descriptor, std::vector<double> bounds) {
  Validate(descriptor, bounds);
  std::lock_guard lock(impl_->mutex);
  auto& slot = impl_->families[descriptor.name];
  if (slot == nullptr) {
    slot = std::make_unique<Family<Metric>>(std::move(descriptor), std::move(bounds));
  } else if (!SameShape<Family<Metric>>(*slot, descriptor, bounds)) {
    throw InvalidArgument(descriptor.name, "already registered with another type, labels or buckets");
  }
  return static_cast<Family<Metric>&>(*slot);
}

Family<Counter>& Registry::CounterFamily(const std::string& name, const std::string& help,
                                         std::vector<std::string> label_names) {
  return FindOrAdd<Counter>({name, help, Type::kCounter, std::move(label_names)}, {});
}

Family<Gauge>& Registry::GaugeFamily(const std::string& name, const std::string& help,
                                     std::vector<std::string> label_names) {
  return FindOrAdd<Gauge>({name, help, Type::kGauge, std::move(label_names)}, {});
}

Family<Histogram>& Registry::HistogramFamily(const std::string& name, const std::string& help,
                                             std::vector<std::string> label_names, std::vector<double> bounds) {
  return FindOrAdd<Histogram>({name, help, Type::kHistogram, std::move(label_names)}, std::move(bounds));
}

CallbackHandle Registry::AddCallback(Descriptor descriptor, Callback callback) {
  if (descriptor.type == Type::kHistogram) throw InvalidArgument(descriptor.name, "callbacks feed counters or gauges");
  Validate(descriptor, {});
  const std::string name = descriptor.name;
  const uint64_t id = impl_->next_callback_id++;
  std::lock_guard lock(impl_->mutex);
  auto& slot = impl_->families[name];
  if (slot == nullptr) {
    slot = std::make_unique<CallbackFamily>(std::move(descriptor));
  } else if (!SameShape<CallbackFamily>(*slot, descriptor, {})) {
    throw InvalidArgument(name, "already registered with another type or labels");
  }
  static_cast<CallbackFamily&>(*slot).Add(id, std::move(callback));
  return CallbackHandle(this, name, id);
}

void Registry::RemoveCallback(const std::string& name, uint64_t id) {
  std::lock_guard lock(impl_->mutex);
  const auto it = impl_->families.find(name);
  if (it != impl_->families.end()) static_cast<CallbackFamily&>(*it->second).Remove(id);
}

std::string Registry::Expose() const {
  std::string out;
  std::lock_guard lock(impl_->mutex);
  for (const auto& [name, family] : impl_->families) {
    std::string samples;
    family->Collect(samples);
    if (samples.empty()) continue;
    const Descriptor& d = family->descriptor();
    out += "# HELP " + name + " " + detail::EscapeHelp(d.help) + "\n";
    out += "# TYPE " + name + " " + std::string(TypeName(d.type)) + "\n";
    out += samples;
  }
  return out;
}

Registry& DefaultRegistry() {
  static Registry* registry = new Registry();  // never destroyed: static metrics outlive main()
  return *registry;
}

}  // namespace orderly::metrics
