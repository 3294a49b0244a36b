#include "partition_log.h"

#include "wire.h"

namespace orderly::devbroker {
namespace {

// Fields of a v2 RecordBatch header: BaseOffset at 0, Magic at 16, ProducerId at 43, ProducerEpoch
// at 51, BaseSequence at 53, RecordCount at 57.
constexpr size_t kMagicAt = 16;
constexpr size_t kProducerAt = 43;
constexpr size_t kBatchHeaderSize = 61;
constexpr size_t kProducerBatchesKept = 5;  // as Kafka: a producer has at most five requests in flight
constexpr int64_t kSequenceWrap = int64_t{1} << 31;

constexpr int16_t kCorruptMessage = 2;
constexpr int16_t kOutOfOrderSequence = 45;
constexpr int16_t kInvalidProducerEpoch = 47;

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

Produced PartitionLog::Append(std::string records) {
  if (records.size() < kBatchHeaderSize || records[kMagicAt] != 2) return {kCorruptMessage};
  WireReader header(std::string_view(records).substr(kProducerAt, kBatchHeaderSize - kProducerAt));
  const int64_t producer_id = header.Int64();
  const int16_t epoch = header.Int16();
  const int32_t sequence = header.Int32();
  const int32_t count = header.Int32();
  if (count < 1) return {kCorruptMessage};
  std::lock_guard lock(mutex_);
  const Produced placed = Place(producer_id, epoch, sequence, count);
  if (placed.error != 0 || placed.base < end_) return placed;  // refused, or a batch sent again
  PatchInt64(records, 0, placed.base);
  bytes_ += records.size();
  batches_.emplace(placed.base, Batch{count, std::move(records)});
  end_ = placed.base + count;
  // Retention: the oldest batches go, but never the last one.
  while (bytes_ > retention_bytes_ && batches_.size() > 1) {
    bytes_ -= batches_.begin()->second.records.size();
    batches_.erase(batches_.begin());
    start_ = batches_.begin()->first;
  }
  for (Waiter* waiter : waiters_) waiter->Wake();
  return placed;
}

Produced PartitionLog::Place(int64_t producer_id, int16_t epoch, int32_t sequence, int32_t count) {
  if (producer_id < 0) return {0, end_};
  const auto known = producers_.find(producer_id);
  if (known != producers_.end() && epoch < known->second.epoch) return {kInvalidProducerEpoch};
  if (known != producers_.end() && epoch == known->second.epoch) {
    for (const auto& [sent, base] : known->second.recent) {
      if (sent == sequence) return {0, base};
    }
    if (sequence != known->second.next_sequence) return {kOutOfOrderSequence};
  }
  // A new producer or epoch starts where its first batch says.
  Producer& producer = producers_[producer_id];
  if (producer.epoch != epoch) producer = Producer{epoch};
  producer.next_sequence = (int64_t{sequence} + count) % kSequenceWrap;
  producer.recent.emplace_back(sequence, end_);
  if (producer.recent.size() > kProducerBatchesKept) producer.recent.pop_front();
  return {0, end_};
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
