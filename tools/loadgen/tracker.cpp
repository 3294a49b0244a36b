#include "tracker.h"

#include "orderly/messaging/envelope.h"
#include "orderly/messaging/topics.h"

namespace orderly::loadgen {
namespace {

constexpr auto kEarlyKept = std::chrono::seconds(60);
constexpr auto kPollWait = std::chrono::milliseconds(50);

}  // namespace

Tracker::Tracker(const messaging::KafkaSettings& kafka, Stats& stats)
    : stats_(stats),
      tail_(std::make_unique<messaging::TopicTail>(kafka, kafka.Topic(messaging::kOrderEvents))),
      thread_([this] { Loop(); }) {}

Tracker::~Tracker() {
  stop_ = true;
  thread_.join();
}

void Tracker::Accepted(const std::string& order_id, Expected expected, Clock::time_point intended) {
  std::lock_guard lock(mutex_);
  pending_[order_id] = {expected, intended};
  const auto early = early_.find(order_id);
  if (early == early_.end()) return;
  Handle(early->second.terminal, early->second.seen);
  early_.erase(early);  // its early_by_time_ entry expires with the others
}

void Tracker::Loop() {
  while (!stop_) {
    std::vector<messaging::ConsumedMessage> records;
    try {
      records = tail_->Poll(kPollWait);
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      error_ = e.what();
      return;
    }
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    for (const auto& record : records) {
      try {
        if (const auto terminal = TerminalOf(messaging::Decode(record.value))) Handle(*terminal, now);
      } catch (const messaging::PoisonMessage&) {
        ++undecodable_;
      }
    }
    ForgetOldEarly(now);
  }
}

void Tracker::Handle(const Terminal& terminal, Clock::time_point seen) {
  const auto pending = pending_.find(terminal.order_id);
  if (pending == pending_.end()) {
    if (early_.emplace(terminal.order_id, Early{terminal, seen}).second) {
      early_by_time_.emplace(seen, terminal.order_id);
    }
    return;
  }
  stats_.RecordTerminal(pending->second.expected, terminal, seen - pending->second.intended);
  pending_.erase(pending);
  last_terminal_ = seen;
}

void Tracker::ForgetOldEarly(Clock::time_point now) {
  while (!early_by_time_.empty() && early_by_time_.begin()->first < now - kEarlyKept) {
    early_.erase(early_by_time_.begin()->second);
    early_by_time_.erase(early_by_time_.begin());
  }
}

size_t Tracker::backlog() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

std::optional<Clock::time_point> Tracker::last_terminal() const {
  std::lock_guard lock(mutex_);
  return last_terminal_;
}

std::string Tracker::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

}  // namespace orderly::loadgen
