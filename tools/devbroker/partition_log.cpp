#include "partition_log.h"

#include <iterator>

#include "wire.h"

namespace orderly::devbroker {
namespace {

// Fields of a v2 RecordBatch header: BaseOffset at 0, Magic at 16, RecordCount at 57.
constexpr size_t kMagicAt = 16;
constexpr size_t kRecordCountAt = 57;
constexpr size_t kBatchHeaderSize = 61;

}  // namespace

void Waiter::Wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  woken_cv_.notify_one();
}

bool Waiter::WaitUntil(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  const bool woken = woken_cv_.wait_until(lock, deadline, [&] { return woken_; });
  woken_ = false;
  return woken;
}

void PartitionLog::Append(int64_t base, std::string records) {
  if (base < 0 || records.size() < kBatchHeaderSize || records[kMagicAt] != 2) return;
  WireReader header(std::string_view(records).substr(kRecordCountAt, 4));
  const int32_t count = header.Int32();
  if (count < 1) return;
  PatchInt64(records, 0, base);
  std::lock_guard lock(mutex_);
  bytes_ += records.size();
  batches_.emplace(base, Batch{count, std::move(records)});
  for (auto next = batches_.find(end_); next != batches_.end(); next = batches_.find(end_)) {
    end_ = next->first + next->second.count;
  }
  // Retention: the oldest batches go, but never the last one before the end.
  while (bytes_ > retention_bytes_ && batches_.size() > 1 && std::next(batches_.begin())->first < end_) {
    bytes_ -= batches_.begin()->second.records.size();
    batches_.erase(batches_.begin());
    start_ = batches_.begin()->first;
  }
  for (Waiter* waiter : waiters_) waiter->Wake();
}

LogOffsets PartitionLog::offsets() const {
  std::lock_guard lock(mutex_);
  return {start_, end_};
}

bool PartitionLog::Read(int64_t offset, size_t max_bytes, std::string* records, LogOffsets* at) const {
  std::lock_guard lock(mutex_);
  *at = {start_, end_};
  records->clear();
  if (offset < start_ || offset > end_) return false;
  if (offset == end_) return true;
  auto batch = batches_.upper_bound(offset);
  --batch;  // the batch holding `offset`: it exists, since start_ <= offset < end_
  for (; batch != batches_.end() && batch->first < end_; ++batch) {
    if (!records->empty() && records->size() + batch->second.records.size() > max_bytes) break;
    records->append(batch->second.records);
  }
  return true;
}

void PartitionLog::AddWaiter(Waiter* waiter) {
  std::lock_guard lock(mutex_);
  waiters_.insert(waiter);
}

void PartitionLog::RemoveWaiter(Waiter* waiter) {
  std::lock_guard lock(mutex_);
  waiters_.erase(waiter);
}

PartitionLog& LogStore::Get(std::string_view topic, int32_t partition) {
  if (PartitionLog* log = Find(topic, partition)) return *log;
  std::unique_lock lock(mutex_);
  auto& log = logs_[{std::string(topic), partition}];
  if (log == nullptr) log = std::make_unique<PartitionLog>(retention_bytes_);
  return *log;
}

PartitionLog* LogStore::Find(std::string_view topic, int32_t partition) {
  std::shared_lock lock(mutex_);
  const auto found = logs_.find(std::make_pair(std::string(topic), partition));
  return found == logs_.end() ? nullptr : found->second.get();
}

std::vector<std::pair<std::string, int32_t>> LogStore::Partitions() {
  std::shared_lock lock(mutex_);
  std::vector<std::pair<std::string, int32_t>> partitions;
  for (const auto& entry : logs_) partitions.push_back(entry.first);
  return partitions;
}

}  // namespace orderly::devbroker
