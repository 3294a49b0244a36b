#include "reply_horizon.h"

namespace orderly::orchestrator {
namespace {

// True if `committed` (by partition) is at or past every end in `ends`.
bool Reached(const std::vector<messaging::PartitionProgress>& committed, const std::vector<int64_t>& ends) {
  if (committed.size() < ends.size()) return false;
  for (size_t partition = 0; partition < ends.size(); ++partition) {
    if (committed[partition].committed < ends[partition]) return false;
  }
  return true;
}

}  // namespace

void ReplyHorizon::Refresh() {
  const Clock::TimePoint taken_at = clock_.Now();  // before the query: ends then are at least these
  const std::vector<messaging::PartitionProgress> progress = progress_();
  Snapshot snapshot{taken_at, {}};
  for (const auto& partition : progress) snapshot.ends.push_back(partition.end);
  std::lock_guard lock(mutex_);
  if (pending_.size() >= kMaxSnapshots) pending_.pop_back();
  pending_.push_back(std::move(snapshot));
  while (!pending_.empty() && Reached(progress, pending_.front().ends)) {
    horizon_ = pending_.front().at;
    pending_.pop_front();
  }
}

std::optional<Clock::TimePoint> ReplyHorizon::Get() const {
  std::lock_guard lock(mutex_);
  return horizon_;
}

}  // namespace orderly::orchestrator
