#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orderly::devbroker {

/// Wakes a fetch that waits for records, when one of the partitions it asked for grows.
/// Thread-safe.
class Waiter final {
 public:
  void Wake();
  /// Waits until woken or `deadline`; true if woken. Clears the wake-up either way.
  bool WaitUntil(std::chrono::steady_clock::time_point deadline);

 private:
  std::mutex mutex_;
  std::condition_variable woken_cv_;
  bool woken_ = false;
};

/// A partition's offsets: records [start, end) are kept.
struct LogOffsets {
  int64_t start = 0;
  int64_t end = 0;
};

/// What appending one produced batch came to: a Kafka error code (0: none) and its base offset.
struct Produced {
  int16_t error = 0;
  int64_t base = -1;
};

/// One partition's records as devbroker serves them to consumers: the record batches producers
/// wrote, indexed by offset (librdkafka's mock walks its whole log for every fetch), from the first
/// batch still kept to the end. Thread-safe.
class PartitionLog final {
 public:
  /// Keeps at most `retention_bytes` of batches (and always the last one).
  explicit PartitionLog(size_t retention_bytes) : retention_bytes_(retention_bytes) {}

  /// Appends `records` (a v2 RecordBatch as produced) at the end and sets its BaseOffset field to
  /// the offset it got. A batch of an idempotent producer (producer id >= 0) must carry its
  /// producer's next sequence, as Kafka checks: one sent again (one of the producer's last five)
  /// gets the offset it got the first time and is not appended twice; one out of sequence gets
  /// OUT_OF_ORDER_SEQUENCE_NUMBER, one of an older epoch INVALID_PRODUCER_EPOCH. What is not a v2
  /// RecordBatch with records gets CORRUPT_MESSAGE.
  [[nodiscard]] Produced Append(std::string records);

  [[nodiscard]] LogOffsets offsets() const;

  /// The batches from the one holding `offset` on, at most `max_bytes` (but always one whole
  /// batch), into `records`. False if `offset` is outside [start, end]; at end, `records` is empty.
  [[nodiscard]] bool Read(int64_t offset, size_t max_bytes, std::string* records, LogOffsets* at) const;

  /// `waiter` is woken by every append until it is removed.
  void AddWaiter(Waiter* waiter);
  void RemoveWaiter(Waiter* waiter);

 private:
  struct Batch {
    int64_t count;
    std::string records;
  };
  struct Producer {
    int16_t epoch = 0;
    int64_t next_sequence = 0;
    std::deque<std::pair<int32_t, int64_t>> recent;  // base sequence and base offset of its last batches
  };

  // The offset a batch of `count` records from `producer_id` gets, or why it gets none; guarded by mutex_.
  Produced Place(int64_t producer_id, int16_t epoch, int32_t sequence, int32_t count);

  const size_t retention_bytes_;
  mutable std::mutex mutex_;
  std::map<int64_t, Batch> batches_;  // by base offset
  std::map<int64_t, Producer> producers_;  // by producer id
  int64_t start_ = 0;
  int64_t end_ = 0;
  size_t bytes_ = 0;
  std::set<Waiter*> waiters_;
};

/// Every partition devbroker serves, by topic and partition: those that metadata answers named
/// and those written to. Thread-safe.
class LogStore final {
 public:
  explicit LogStore(size_t retention_bytes) : retention_bytes_(retention_bytes) {}

  /// The partition's log, made if it is new.
  PartitionLog& Get(std::string_view topic, int32_t partition);
  /// The partition's log; nullptr if no metadata answer named it and nothing was written to it.
  [[nodiscard]] PartitionLog* Find(std::string_view topic, int32_t partition);
  /// Every partition it knows, by topic and number.
  [[nodiscard]] std::vector<std::pair<std::string, int32_t>> Partitions();

 private:
  const size_t retention_bytes_;
  std::shared_mutex mutex_;
  std::map<std::pair<std::string, int32_t>, std::unique_ptr<PartitionLog>, std::less<>> logs_;
};

}  // namespace orderly::devbroker
