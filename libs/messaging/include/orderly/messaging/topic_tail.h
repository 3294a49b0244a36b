#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "orderly/messaging/consumer.h"
#include "orderly/messaging/settings.h"

namespace orderly::messaging {

/// Follows one topic from its end, outside any consumer group (it assigns partitions, never joins
/// or commits): every record published after construction, in order per partition. For tools that
/// watch what the system publishes, e.g. the load generator waiting for orders to end.
///
/// Not thread-safe: one thread constructs, polls and destroys it.
class TopicTail final {
 public:
  /// Takes the end offset of every partition of `topic` (full name, prefix applied) and starts
  /// reading there: records published before the constructor returns are never returned, every
  /// later one is. Returns once every partition's first fetch was answered (up to 10 s), so a later
  /// record is seen as soon as the broker delivers it, not when the consumer has started.
  /// @throws orderly::InvalidArgument on bad settings, orderly::NotFound if the topic does not
  /// exist, orderly::Unavailable if the broker does not answer (or no fetch is answered in 10 s).
  TopicTail(const KafkaSettings& settings, const std::string& topic);
  ~TopicTail();
  TopicTail(const TopicTail&) = delete;
  TopicTail& operator=(const TopicTail&) = delete;

  /// Records that arrived since the last call, at most `max_records`; blocks up to `timeout` for
  /// the first one and returns the rest that are already fetched. Transient broker errors are
  /// retried by librdkafka and return no records.
  /// @throws orderly::Unavailable on an error the consumer cannot recover from.
  [[nodiscard]] std::vector<ConsumedMessage> Poll(std::chrono::milliseconds timeout, size_t max_records = 1000);

  /// How many partitions are followed.
  [[nodiscard]] size_t partitions() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::messaging
