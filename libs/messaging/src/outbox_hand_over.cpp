#include "outbox_hand_over.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>

namespace orderly::messaging::detail {
namespace {

enum class LaneState {
  kTaking,     // rows go to the producer at commit
  kLeftToTable,  // a delivery failed: rows wait for the relay to read them from the table
  kResuming,   // the relay is catching up: rows are held, to follow what it publishes
};

// The hand-over attached to each cluster, if any; weak, so a stopped relay's goes with it.
std::mutex& RegistryMutex() {
  static std::mutex mutex;
  return mutex;
}

std::map<const pg::Cluster*, std::weak_ptr<OutboxHandOver>>& Registry() {
  static std::map<const pg::Cluster*, std::weak_ptr<OutboxHandOver>> registry;
  return registry;
}

std::shared_ptr<OutboxHandOver> AttachedTo(const pg::Cluster& cluster) {
  std::lock_guard lock(RegistryMutex());
  const auto found = Registry().find(&cluster);
  return found == Registry().end() ? nullptr : found->second.lock();
}

}  // namespace

struct OutboxHandOver::Lane {
  // Commit order without a lock held across COMMIT (which serialized the process's commits on a
  // shard, each waiting out the last one's flush): each row takes a ticket right before its
  // transaction's COMMIT and goes to the producer in ticket order once committed, or its ticket is
  // dropped. A transaction that saw another's rows committed took its tickets after that one's.
  std::mutex sequence;
  uint64_t next_ticket = 0;   // guarded by sequence
  uint64_t next_to_send = 0;  // the oldest ticket neither sent nor dropped; guarded by sequence
  std::map<uint64_t, std::optional<TicketedRow>> finished;  // out of turn; guarded by sequence
  // Recursive: a held record that cannot even be queued reports its failure from within Resume.
  mutable std::recursive_mutex mutex;
  std::condition_variable_any changed;
  LaneState state = LaneState::kTaking;
  bool detached = false;
  size_t in_flight = 0;
  std::vector<int64_t> delivered;
  std::vector<std::pair<int64_t, OutgoingMessage>> held;  // while resuming
};

namespace {

// A row's place in its lane's commit order; a ticket its transaction did not hand over (rolled
// back, or the commit failed) is dropped when the transaction ends, so later rows are not held up.
struct TicketHold {
  std::shared_ptr<OutboxHandOver> hand_over;  // keeps the lane alive
  size_t shard = 0;
  std::optional<uint64_t> ticket;
  bool finished = false;

