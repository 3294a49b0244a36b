// orderlyctl orders trace ORDER_ID: one order's saga as a timeline across the services, read from the
// Kafka topics it travelled (its messages are keyed by the order id): for every message, which service
// handled it, when it was sent, when its handler answered (the produced_at of the message it caused)
// and how long that took, plus the trace id(s) the messages carry.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

#include "cli.h"
#include "orderly/log/trace.h"
#include "orderly/messaging/envelope.h"
#include "orderly/messaging/topic_admin.h"
#include "orderly/messaging/topics.h"

namespace orderly::ctl {
namespace {

constexpr std::chrono::seconds kReadTimeout{10};

struct Hop {
  v1::Envelope envelope;
  std::string topic;     // without the prefix
  std::string consumer;  // the service that handles it
  int64_t sent_ms = 0;
};

int64_t Millis(const google::protobuf::Timestamp& timestamp) {
  return google::protobuf::util::TimeUtil::TimestampToMilliseconds(timestamp);
}

// "2026-11-25 10:31:30.123" in UTC.
std::string Clock(int64_t millis) {
  const std::time_t seconds = millis / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03lld", text, static_cast<long long>(millis % 1000));
  return out;
}

// Every message of `order_id` on the topics the services consume, in the order they were produced.
std::vector<Hop> ReadHops(const Clients& c, const std::string& order_id) {
  messaging::TopicAdmin admin(c.kafka);
  std::vector<Hop> hops;
  std::set<std::string_view> read;  // order.events has two groups: the saga's (orchestrator) comes first
  for (const auto& group : messaging::ConsumerGroups()) {
    for (std::string_view topic : group.topics) {
      if (!read.insert(topic).second) continue;
      for (const auto& record : admin.ReadAll(c.kafka.Topic(topic), kReadTimeout)) {
        if (record.key != order_id) continue;
        try {
          v1::Envelope envelope = messaging::Decode(record.value);
          const int64_t sent = Millis(envelope.produced_at());
          hops.push_back({std::move(envelope), std::string(topic), std::string(group.service), sent});
        } catch (const messaging::PoisonMessage&) {
          // Not an envelope: nothing of the saga's timeline (it sits in the dead-letter topic).
        }
      }
    }
  }
  std::stable_sort(hops.begin(), hops.end(), [](const Hop& a, const Hop& b) { return a.sent_ms < b.sent_ms; });
  return hops;
}

void OrdersTrace(Clients& c, const Output& out, const std::vector<std::string>& args) {
  if (args.size() != 1) throw UsageError{"expected ORDER_ID"};
  const std::vector<Hop> hops = ReadHops(c, args[0]);
  if (hops.empty()) throw CallError{"no message of order " + args[0] + " on any topic (wrong id or kafka.prefix?)"};
  // A message's handler answered when the first message it caused was produced.
  std::map<std::string, int64_t> answered;
  for (const Hop& hop : hops) {
    const std::string& cause = hop.envelope.causation_id();
    if (!cause.empty() && !answered.contains(cause)) answered[cause] = hop.sent_ms;
  }
  std::set<std::string> traces;
  google::protobuf::Struct document;
  (*document.mutable_fields())["order_id"].set_string_value(args[0]);
  auto* steps = (*document.mutable_fields())["steps"].mutable_list_value();
  std::vector<std::vector<std::string>> rows;
  const int64_t start = hops.front().sent_ms;
  for (const Hop& hop : hops) {
    const std::string trace_id = log::TraceIdOf(hop.envelope.traceparent());
    traces.insert(trace_id.empty() ? "(none)" : trace_id);
    const auto handled = answered.find(hop.envelope.message_id());
    const std::string type = hop.envelope.type().substr(hop.envelope.type().rfind('.') + 1);
    auto& fields = *steps->add_values()->mutable_struct_value()->mutable_fields();
    fields["type"].set_string_value(type);
    fields["topic"].set_string_value(hop.topic);
    fields["service"].set_string_value(hop.consumer);
    fields["message_id"].set_string_value(hop.envelope.message_id());
    fields["trace_id"].set_string_value(trace_id);
    fields["sent_at"].set_string_value(Clock(hop.sent_ms));
    if (handled != answered.end()) {
      fields["handled_at"].set_string_value(Clock(handled->second));
      fields["duration_ms"].set_number_value(static_cast<double>(handled->second - hop.sent_ms));
    }
    rows.push_back({"+" + std::to_string(hop.sent_ms - start) + " ms", type, hop.consumer, Clock(hop.sent_ms),
                    handled == answered.end() ? "-" : Clock(handled->second),
                    handled == answered.end() ? "-" : std::to_string(handled->second - hop.sent_ms) + " ms"});
  }
  auto* trace_list = (*document.mutable_fields())["trace_ids"].mutable_list_value();
  for (const auto& trace : traces) trace_list->add_values()->set_string_value(trace);
  out.Print(document, [&] {
    std::string joined;
    for (const auto& trace : traces) joined += (joined.empty() ? "" : ", ") + trace;
    std::printf("order %s  trace %s\n", args[0].c_str(), joined.c_str());
    Output::Table({"AT", "MESSAGE", "SERVICE", "SENT (UTC)", "HANDLED (UTC)", "TOOK"}, rows);
  });
}

}  // namespace

CommandSpec OrdersTraceCommand() {
  return {"orders trace ORDER_ID   the saga's timeline across services: each message, who handled it, when, how long",
          OrdersTrace};
}

}  // namespace orderly::ctl
