#include "orderly/messaging/consumer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "kafka_conf.h"
#include "kafka_record.h"
#include "orderly/messaging/dead_letters.h"
#include "orderly/messaging/envelope.h"

namespace orderly::messaging {

std::string ConsumedMessage::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

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
  std::thread thread;

  Impl(const KafkaSettings& s, std::string group, Handlers h, Producer& dlq)
      : settings(s), group_id(std::move(group)), handlers(std::move(h)), dead_letters(dlq) {}

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
        return true;
      } catch (const PoisonMessage& e) {
        return SendToDeadLetters(message, e.what(), attempt);
      } catch (const Unavailable& e) {
        spdlog::warn("{}[{}]@{}: dependency unavailable, will retry: {}", message.topic, message.partition,
                     message.offset, e.what());
        --attempt;  // an outage is not the message's fault
        if (!Backoff(1)) return false;
      } catch (const std::exception& e) {
        spdlog::warn("{}[{}]@{}: attempt {}/{} failed: {}", message.topic, message.partition, message.offset, attempt,
                     settings.max_attempts, e.what());
        if (attempt >= settings.max_attempts) return SendToDeadLetters(message, e.what(), attempt);
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

  // Whatever the broker has ready, up to max_batch records; waits up to 100 ms for the first.
  std::vector<ConsumedMessage> Fetch() {
    std::vector<ConsumedMessage> batch;
    while (running && batch.size() < static_cast<size_t>(settings.max_batch)) {
      std::unique_ptr<RdKafka::Message> record(consumer->consume(batch.empty() ? 100 : 0));
      if (record->err() == RdKafka::ERR__TIMED_OUT) {
        if (!batch.empty()) break;
        continue;
      }
      if (record->err() == RdKafka::ERR__PARTITION_EOF) continue;
      if (record->err() != RdKafka::ERR_NO_ERROR) {
        spdlog::warn("kafka consumer {}: {}", group_id, record->errstr());
        if (!batch.empty()) break;
        continue;
      }
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

  // The offsets after the batch's last record of each partition.
  static std::vector<RdKafka::TopicPartition*> NextOffsets(const std::vector<ConsumedMessage>& batch) {
    std::map<std::pair<std::string, int32_t>, int64_t> next;
    for (const auto& message : batch) next[{message.topic, message.partition}] = message.offset + 1;
    std::vector<RdKafka::TopicPartition*> offsets;
    for (const auto& [partition, offset] : next) {
      offsets.push_back(RdKafka::TopicPartition::create(partition.first, partition.second, offset));
    }
    return offsets;
  }

  void Commit(const std::vector<ConsumedMessage>& batch, bool wait) {
    std::vector<RdKafka::TopicPartition*> offsets = NextOffsets(batch);
    const RdKafka::ErrorCode code = wait ? consumer->commitSync(offsets) : consumer->commitAsync(offsets);
    RdKafka::TopicPartition::destroy(offsets);
    // The handlers' effects are recorded in their inboxes; a redelivery is harmless.
    if (code != RdKafka::ERR_NO_ERROR) {
      spdlog::warn("kafka consumer {}: offset commit failed: {}", group_id, RdKafka::err2str(code));
    }
  }

  void Run() {
    std::vector<ConsumedMessage> last;
    while (running) {
      std::vector<ConsumedMessage> batch = Fetch();
      if (batch.empty()) continue;
      if (!ProcessBatch(batch)) break;  // stopping: not committed, so the batch is redelivered
      Commit(batch, false);
      last = std::move(batch);
    }
    if (!last.empty()) Commit(last, true);  // the last commit lands before the consumer leaves its group
  }
};

Consumer::Consumer(const KafkaSettings& settings, std::string group_id, std::vector<std::string> topics,
                   Handlers handlers, Producer& dead_letters)
    : impl_(std::make_unique<Impl>(settings, std::move(group_id), std::move(handlers), dead_letters)) {
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
