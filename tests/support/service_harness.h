#pragma once

#include <grpcpp/channel.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "orderly/app/service_main.h"
#include "orderly/messaging/consumer.h"
#include "orderly/rpc/server.h"
#include "orderly/v1/events.pb.h"

namespace orderly::testing {

class TopicReader;

/// One service running in the test process against the shared test servers, with its own
/// PostgreSQL schema and Kafka topic prefix so parallel tests never see each other's data.
/// Start/Stop may be repeated to restart it.
class ServiceHarness final {
 public:
  /// `kafka_prefix` joins services that must talk (same prefix); by default each harness has its own.
  /// `schema` makes replicas of one service share their data; by default each harness has its own.
  explicit ServiceHarness(app::ServiceDefinition definition, const std::string& kafka_prefix = "",
                          const std::string& schema = "");
  ~ServiceHarness();

  /// Settings the next Start uses; adjust before starting (e.g. a dead Redis port).
  app::PlatformSettings& settings() { return settings_; }
  const std::string& schema() const { return schema_; }

  void Start();
  void Stop();

  [[nodiscard]] std::shared_ptr<grpc::Channel> Channel() const;
  /// host:port the service listens on; the same across restarts, known before the first Start.
  [[nodiscard]] std::string Address() const;
  [[nodiscard]] app::Runtime& runtime() { return *runtime_; }
  /// `topic` with this harness's prefix, e.g. Topic("inventory.commands").
  [[nodiscard]] std::string Topic(std::string_view topic) const { return settings_.kafka.Topic(topic); }

  /// Publishes `payload` in an envelope for `order_id` to `topic` (prefixed) and returns the envelope.
  v1::Envelope Send(std::string_view topic, const std::string& order_id, const google::protobuf::Message& payload);
  /// Publishes raw bytes to `topic` (prefixed).
  void SendRaw(std::string_view topic, const std::string& key, const std::string& value);
  void SendEnvelope(std::string_view topic, const v1::Envelope& envelope);
  /// Everything published on `topic` (prefixed) from its start, read from the first call on.
  TopicReader& Reader(std::string_view topic);

 private:
  app::ServiceDefinition definition_;
  app::PlatformSettings settings_;
  std::string schema_;
  std::string address_;
  std::unique_ptr<app::Runtime> runtime_;
  std::unique_ptr<app::ServiceModule> module_;
  std::unique_ptr<rpc::Server> server_;
  std::unique_ptr<messaging::Producer> test_producer_;
  std::map<std::string, std::unique_ptr<TopicReader>, std::less<>> readers_;
};

/// Collects the envelopes published on one topic, decoded, from the start of the topic.
class TopicReader final {
 public:
  TopicReader(const messaging::KafkaSettings& kafka, const std::string& topic);

  [[nodiscard]] std::vector<v1::Envelope> Received();
  /// Waits until `count` envelopes have arrived; false after the deadline.
  bool WaitFor(size_t count);
  /// Waits for an envelope of `type` about `order_id`; std::nullopt after the deadline.
  [[nodiscard]] std::optional<v1::Envelope> WaitFor(const std::string& type, const std::string& order_id);

 private:
  std::mutex mutex_;
  std::vector<v1::Envelope> received_;
  messaging::Producer dead_letters_;
  messaging::Consumer consumer_;
};

}  // namespace orderly::testing
