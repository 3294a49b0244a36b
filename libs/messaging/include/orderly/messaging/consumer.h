#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
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
/// (see MakeInboxHandlers).
using Handler = std::function<void(const ConsumedMessage&)>;

/// Processes records fetched together, in their order, as far as it can in few transactions.
/// Returns one flag per record: true if it is done. A record not done goes through Handler next,
/// one at a time under its retry policy, so a batch handler must leave every later record of the
/// same key undone too (per-key order).
using BatchHandler = std::function<std::vector<bool>(const std::vector<ConsumedMessage>& batch)>;

/// How a consumer processes records: `one` always works; `batch`, when set, is tried first on
/// every batch the consumer fetched.
struct Handlers {
  /// Implicit from any one-at-a-time handler: it alone is a complete way to process records.
  template <typename OneAtATime>
    requires std::is_invocable_v<OneAtATime&, const ConsumedMessage&>
  Handlers(OneAtATime one_at_a_time, BatchHandler batch_handler = nullptr)  // NOLINT(google-explicit-constructor)
      : one(std::move(one_at_a_time)), batch(std::move(batch_handler)) {}
  Handler one;
  BatchHandler batch;
};

/// A Kafka consumer-group member on its own thread (at-least-once). It takes what the broker has
/// ready, up to max_batch records, hands them to the batch handler, then the one-at-a-time handler
/// for what is left, and only then commits the batch's offsets: asynchronously, at most every
/// commit_interval and at stop (a lost or late commit means a redelivery, which the handlers' inboxes
/// make harmless). Records of one key are handled in order.
///
/// Construction subscribes and starts; destruction (or Stop) finishes the batch in hand, leaves the
/// group and joins the thread. Declare it after everything its handler uses. Not thread-safe.
class Consumer final {
 public:
  /// `dead_letters` publishes to `<topic>.dlq`; it must outlive the consumer.
  /// @throws orderly::InvalidArgument on bad settings.
  Consumer(const KafkaSettings& settings, std::string group_id, std::vector<std::string> topics, Handlers handlers,
           Producer& dead_letters);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  /// Stops consuming; idempotent. Blocks until the current batch is finished.
  void Stop();

  /// Records whose handler returned, and records sent to a dead-letter topic; for metrics and tests.
  [[nodiscard]] uint64_t handled() const;
  [[nodiscard]] uint64_t dead_lettered() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::messaging
