#include "orderly/messaging/consumer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "kafka_conf.h"
#include "kafka_record.h"
#include "orderly/messaging/dead_letters.h"
#include "orderly/messaging/envelope.h"
#include "orderly/metrics/registry.h"

namespace orderly::messaging {

std::string ConsumedMessage::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

// A topic's message counters, resolved once per consumer.
struct TopicCounters {
  metrics::Counter* handled;
  metrics::Counter* retried;
  metrics::Counter* dead_lettered;
};

struct Consumer::Impl {
  KafkaSettings settings;
  std::string group_id;
  Handlers handlers;
  Producer& dead_letters;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::atomic<bool> running{true};
  std::atomic<uint64_t> handled{0};
  std::atomic<uint64_t> dead_lettered{0};
  std::mutex mutex;
  std::condition_variable wake;  // cuts backoff waits short on Stop
  std::map<std::string, TopicCounters, std::less<>> counters;  // by topic; fixed after construction
  metrics::Family<metrics::Gauge>& lag_family;
  std::map<std::string, std::map<int32_t, metrics::Gauge*>, std::less<>> lag;  // consumer thread only
  metrics::Gauge& assigned;
  std::chrono::steady_clock::time_point assignment_read_at;  // consumer thread only
  std::thread thread;

  Impl(const KafkaSettings& s, std::string group, Handlers h, Producer& dlq, const std::vector<std::string>& topics)
      : settings(s),
        group_id(std::move(group)),
        handlers(std::move(h)),
        dead_letters(dlq),
        lag_family(metrics::DefaultRegistry().GaugeFamily(
            "orderly_kafka_consumer_lag", "Records in a partition after the consumer's position, as of its last fetch.",
            {"group", "topic", "partition"})),
        assigned(metrics::DefaultRegistry()
                     .GaugeFamily("orderly_kafka_consumer_assigned_partitions",
                                  "Partitions the group gave this consumer (0 until it joined).", {"group"})
                     .Labels({group_id})) {
    auto& registry = metrics::DefaultRegistry();
    auto& handled_family = registry.CounterFamily("orderly_messages_handled_total",
                                                  "Consumed messages whose handler completed, by topic.", {"topic"});
    auto& retried_family = registry.CounterFamily(
        "orderly_messages_retried_total", "Handler attempts that failed and will be retried, by topic.", {"topic"});
    auto& dead_family = registry.CounterFamily("orderly_messages_dead_lettered_total",
                                               "Consumed messages sent to their dead-letter topic, by topic.", {"topic"});
    for (const auto& topic : topics) {
      counters[topic] = TopicCounters{&handled_family.Labels({topic}), &retried_family.Labels({topic}),
                                      &dead_family.Labels({topic})};
    }
  }

  TopicCounters* CountersOf(std::string_view topic) {
    const auto it = counters.find(topic);
    return it == counters.end() ? nullptr : &it->second;
  }

  // Lag per partition after a batch: the high watermark librdkafka learned with the fetch (no broker
  // round trip) minus the position after the batch.
  void RecordLag(const std::vector<ConsumedMessage>& batch) {
    std::map<std::pair<std::string_view, int32_t>, int64_t> next;
    for (const auto& message : batch) next[{message.topic, message.partition}] = message.offset + 1;
    for (const auto& [partition, offset] : next) {
      int64_t low = 0;
      int64_t high = 0;
      const std::string topic(partition.first);
      if (consumer->get_watermark_offsets(topic, partition.second, &low, &high) != RdKafka::ERR_NO_ERROR) continue;
      auto& gauges = lag[topic];
      auto it = gauges.find(partition.second);
      if (it == gauges.end()) {
        it = gauges.emplace(partition.second, &lag_family.Labels({group_id, topic, std::to_string(partition.second)}))
                 .first;
      }
      it->second->Set(static_cast<double>(std::max<int64_t>(high - offset, 0)));
    }
  }

  // The assignment as librdkafka knows it (no broker round trip), read at most every 100 ms: it shows
  // whether the consumer joined its group, which `scripts/dev up` waits for.
  void RecordAssignment() {
    const auto now = std::chrono::steady_clock::now();
    if (now - assignment_read_at < std::chrono::milliseconds(100)) return;
    assignment_read_at = now;
    std::vector<RdKafka::TopicPartition*> partitions;
    if (consumer->assignment(partitions) != RdKafka::ERR_NO_ERROR) return;
    assigned.Set(static_cast<double>(partitions.size()));
    RdKafka::TopicPartition::destroy(partitions);
  }

