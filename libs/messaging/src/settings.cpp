#include "orderly/messaging/settings.h"

#include <algorithm>

namespace orderly::messaging {
namespace {

std::chrono::milliseconds Millis(const config::Node& section, std::string_view key, std::chrono::milliseconds fallback,
                                 int64_t min, int64_t max) {
  return std::chrono::milliseconds(section.Int(key, fallback.count(), min, max));
}

}  // namespace

KafkaSettings KafkaSettings::Parse(const config::Node& section) {
  KafkaSettings s;
  // A YAML list or one comma-separated string: librdkafka takes the latter.
  const auto brokers = section.StringList("brokers");
  if (!brokers.empty()) {
    s.brokers.clear();
    for (const auto& broker : brokers) s.brokers += (s.brokers.empty() ? "" : ",") + broker;
  }
  for (size_t start = 0; start <= s.brokers.size();) {
    const size_t end = std::min(s.brokers.find(',', start), s.brokers.size());
    const std::string broker = s.brokers.substr(start, end - start);
    const size_t colon = broker.rfind(':');
    if (colon == std::string::npos || colon == 0 || broker.find_first_not_of("0123456789", colon + 1) != std::string::npos ||
        colon + 1 == broker.size()) {
      section.Fail("brokers", "expected host:port entries, got '" + broker + "'");
    }
    start = end + 1;
  }
  s.client_id = section.String("client_id", s.client_id);
  s.prefix = section.String("prefix", s.prefix);
  s.fetch_wait_max = Millis(section, "fetch_wait_max_ms", s.fetch_wait_max, 1, 60'000);
  s.session_timeout = Millis(section, "session_timeout_ms", s.session_timeout, 1'000, 300'000);
  s.commit_interval = Millis(section, "commit_interval_ms", s.commit_interval, 0, 60'000);
  s.delivery_timeout = Millis(section, "delivery_timeout_ms", s.delivery_timeout, 100, 3'600'000);
  s.linger = Millis(section, "linger_ms", s.linger, 0, 10'000);
  s.max_attempts = static_cast<int>(section.Int("max_attempts", s.max_attempts, 1, 1000));
  s.max_batch = static_cast<int>(section.Int("max_batch", s.max_batch, 1, 100'000));
  s.batch_linger = Millis(section, "batch_linger_ms", s.batch_linger, 0, 60'000);
  s.retry_backoff = Millis(section, "retry_backoff_ms", s.retry_backoff, 0, 600'000);
  s.retry_backoff_max = Millis(section, "retry_backoff_max_ms", s.retry_backoff_max, 0, 3'600'000);
  return s;
}

OutboxSettings OutboxSettings::Parse(const config::Node& section) {
  OutboxSettings s;
  s.batch_size = static_cast<int>(section.Int("batch_size", s.batch_size, 1, 10'000));
  s.poll_interval = Millis(section, "poll_interval_ms", s.poll_interval, 1, 600'000);
  s.orphan_after = Millis(section, "orphan_after_ms", s.orphan_after, 0, 3'600'000);
  s.mark_interval = Millis(section, "mark_interval_ms", s.mark_interval, 1, 60'000);
  s.failure_backoff = Millis(section, "failure_backoff_ms", s.failure_backoff, 1, 600'000);
  s.retention = std::chrono::seconds(section.Int("retention_s", s.retention.count(), 0, 86'400 * 365));
  s.inbox_retention =
      std::chrono::seconds(section.Int("inbox_retention_s", s.inbox_retention.count(), 60, 86'400 * 3650));
  s.cleanup_interval = Millis(section, "cleanup_interval_ms", s.cleanup_interval, 10, 86'400'000);
  return s;
}

}  // namespace orderly::messaging
