#include "orderly/messaging/topic_admin.h"

#include <algorithm>
#include <map>
#include <optional>

#include "kafka_conf.h"
#include "kafka_offsets.h"
#include "kafka_record.h"

namespace orderly::messaging {
namespace {

constexpr int kRequestTimeoutMs = 5000;

using Partitions = std::vector<std::unique_ptr<RdKafka::TopicPartition>>;

std::vector<RdKafka::TopicPartition*> Raw(const Partitions& partitions) {
  std::vector<RdKafka::TopicPartition*> raw;
  for (const auto& partition : partitions) raw.push_back(partition.get());
  return raw;
}

// How many partitions the group gave this member at its last assignment (none yet: nullopt); an
// assignment of fewer than all means other members hold the rest.
struct GroupJoin : RdKafka::RebalanceCb {
  std::optional<size_t> assigned;

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode code,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    if (code == RdKafka::ERR__ASSIGN_PARTITIONS) {
      consumer->assign(partitions);
      assigned = partitions.size();
    } else {
      consumer->unassign();
      assigned.reset();
    }
  }
};

}  // namespace

struct TopicAdmin::Impl {
  KafkaSettings settings;
  std::unique_ptr<RdKafka::KafkaConsumer> reader;  // metadata, watermarks, reads; never commits
  std::map<std::string, std::unique_ptr<RdKafka::KafkaConsumer>> offset_readers;  // by group: OffsetReader

  // A consumer of `group` that reads and commits its offsets; it joins the group only if it subscribes,
  // and then hands each assignment to `rebalance` when given.
  std::unique_ptr<RdKafka::KafkaConsumer> MakeConsumer(const std::string& group,
                                                       RdKafka::RebalanceCb* rebalance = nullptr) const {
    const std::vector<std::pair<std::string, std::string>> properties = {
        {"bootstrap.servers", settings.brokers},
        {"client.id", settings.client_id + "-admin"},
        {"enable.auto.commit", "false"},
        {"enable.partition.eof", "false"},
        {"fetch.wait.max.ms", std::to_string(settings.fetch_wait_max.count())},
        // As the services' members: a broker may size the group's next rebalance wait by it.
        {"session.timeout.ms", std::to_string(settings.session_timeout.count())},
        {"group.id", group},
        {"log_level", "0"},  // every failure surfaces as an exception; no second report on stderr
    };
    auto conf = detail::MakeConf(properties);
    std::string error;
    if (rebalance && conf->set("rebalance_cb", rebalance, error) != RdKafka::Conf::CONF_OK) {
      throw InvalidArgument("kafka.rebalance_cb", error);
    }
    std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), error));
    if (!consumer) throw InvalidArgument("kafka", "cannot create consumer: " + error);
    return consumer;
  }

  // A non-member of `group` that reads its offsets, kept for the next call about that group.
  RdKafka::KafkaConsumer& OffsetReader(const std::string& group) {
    auto& consumer = offset_readers[group];
    if (!consumer) consumer = MakeConsumer(group);
    return *consumer;
  }

  // Where `group` resumes on each partition of `ranges`, in their order: its committed offset or -1.
  std::vector<PartitionOffset> Committed(const std::string& group,
                                         const std::vector<std::pair<PartitionOffset, int64_t>>& ranges) {
    Partitions partitions;
    for (const auto& [first, end] : ranges) {
      partitions.emplace_back(RdKafka::TopicPartition::create(first.topic, first.partition));
    }
    auto raw = Raw(partitions);
    detail::CheckKafka(OffsetReader(group).committed(raw, kRequestTimeoutMs), "committed offsets of " + group);
    std::vector<PartitionOffset> committed;
    for (const auto* partition : raw) {
      committed.push_back({partition->topic(), partition->partition(), std::max<int64_t>(partition->offset(), -1)});
    }
    return committed;
  }

  // [first, end) offsets of every partition of `topics`.
  std::vector<std::pair<PartitionOffset, int64_t>> Ranges(const std::vector<std::string>& topics) {
    std::vector<std::pair<PartitionOffset, int64_t>> ranges;
    for (const auto& topic : topics) {
      const auto marks = detail::Watermarks(*reader, topic, kRequestTimeoutMs);
      for (size_t partition = 0; partition < marks.size(); ++partition) {
        ranges.push_back({{topic, static_cast<int32_t>(partition), marks[partition].first}, marks[partition].second});
      }
    }
    return ranges;
  }
};

TopicAdmin::TopicAdmin(const KafkaSettings& settings) : impl_(std::make_unique<Impl>()) {
  impl_->settings = settings;
  impl_->reader = impl_->MakeConsumer(settings.Group("orderly-admin"));
}

