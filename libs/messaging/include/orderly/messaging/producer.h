#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "orderly/messaging/settings.h"

namespace orderly::messaging {

/// One record to publish.
struct OutgoingMessage {
  std::string topic;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// The broker's verdict on one record.
struct DeliveryResult {
  bool delivered = false;
  std::string error;  // empty when delivered
};

/// An idempotent Kafka producer (acks=all, no duplicates from internal retries, per-partition order
/// kept). A background thread serves delivery reports. Thread-safe.
class Producer final {
 public:
  /// @throws orderly::InvalidArgument on a bad librdkafka setting.
  explicit Producer(const KafkaSettings& settings);
  /// Flushes for up to delivery_timeout, then stops.
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  /// Called once per record with its index in the published vector and the broker's verdict.
  using OnDelivery = std::function<void(size_t index, const DeliveryResult& result)>;

  /// Queues `messages` in order and returns; `on_delivery` runs once per record, on the producer's
  /// thread, within delivery_timeout (or on this thread for a record that could not be queued). Of
  /// two calls, the earlier one's records go first on every partition. Blocks only while the local
  /// queue is full.
  void Publish(const std::vector<OutgoingMessage>& messages, OnDelivery on_delivery);

  /// Publishes `messages` in order and blocks until the broker acknowledged or rejected each, which
  /// takes at most delivery_timeout (records not acknowledged by then fail). Results match `messages`.
  [[nodiscard]] std::vector<DeliveryResult> PublishBatch(const std::vector<OutgoingMessage>& messages);

  /// Waits up to `timeout` for queued records; false if some remain.
  bool Flush(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::messaging
