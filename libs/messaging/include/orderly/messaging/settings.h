#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "orderly/common/config.h"

namespace orderly::messaging {

/// The `kafka` config section.
struct KafkaSettings {
  std::string brokers = "127.0.0.1:9092";
  std::string client_id = "orderly";
  // Prepended to every topic and consumer-group name, so tests or tenants can share one cluster
  // without seeing each other's messages or groups.
  std::string prefix;
  // The broker holds a fetch this long when no data is ready (and answers it as soon as data
  // arrives), so this bounds idle polling, not latency. Kafka's default.
  std::chrono::milliseconds fetch_wait_max{500};
  std::chrono::milliseconds session_timeout{10'000};
  // A consumer commits the offsets of what it handled this often at most (and when it stops); an
  // offset committed later only means more records redelivered, and dropped by the inbox, after a crash.
  std::chrono::milliseconds commit_interval{200};
  // A message not acknowledged within this time fails, and the outbox relay retries it later.
  std::chrono::milliseconds delivery_timeout{10'000};
  std::chrono::milliseconds linger{2};
  int max_attempts = 5;  // handler failures before a message goes to its dead-letter topic
  // Records a consumer hands to its batch handler at once: whatever the broker has ready, up to this.
  int max_batch = 500;
  // After a batch's first record, how long a consumer waits for more before handing it over. Zero
  // (the default) hands over what is ready; a consumer off the saga's path (analytics) waits, so
  // it runs fewer, larger transactions.
  std::chrono::milliseconds batch_linger{0};
  std::chrono::milliseconds retry_backoff{100};
  std::chrono::milliseconds retry_backoff_max{5'000};

  static KafkaSettings Parse(const config::Node& section);

  /// `topic` / `group` with the prefix applied.
  [[nodiscard]] std::string Topic(std::string_view topic) const { return prefix + std::string(topic); }
  [[nodiscard]] std::string Group(std::string_view group) const { return prefix + std::string(group); }
};

/// The `outbox` config section (the relay).
struct OutboxSettings {
  int batch_size = 200;  // rows per read of the table
  // How often the relay reads the table for orphans: rows older than orphan_after that no process
  // handed over at their commit (it crashed first, or runs no relay).
  std::chrono::milliseconds poll_interval{500};
  std::chrono::milliseconds orphan_after{5'000};
  // How often rows delivered at their commit are marked sent, in one transaction per shard; each
  // costs a commit, so every 50 ms made marking a seventh of the saga pipeline's statement time.
  std::chrono::milliseconds mark_interval{200};
  std::chrono::milliseconds failure_backoff{500};
  std::chrono::seconds retention{3600};  // sent rows are deleted after this
  // Inbox rows (message ids already handled) are deleted after this: a redelivery can only come from
  // a topic that still holds the message, so keep it at least the topics' retention (Kafka: 7 days).
  std::chrono::seconds inbox_retention{7 * 86'400};
  std::chrono::milliseconds cleanup_interval{60'000};  // how often each relay deletes what expired

  static OutboxSettings Parse(const config::Node& section);
};

}  // namespace orderly::messaging
