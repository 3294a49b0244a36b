#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "orderly/messaging/producer.h"
#include "orderly/messaging/settings.h"

namespace orderly::messaging {

/// One record as consumed.
struct ConsumedMessage {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;

  /// The value of header `name`, or "" if absent.
  [[nodiscard]] std::string Header(std::string_view name) const;
};

/// Processes one record. Returning means done: the offset is committed next. Throwing
/// PoisonMessage dead-letters the record at once; orderly::Unavailable is retried until it
/// succeeds or the consumer stops; any other exception is retried up to max_attempts times, then
/// the record is dead-lettered. So a record can be handled more than once: handlers are idempotent
/// (see MakeInboxHandler).
using Handler = std::function<void(const ConsumedMessage&)>;

/// A Kafka consumer-group member on its own thread, committing each record's offset only after its
/// handler returned (at-least-once). Records of one partition are handled in order, one at a time.
///
/// Construction subscribes and starts; destruction (or Stop) finishes the record in hand, leaves the
/// group and joins the thread. Declare it after everything its handler uses. Not thread-safe.
class Consumer final {
 public:
  /// `dead_letters` publishes to `<topic>.dlq`; it must outlive the consumer.
  /// @throws orderly::InvalidArgument on bad settings.
  Consumer(const KafkaSettings& settings, std::string group_id, std::vector<std::string> topics, Handler handler,
           Producer& dead_letters);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  /// Stops consuming; idempotent. Blocks until the current record is finished.
  void Stop();

  /// Records whose handler returned, and records sent to a dead-letter topic; for metrics and tests.
  [[nodiscard]] uint64_t handled() const;
  [[nodiscard]] uint64_t dead_lettered() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::messaging