TopicAdmin::~TopicAdmin() {
  for (auto& [group, consumer] : impl_->offset_readers) consumer->close();
  impl_->reader->close();
}

std::vector<ConsumedMessage> TopicAdmin::ReadAll(const std::string& topic, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::map<int32_t, int64_t> remaining_until;  // partition -> its end when the read began
  Partitions assignment;
  for (const auto& [first, end] : impl_->Ranges({topic})) {
    if (first.offset >= end) continue;
    remaining_until[first.partition] = end;
    assignment.emplace_back(RdKafka::TopicPartition::create(topic, first.partition, first.offset));
  }
  std::vector<ConsumedMessage> records;
  if (assignment.empty()) return records;
  detail::CheckKafka(impl_->reader->assign(Raw(assignment)), "assign " + topic);
  while (!remaining_until.empty()) {
    if (std::chrono::steady_clock::now() > deadline) {
      impl_->reader->unassign();
      throw Unavailable("kafka: reading " + topic + " did not finish within " + std::to_string(timeout.count()) +
                        " ms");
    }
    std::unique_ptr<RdKafka::Message> record(impl_->reader->consume(100));
    if (record->err() == RdKafka::ERR__TIMED_OUT) continue;
    detail::CheckKafka(record->err(), "reading " + topic);
    const auto until = remaining_until.find(record->partition());
    if (until == remaining_until.end() || record->offset() >= until->second) continue;
    records.push_back(detail::ToConsumedMessage(*record));
    if (record->offset() + 1 >= until->second) remaining_until.erase(until);
  }
  impl_->reader->unassign();
  return records;
}

std::vector<PartitionOffset> TopicAdmin::EndOffsets(const std::vector<std::string>& topics) {
  std::vector<PartitionOffset> ends;
  for (auto& [first, end] : impl_->Ranges(topics)) ends.push_back({first.topic, first.partition, end});
  return ends;
}

std::vector<PartitionOffset> TopicAdmin::CommittedOffsets(const std::string& group,
                                                          const std::vector<std::string>& topics) {
  return impl_->Committed(group, impl_->Ranges(topics));
}

std::vector<PartitionProgress> TopicAdmin::Progress(const std::string& group, const std::vector<std::string>& topics) {
  const auto ranges = impl_->Ranges(topics);
  const auto committed = impl_->Committed(group, ranges);
  std::vector<PartitionProgress> progress;
  for (size_t i = 0; i < ranges.size(); ++i) {
    const auto& [first, end] = ranges[i];
    progress.push_back({first.topic, first.partition, committed[i].offset >= 0 ? committed[i].offset : first.offset, end});
  }
  return progress;
}

int64_t TopicAdmin::Lag(const std::string& group, const std::vector<std::string>& topics) {
  int64_t lag = 0;
  for (const auto& partition : Progress(group, topics)) lag += std::max<int64_t>(partition.end - partition.committed, 0);
  return lag;
}

// Commits as the group's only member: brokers refuse commits from outside a group that has ever had
// members (the mock cluster) or has members now (Kafka), and being the only one proves none is live.
void TopicAdmin::Rewind(const std::string& group, const std::vector<std::string>& topics) {
  Partitions partitions;
  for (const auto& [first, end] : impl_->Ranges(topics)) {
    partitions.emplace_back(RdKafka::TopicPartition::create(first.topic, first.partition, first.offset));
  }
  if (partitions.empty()) return;
  GroupJoin join;
  const auto consumer = impl_->MakeConsumer(group, &join);
  detail::CheckKafka(consumer->subscribe(topics), "joining " + group);
  // A rebalance waits for every member to rejoin, and a crashed one until its session expires.
  const auto deadline = std::chrono::steady_clock::now() + 4 * impl_->settings.session_timeout;
  while (!join.assigned && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> ignored(consumer->consume(100));  // drives the join; nothing is committed
  }
  const bool joined = join.assigned.has_value() || !consumer->memberid().empty();
  if (join.assigned != partitions.size()) {
    consumer->close();
    if (!joined) throw Unavailable("kafka: could not join consumer group " + group + " to rewind it");
    throw FailedPrecondition("consumer group " + group + " has live members; stop its consumers before rewinding");
  }
  auto raw = Raw(partitions);
  RdKafka::ErrorCode code = consumer->commitSync(raw);
  for (const auto* partition : raw) {
    if (code == RdKafka::ERR_NO_ERROR) code = partition->err();
  }
  consumer->close();
  detail::CheckKafka(code, "rewinding " + group);
}

}  // namespace orderly::messaging
