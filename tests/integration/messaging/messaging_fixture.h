#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "orderly/messaging/consumer.h"
#include "orderly/messaging/envelope.h"
#include "orderly/messaging/inbox_handler.h"
#include "orderly/messaging/outbox.h"
#include "orderly/messaging/outbox_relay.h"
#include "orderly/pg/cluster.h"

namespace orderly::messaging {

/// A fresh schema with the outbox, the inbox and an `effects` table that handlers write to, so a
/// test can count how often a message took effect.
class MessagingTest : public ::testing::Test {
 protected:
  MessagingTest();

  /// Commits an OrderConfirmed for `order_id` to the outbox of its shard, through `through` (another
  /// process's view of the schema) or cluster_; returns the envelope.
  v1::Envelope WriteOutbox(const std::string& topic, const std::string& order_id, pg::Cluster* through = nullptr);
  /// The message ids the recording handlers took effect for on `order_id`, in the order they did.
  [[nodiscard]] std::vector<std::string> EffectsOf(const std::string& order_id);
  /// An inbox handler that records one effect row per message it processes.
  Handlers RecordingHandler(const std::string& consumer);
  [[nodiscard]] int64_t Effects();
  [[nodiscard]] int64_t UnsentRows();
  [[nodiscard]] std::unique_ptr<Consumer> Consume(const std::string& group, const std::string& topic, Handlers handler);
  /// A producer on kafka_ (created on first use, so a test may point kafka_ elsewhere first).
  Producer& producer();

  std::string schema_;
  pg::Cluster cluster_;
  KafkaSettings kafka_;
  OutboxSettings outbox_;
  ManualClock clock_;
  UuidV7Generator ids_{clock_};
  std::unique_ptr<Producer> producer_;
};

}  // namespace orderly::messaging
