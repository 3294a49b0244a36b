#include "orderly/messaging/topic_tail.h"

#include "kafka_conf.h"
#include "kafka_record.h"
#include "orderly/messaging/topic_admin.h"

#include <chrono>
#include <utility>

namespace orderly::messaging {

namespace {

// How long the constructor waits for the first fetch of every partition.
constexpr auto kReadyWait = std::chrono::seconds(10);

}  // namespace

struct TopicTail::Impl {
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::string topic;
  std::vector<int32_t> partitions;
  std::vector<ConsumedMessage> early;  // consumed while waiting to be ready

  // True once a fetch of every partition was answered (its high watermark is known).
  bool Fetching() const {
    for (int32_t partition : partitions) {
      int64_t low = 0;
      int64_t high = -1;
      if (consumer->get_watermark_offsets(topic, partition, &low, &high) != RdKafka::ERR_NO_ERROR || high < 0) {
        return false;
      }
    }
    return true;
  }
};

TopicTail::TopicTail(const KafkaSettings& settings, const std::string& topic) : impl_(std::make_unique<Impl>()) {
  std::vector<PartitionOffset> ends;
  {
    TopicAdmin admin(settings);
    ends = admin.EndOffsets({topic});
  }
  if (ends.empty()) throw NotFound("kafka: topic " + topic + " does not exist; is the stack up?");
  // librdkafka wants a group id even for a consumer that only assigns; it never joins nor commits.
  auto conf = detail::MakeConf({
      {"bootstrap.servers", settings.brokers},
      {"client.id", settings.client_id + "-tail"},
      {"group.id", settings.Group("orderly-tail")},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "false"},
      {"fetch.wait.max.ms", std::to_string(settings.fetch_wait_max.count())},
      {"log_level", "0"},  // errors surface through Poll
  });
  std::string error;
  impl_->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!impl_->consumer) throw InvalidArgument("kafka", "cannot create consumer: " + error);
  std::vector<RdKafka::TopicPartition*> assignment;
  for (const auto& end : ends) assignment.push_back(RdKafka::TopicPartition::create(topic, end.partition, end.offset));
  const RdKafka::ErrorCode code = impl_->consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  if (code != RdKafka::ERR_NO_ERROR) throw Unavailable("kafka: assign " + topic + ": " + RdKafka::err2str(code));
  impl_->topic = topic;
  for (const auto& end : ends) impl_->partitions.push_back(end.partition);
  // Until the consumer has connected and fetched, a record would be seen only when it catches up,
  // late by its start-up (a second or two): whoever times records from publication to sight (the
  // load generator) starts once it is fetching.
  const auto deadline = std::chrono::steady_clock::now() + kReadyWait;
  while (!impl_->Fetching()) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw Unavailable("kafka: tailing " + topic + ": no fetch answered within 10 s; is the broker up?");
    }
    auto records = Poll(std::chrono::milliseconds(10));
    impl_->early.insert(impl_->early.end(), records.begin(), records.end());
  }
}

TopicTail::~TopicTail() { impl_->consumer->close(); }

std::vector<ConsumedMessage> TopicTail::Poll(std::chrono::milliseconds timeout, size_t max_records) {
  std::vector<ConsumedMessage> records = std::exchange(impl_->early, {});
  int wait_ms = records.empty() ? static_cast<int>(timeout.count()) : 0;
  while (records.size() < max_records) {
    std::unique_ptr<RdKafka::Message> record(impl_->consumer->consume(wait_ms));
    wait_ms = 0;  // only the first record is waited for
    switch (record->err()) {
      case RdKafka::ERR_NO_ERROR:
        records.push_back(detail::ToConsumedMessage(*record));
        continue;
      case RdKafka::ERR__TIMED_OUT:
        return records;
      case RdKafka::ERR__FATAL:
      case RdKafka::ERR__UNKNOWN_TOPIC:
      case RdKafka::ERR_UNKNOWN_TOPIC_OR_PART:
        throw Unavailable("kafka: tailing " + record->topic_name() + ": " + record->errstr());
      default:
        return records;  // transient (e.g. a broker connection lost): librdkafka retries
    }
  }
  return records;
}

size_t TopicTail::partitions() const { return impl_->partitions.size(); }

}  // namespace orderly::messaging
