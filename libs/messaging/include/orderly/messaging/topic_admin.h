#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "orderly/messaging/consumer.h"
#include "orderly/messaging/settings.h"

namespace orderly::messaging {

/// A position in one partition of a topic.
struct PartitionOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;

  bool operator==(const PartitionOffset&) const = default;
};

/// How far a consumer group has come on one partition.
struct PartitionProgress {
  std::string topic;
  int32_t partition = 0;
  int64_t committed = 0;  // where the group resumes: its committed offset, or the partition's start
  int64_t end = 0;        // the offset the next record will get
};

/// Operator access to topics and consumer groups, outside any group's membership: read a whole
/// topic, see where a group stands, rewind it. Topic and group names are full (prefix applied).
/// Not thread-safe.
class TopicAdmin final {
 public:
  /// @throws orderly::InvalidArgument on bad settings.
  explicit TopicAdmin(const KafkaSettings& settings);
  ~TopicAdmin();
  TopicAdmin(const TopicAdmin&) = delete;
  TopicAdmin& operator=(const TopicAdmin&) = delete;

  /// Every record of `topic` from its start to its end as of the call; none if it does not exist.
  /// @throws orderly::Unavailable if the broker does not answer within `timeout`.
  [[nodiscard]] std::vector<ConsumedMessage> ReadAll(const std::string& topic, std::chrono::milliseconds timeout);

  /// Each partition's end: the offset the next record will get.
  /// @throws orderly::Unavailable if the broker does not answer.
  [[nodiscard]] std::vector<PartitionOffset> EndOffsets(const std::vector<std::string>& topics);

  /// Where `group` will resume on each partition of `topics`: its committed offset, or -1 if none.
  /// @throws orderly::Unavailable if the broker does not answer.
  [[nodiscard]] std::vector<PartitionOffset> CommittedOffsets(const std::string& group,
                                                              const std::vector<std::string>& topics);

  /// The group's progress on every partition of `topics`, as the broker reports it now, whichever
  /// member holds each partition. Asked outside the group's members, so their consumption never
  /// waits for it; repeated calls for one group reuse one connection.
  /// @throws orderly::Unavailable if the broker does not answer.
  [[nodiscard]] std::vector<PartitionProgress> Progress(const std::string& group,
                                                        const std::vector<std::string>& topics);

  /// Records of `topics` that `group` has yet to consume: per partition, its end minus where the
  /// group resumes (its committed offset, or the partition's first offset if it has none).
  /// @throws orderly::Unavailable if the broker does not answer.
  [[nodiscard]] int64_t Lag(const std::string& group, const std::vector<std::string>& topics);

  /// Commits each partition's first offset for `group`, so its consumers re-read everything. It joins
  /// the group to do so and refuses unless it is the only member: stop the group's consumers first
  /// (a live member sees one rebalance). It waits up to four session timeouts for the group to settle,
  /// long enough for a crashed member's session to expire.
  /// @throws orderly::FailedPrecondition if the group has live members (it was given fewer than all
  /// partitions, or joined and the rebalance never finished), orderly::Unavailable if it could not join.
  void Rewind(const std::string& group, const std::vector<std::string>& topics);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::messaging
