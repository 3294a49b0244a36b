#include "orderly/messaging/producer.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "kafka_conf.h"

namespace orderly::messaging {
namespace {

// How long the report thread lets delivery reports gather after serving some. Only outbox marking
// and synchronous publishing (dead letters, the relay's catch-up, orderlyctl) wait for reports.
constexpr auto kReportGathering = std::chrono::milliseconds(5);
// How long the report thread waits for a new topic's metadata before leaving it to librdkafka.
constexpr int kMetadataTimeoutMs = 1000;

// One record on its way: whom to tell, and which record of its call it was.
struct Pending {
  std::shared_ptr<const Producer::OnDelivery> on_delivery;
  size_t index;
};

class DeliveryReports final : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    std::unique_ptr<Pending> pending(static_cast<Pending*>(message.msg_opaque()));
    if (pending == nullptr) return;
    DeliveryResult result;
    result.delivered = message.err() == RdKafka::ERR_NO_ERROR;
    if (!result.delivered) result.error = message.errstr();
    (*pending->on_delivery)(pending->index, result);
  }
};

}  // namespace

struct Producer::Impl {
  KafkaSettings settings;
  DeliveryReports reports;
  std::unique_ptr<RdKafka::Producer> producer;
  std::atomic<bool> running{true};
  std::mutex topics_mutex;
  std::set<std::string, std::less<>> topics_seen;  // guarded by topics_mutex
  std::vector<std::string> topics_to_learn;        // guarded by topics_mutex
  std::thread poller;

  // librdkafka asks for a new topic's partitions only at its next scan, once a second, so each
  // topic's first record waited up to a second (every hop of the first orders after a start).
  void Notice(std::string_view topic) {
    {
      std::lock_guard lock(topics_mutex);
      if (topics_seen.contains(topic)) return;
      topics_seen.emplace(topic);
      topics_to_learn.emplace_back(topic);
    }
    producer->yield();  // the report thread asks for it now
  }

  // On the report thread: one metadata round trip per new topic, which also places its waiting records.
  void LearnNewTopics() {
    std::vector<std::string> topics;
    {
      std::lock_guard lock(topics_mutex);
      topics.swap(topics_to_learn);
    }
    for (const auto& name : topics) {
      std::string error;
      const std::unique_ptr<RdKafka::Topic> topic(RdKafka::Topic::create(producer.get(), name, nullptr, error));
      RdKafka::Metadata* metadata = nullptr;
      // A failure (the broker away) leaves the topic to librdkafka's own scan, as before.
      if (topic && producer->metadata(false, topic.get(), &metadata, kMetadataTimeoutMs) == RdKafka::ERR_NO_ERROR) {
        delete metadata;
      }
    }
  }
};

Producer::Producer(const KafkaSettings& settings) : impl_(std::make_unique<Impl>()) {
  impl_->settings = settings;
  auto conf = detail::MakeConf({
      {"bootstrap.servers", settings.brokers},
      {"client.id", settings.client_id},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", std::to_string(settings.linger.count())},
      {"message.timeout.ms", std::to_string(settings.delivery_timeout.count())},
  });
  std::string error;
  if (conf->set("dr_cb", &impl_->reports, error) != RdKafka::Conf::CONF_OK) throw Internal(error);
  impl_->producer.reset(RdKafka::Producer::create(conf.get(), error));
  if (!impl_->producer) throw InvalidArgument("kafka", "cannot create producer: " + error);
  impl_->poller = std::thread([impl = impl_.get()] {
    while (impl->running) {
      impl->LearnNewTopics();
      // After serving reports, let the next ones gather: a wake-up per report cost a context switch
      // per record, and nothing on a saga's path waits for one.
      if (impl->producer->poll(50) > 0) std::this_thread::sleep_for(kReportGathering);
    }
  });
}

Producer::~Producer() {
  if (!Flush(impl_->settings.delivery_timeout)) spdlog::warn("kafka producer stopped with undelivered records");
  impl_->running = false;
  impl_->poller.join();
}

bool Producer::Flush(std::chrono::milliseconds timeout) {
  return impl_->producer->flush(static_cast<int>(timeout.count())) == RdKafka::ERR_NO_ERROR;
}

void Producer::Publish(const std::vector<OutgoingMessage>& messages, OnDelivery on_delivery) {
  const auto shared = std::make_shared<const OnDelivery>(std::move(on_delivery));
  for (size_t i = 0; i < messages.size(); ++i) {
    const auto& message = messages[i];
    impl_->Notice(message.topic);
    RdKafka::Headers* headers = RdKafka::Headers::create();
    for (const auto& [name, value] : message.headers) headers->add(name, value);
    auto pending = std::make_unique<Pending>(Pending{shared, i});
    RdKafka::ErrorCode code;
    for (;;) {
      code = impl_->producer->produce(message.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                      const_cast<char*>(message.value.data()), message.value.size(),
                                      message.key.data(), message.key.size(), 0, headers, pending.get());
      if (code != RdKafka::ERR__QUEUE_FULL) break;
      impl_->producer->poll(10);  // the local queue drains as the broker acknowledges
    }
    if (code == RdKafka::ERR_NO_ERROR) {
      pending.release();  // owned by the delivery report now, as are the headers
    } else {
      delete headers;
      (*shared)(i, DeliveryResult{false, RdKafka::err2str(code)});
    }
  }
}

std::vector<DeliveryResult> Producer::PublishBatch(const std::vector<OutgoingMessage>& messages) {
  struct Batch {
    std::mutex mutex;
    std::condition_variable done;
    std::vector<DeliveryResult> results;
    size_t pending = 0;
  };
  // Shared with the delivery reports, which hold it until the last one ran.
  auto batch = std::make_shared<Batch>();
  batch->results.resize(messages.size());
  batch->pending = messages.size();
  Publish(messages, [batch](size_t index, const DeliveryResult& result) {
    std::lock_guard lock(batch->mutex);
    batch->results[index] = result;
    if (--batch->pending == 0) batch->done.notify_all();
  });
  std::unique_lock lock(batch->mutex);
  batch->done.wait(lock, [&] { return batch->pending == 0; });
  return batch->results;
}

}  // namespace orderly::messaging