  ~TicketHold() {
    if (ticket && !finished) hand_over->Finish(shard, *ticket, std::nullopt);
  }
};

}  // namespace

OutboxHandOver::OutboxHandOver(Producer& producer, size_t shards) : producer_(producer) {
  for (size_t shard = 0; shard < shards; ++shard) lanes_.push_back(std::make_unique<Lane>());
}

OutboxHandOver::~OutboxHandOver() = default;

void OutboxHandOver::Attach(const pg::Cluster& cluster) {
  std::lock_guard lock(RegistryMutex());
  Registry()[&cluster] = weak_from_this();
}

void OutboxHandOver::Detach(const pg::Cluster& cluster, std::chrono::milliseconds timeout) {
  {
    std::lock_guard lock(RegistryMutex());
    const auto found = Registry().find(&cluster);
    if (found != Registry().end() && found->second.lock().get() == this) Registry().erase(found);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto& lane : lanes_) {
    std::unique_lock lock(lane->mutex);
    lane->detached = true;
    if (!lane->changed.wait_until(lock, deadline, [&] { return lane->in_flight == 0; })) {
      spdlog::warn("outbox hand-over: {} records still unacknowledged at stop; the next relay sends them again",
                   lane->in_flight);
    }
  }
}

std::vector<int64_t> OutboxHandOver::TakeDelivered(size_t shard) {
  Lane& lane = *lanes_.at(shard);
  std::lock_guard lock(lane.mutex);
  return std::exchange(lane.delivered, {});
}

bool OutboxHandOver::taking(size_t shard) const {
  const Lane& lane = *lanes_.at(shard);
  std::lock_guard lock(lane.mutex);
  return lane.state == LaneState::kTaking;
}

size_t OutboxHandOver::in_flight(size_t shard) const {
  const Lane& lane = *lanes_.at(shard);
  std::lock_guard lock(lane.mutex);
  return lane.in_flight;
}

void OutboxHandOver::Wait(size_t shard, std::chrono::milliseconds timeout) {
  Lane& lane = *lanes_.at(shard);
  std::unique_lock lock(lane.mutex);
  lane.changed.wait_for(lock, timeout, [&] {
    return interrupted_ || (lane.state == LaneState::kLeftToTable && lane.in_flight == 0);
  });
}

void OutboxHandOver::Interrupt() {
  interrupted_ = true;
  for (auto& lane : lanes_) {
    std::lock_guard lock(lane->mutex);
    lane->changed.notify_all();
  }
}

bool OutboxHandOver::Resume(size_t shard, const std::function<bool()>& catch_up) {
  Lane& lane = *lanes_.at(shard);
  {
    std::lock_guard lock(lane.mutex);
    if (lane.state != LaneState::kLeftToTable) return true;
    lane.state = LaneState::kResuming;
  }
  // Every row whose hand-over was refused committed before the state changed, so the table scan
  // that catch_up starts now sees it; rows committed since are held until that scan published.
  const bool caught_up = catch_up();
  std::lock_guard lock(lane.mutex);
  if (!caught_up || lane.state != LaneState::kResuming) {
    lane.state = LaneState::kLeftToTable;
    lane.held.clear();
    return false;
  }
  lane.state = LaneState::kTaking;
  for (auto& [id, message] : std::exchange(lane.held, {})) {
    ++lane.in_flight;
    Publish(shard, id, std::move(message));
  }
  return true;
}

void OutboxHandOver::AtCommit(pg::Transaction& tx, const pg::Result& inserted, OutgoingMessage message) {
  auto hand_over = AttachedTo(tx.cluster());
  if (hand_over == nullptr) return;
  auto hold = std::make_shared<TicketHold>(TicketHold{hand_over, tx.shard()});
  tx.BeforeCommit([hold] { hold->ticket = hold->hand_over->TakeTicket(hold->shard); });
  tx.AfterCommit([hold, inserted, message = std::move(message)]() mutable {
    hold->finished = true;
    // An insert whose condition failed queued no row, and its ticket passes like a rolled-back one.
    std::optional<TicketedRow> row;
    if (!inserted.empty()) row = TicketedRow{inserted.One().Int(0), std::move(message)};
    hold->hand_over->Finish(hold->shard, *hold->ticket, std::move(row));
  });
}

uint64_t OutboxHandOver::TakeTicket(size_t shard) {
  Lane& lane = *lanes_.at(shard);
  std::lock_guard lock(lane.sequence);
  return lane.next_ticket++;
}

void OutboxHandOver::Finish(size_t shard, uint64_t ticket, std::optional<TicketedRow> row) noexcept {
  Lane& lane = *lanes_.at(shard);
  std::lock_guard lock(lane.sequence);
  lane.finished.emplace(ticket, std::move(row));
  for (auto next = lane.finished.begin(); next != lane.finished.end() && next->first == lane.next_to_send;
       next = lane.finished.erase(next)) {
    ++lane.next_to_send;
    if (!next->second) continue;
    try {
      Send(shard, next->second->id, std::move(next->second->message));
    } catch (const std::exception& e) {  // the row waits in the table for the relay's sweep
      spdlog::warn("outbox shard {}: row {} not handed over ({}); the relay sends it", shard, next->second->id, e.what());
    }
  }
}

void OutboxHandOver::Send(size_t shard, int64_t id, OutgoingMessage message) {
  Lane& lane = *lanes_.at(shard);
  {
    std::lock_guard lock(lane.mutex);
    if (lane.detached || lane.state == LaneState::kLeftToTable) return;  // the row waits in the table
    if (lane.state == LaneState::kResuming) {
      lane.held.emplace_back(id, std::move(message));
      return;
    }
    ++lane.in_flight;
  }
  // Outside the lane's mutex, so a full producer queue never blocks its delivery reports; Finish
  // calls this in commit order, and Resume sent what it held before taking rows.
  Publish(shard, id, std::move(message));
}

void OutboxHandOver::Publish(size_t shard, int64_t id, OutgoingMessage message) {
  producer_.Publish({std::move(message)}, [self = shared_from_this(), shard, id](size_t, const DeliveryResult& result) {
    self->Delivered(shard, id, result);
  });
}

void OutboxHandOver::Delivered(size_t shard, int64_t id, const DeliveryResult& result) {
  Lane& lane = *lanes_[shard];
  std::lock_guard lock(lane.mutex);
  --lane.in_flight;
  if (result.delivered) {
    lane.delivered.push_back(id);
  } else {
    ++failures_;
    if (lane.state != LaneState::kLeftToTable) {
      spdlog::warn("outbox shard {}: a record was not delivered ({}); rows wait for the relay until it caught up",
                   shard, result.error);
    }
    lane.state = LaneState::kLeftToTable;
    lane.held.clear();
  }
  // Only an empty lane that stopped taking rows, or is detaching, ends a wait: waking the relay on
  // every delivery cost a context switch per message.
  if (lane.in_flight == 0 && (lane.state == LaneState::kLeftToTable || lane.detached)) lane.changed.notify_all();
}

uint64_t OutboxHandOver::failures() const { return failures_.load(); }

}  // namespace orderly::messaging::detail
