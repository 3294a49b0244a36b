#include "cluster_control.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <functional>

namespace orderly::devbroker {

ClusterControl::ClusterControl(rd_kafka_mock_cluster_t* cluster, int brokers, LogStore& logs)
    : cluster_(cluster), logs_(logs), up_(static_cast<size_t>(brokers), true) {}

int ClusterControl::LiveBroker(size_t hash) const {
  std::vector<int> live;
  for (size_t i = 0; i < up_.size(); ++i) {
    if (up_[i]) live.push_back(static_cast<int>(i) + 1);
  }
  return live.empty() ? 0 : live[hash % live.size()];
}

void ClusterControl::OnCoordinatorLookup(std::string_view group) {
  std::lock_guard lock(mutex_);
  if (groups_.find(group) != groups_.end()) return;
  const int coordinator = LiveBroker(std::hash<std::string_view>{}(group));
  if (coordinator == 0) return;
  groups_.emplace(std::string(group), coordinator);
  rd_kafka_mock_coordinator_set(cluster_, "group", std::string(group).c_str(), coordinator);
}

void ClusterControl::SetBrokersUp(const std::vector<int>& ids, bool up) {
  std::lock_guard lock(mutex_);
  for (int id : ids) up_.at(static_cast<size_t>(id) - 1) = up;
  if (up || LiveBroker(0) == 0) return;
  for (auto& [group, coordinator] : groups_) {
    if (up_[static_cast<size_t>(coordinator) - 1]) continue;
    const int moved = LiveBroker(std::hash<std::string>{}(group));
    coordinator = moved;
    rd_kafka_mock_coordinator_set(cluster_, "group", group.c_str(), moved);
  }
  for (const auto& [topic, partition] : logs_.Partitions()) {
    const int leader = LiveBroker(std::hash<std::string>{}(topic) + static_cast<size_t>(partition));
    rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(), partition, leader);
  }
}

}  // namespace orderly::devbroker