  // Waits out a retry backoff; false if the consumer is stopping.
  bool Backoff(int attempt) {
    const auto delay = std::min<std::chrono::milliseconds>(settings.retry_backoff * (1LL << std::min(attempt, 16)),
                                                          settings.retry_backoff_max);
    std::unique_lock lock(mutex);
    return !wake.wait_for(lock, delay, [&] { return !running.load(); });
  }

  // Runs the handler under the retry policy; true when the record is done (handled or dead-lettered).
  bool Process(const ConsumedMessage& message) {
    for (int attempt = 1;; ++attempt) {
      try {
        handlers.one(message);
        ++handled;
        if (TopicCounters* topic = CountersOf(message.topic)) topic->handled->Inc();
        return true;
      } catch (const PoisonMessage& e) {
        return SendToDeadLetters(message, e.what(), attempt);
      } catch (const Unavailable& e) {
        spdlog::warn("{}[{}]@{}: dependency unavailable, will retry: {}", message.topic, message.partition,
                     message.offset, e.what());
        --attempt;  // an outage is not the message's fault
        if (TopicCounters* topic = CountersOf(message.topic)) topic->retried->Inc();
        if (!Backoff(1)) return false;
      } catch (const std::exception& e) {
        spdlog::warn("{}[{}]@{}: attempt {}/{} failed: {}", message.topic, message.partition, message.offset, attempt,
                     settings.max_attempts, e.what());
        if (attempt >= settings.max_attempts) return SendToDeadLetters(message, e.what(), attempt);
        if (TopicCounters* topic = CountersOf(message.topic)) topic->retried->Inc();
        if (!Backoff(attempt)) return false;
      }
    }
  }

  bool SendToDeadLetters(const ConsumedMessage& message, const std::string& error, int attempts) {
    const OutgoingMessage dead = MakeDeadLetter(message, error, attempts);
    for (int attempt = 1; running; ++attempt) {
      const auto result = dead_letters.PublishBatch({dead});
      if (result.front().delivered) {
        ++dead_lettered;
        if (TopicCounters* topic = CountersOf(message.topic)) topic->dead_lettered->Inc();
        spdlog::error("{}[{}]@{} dead-lettered to {}: {}", message.topic, message.partition, message.offset,
                      dead.topic, error);
        return true;
      }
      spdlog::warn("cannot dead-letter {}[{}]@{}: {}", message.topic, message.partition, message.offset,
                   result.front().error);
      if (!Backoff(attempt)) break;
    }
    return false;
  }

  // Up to max_batch records: waits up to 100 ms for the first (returning empty after that), then
  // up to batch_linger for more.
  std::vector<ConsumedMessage> Fetch() {
    std::vector<ConsumedMessage> batch;
    std::chrono::steady_clock::time_point handed_over_at;
    while (running && batch.size() < static_cast<size_t>(settings.max_batch)) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(handed_over_at - std::chrono::steady_clock::now());
      const int wait_ms = batch.empty() ? 100 : static_cast<int>(std::max<int64_t>(left.count(), 0));
      std::unique_ptr<RdKafka::Message> record(consumer->consume(wait_ms));
      if (record->err() == RdKafka::ERR__TIMED_OUT) break;  // an idle consumer returns too: it may owe a commit
      if (record->err() == RdKafka::ERR__PARTITION_EOF) continue;
      if (record->err() != RdKafka::ERR_NO_ERROR) {
        spdlog::warn("kafka consumer {}: {}", group_id, record->errstr());
        if (!batch.empty()) break;
        continue;
      }
      if (batch.empty()) handed_over_at = std::chrono::steady_clock::now() + settings.batch_linger;
      batch.push_back(detail::ToConsumedMessage(*record));
    }
    return batch;
  }

