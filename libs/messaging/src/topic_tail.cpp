#include "orderly/messaging/topic_tail.h"

#include "kafka_conf.h"
#include "kafka_record.h"
#include "orderly/messaging/topic_admin.h"

namespace orderly::messaging {

struct TopicTail::Impl {
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  size_t partitions = 0;
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
  impl_->partitions = ends.size();
}

TopicTail::~TopicTail() { impl_->consumer->close(); }

std::vector<ConsumedMessage> TopicTail::Poll(std::chrono::milliseconds timeout, size_t max_records) {
  std::vector<ConsumedMessage> records;
  int wait_ms = static_cast<int>(timeout.count());
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

size_t TopicTail::partitions() const { return impl_->partitions; }

}  // namespace orderly::messaging
