#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "partition_log.h"

typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;

namespace orderly::devbroker {

/// Moves partition leadership and group coordination off a mock broker taken down alone, as
/// Kafka's controller does; the mock keeps both on a downed broker, so its clients would wait
/// for it. Thread-safe.
class ClusterControl final {
 public:
  /// Brokers 1..`brokers` of `cluster`, all up; `logs` names every partition there is.
  ClusterControl(rd_kafka_mock_cluster_t* cluster, int brokers, LogStore& logs);

  /// Called before a FindCoordinator for `group` reaches the mock: the first time, gives the group
  /// a live coordinator of devbroker's choosing, so a later SetBrokersUp(..., false) knows to move it.
  void OnCoordinatorLookup(std::string_view group);
  /// Takes brokers `ids` (each 1..brokers) down or brings them up. Down, every partition and group
  /// moves to the brokers still up (none move when no broker is left); up, nothing moves back.
  void SetBrokersUp(const std::vector<int>& ids, bool up);

 private:
  int LiveBroker(size_t hash) const;  // requires mutex_; 0 if none is up

  rd_kafka_mock_cluster_t* const cluster_;
  LogStore& logs_;
  std::mutex mutex_;
  std::vector<bool> up_;                              // by broker id - 1
  std::map<std::string, int, std::less<>> groups_;    // group -> its coordinator
};

}  // namespace orderly::devbroker