  // The batch handler first, then one at a time what it left; false if stopped before the end.
  bool ProcessBatch(const std::vector<ConsumedMessage>& batch) {
    std::vector<bool> done(batch.size(), false);
    if (handlers.batch) {
      try {
        done = handlers.batch(batch);
        handled += static_cast<uint64_t>(std::count(done.begin(), done.end(), true));
        for (size_t i = 0; i < batch.size(); ++i) {
          if (!done[i]) continue;
          if (TopicCounters* topic = CountersOf(batch[i].topic)) topic->handled->Inc();
        }
      } catch (const std::exception& e) {
        spdlog::warn("kafka consumer {}: batch of {} failed, handling one at a time: {}", group_id, batch.size(),
                     e.what());
        done.assign(batch.size(), false);
      }
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!done[i] && !Process(batch[i])) return false;
    }
    return true;
  }

  // The offset after the last record handled, per partition, not yet committed.
  using Offsets = std::map<std::pair<std::string, int32_t>, int64_t>;

  static void Advance(Offsets& offsets, const std::vector<ConsumedMessage>& batch) {
    for (const auto& message : batch) offsets[{message.topic, message.partition}] = message.offset + 1;
  }

  void Commit(const Offsets& next, bool wait) {
    std::vector<RdKafka::TopicPartition*> offsets;
    for (const auto& [partition, offset] : next) {
      offsets.push_back(RdKafka::TopicPartition::create(partition.first, partition.second, offset));
    }
    const RdKafka::ErrorCode code = wait ? consumer->commitSync(offsets) : consumer->commitAsync(offsets);
    RdKafka::TopicPartition::destroy(offsets);
    // The handlers' effects are recorded in their inboxes; a redelivery is harmless.
    if (code != RdKafka::ERR_NO_ERROR) {
      spdlog::warn("kafka consumer {}: offset commit failed: {}", group_id, RdKafka::err2str(code));
    }
  }

  void Run() {
    Offsets handled_up_to;
    auto committed_at = std::chrono::steady_clock::now();
    while (running) {
      std::vector<ConsumedMessage> batch = Fetch();
      RecordAssignment();
      if (!batch.empty()) {
        if (!ProcessBatch(batch)) break;  // stopping: not committed, so the batch is redelivered
        RecordLag(batch);
        Advance(handled_up_to, batch);
      }
      // Every commit_interval at most: one commit request per batch cost the broker and the
      // consumer as much as the records themselves, and a late commit only means a redelivery.
      const auto now = std::chrono::steady_clock::now();
      if (!handled_up_to.empty() && now - committed_at >= settings.commit_interval) {
        Commit(handled_up_to, false);
        handled_up_to.clear();
        committed_at = now;
      }
    }
    if (!handled_up_to.empty()) Commit(handled_up_to, true);  // lands before the consumer leaves its group
  }
};

Consumer::Consumer(const KafkaSettings& settings, std::string group_id, std::vector<std::string> topics,
                   Handlers handlers, Producer& dead_letters)
    : impl_(std::make_unique<Impl>(settings, std::move(group_id), std::move(handlers), dead_letters, topics)) {
  auto conf = detail::MakeConf({
      {"bootstrap.servers", settings.brokers},
      {"client.id", settings.client_id},
      {"group.id", impl_->group_id},
      {"enable.auto.commit", "false"},
      {"auto.offset.reset", "earliest"},
      {"fetch.wait.max.ms", std::to_string(settings.fetch_wait_max.count())},
      {"session.timeout.ms", std::to_string(settings.session_timeout.count())},
      {"enable.partition.eof", "false"},
      // A consumer may start before the first producer; where the broker allows it, its topics
      // are created rather than waited for until the next metadata refresh.
      {"allow.auto.create.topics", "true"},
  });
  std::string error;
  impl_->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!impl_->consumer) throw InvalidArgument("kafka", "cannot create consumer: " + error);
  const RdKafka::ErrorCode code = impl_->consumer->subscribe(topics);
  if (code != RdKafka::ERR_NO_ERROR) throw InvalidArgument("kafka", "cannot subscribe: " + RdKafka::err2str(code));
  impl_->thread = std::thread([impl = impl_.get()] { impl->Run(); });
}

Consumer::~Consumer() { Stop(); }

void Consumer::Stop() {
  if (!impl_->thread.joinable()) return;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->running = false;
  }
  impl_->wake.notify_all();
  impl_->thread.join();
  impl_->consumer->close();
}

uint64_t Consumer::handled() const { return impl_->handled.load(); }
uint64_t Consumer::dead_lettered() const { return impl_->dead_lettered.load(); }

}  // namespace orderly::messaging
