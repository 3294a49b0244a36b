// The orderlyctl commands that talk to Kafka itself: dead letters (listed, replayed onto their
// topics) and the services' consumer groups (lag, rewind).
#include <google/protobuf/struct.pb.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "cli.h"
#include "orderly/messaging/dead_letters.h"
#include "orderly/messaging/envelope.h"
#include "orderly/messaging/producer.h"
#include "orderly/messaging/topic_admin.h"
#include "orderly/messaging/topics.h"

namespace orderly::ctl {
namespace {

constexpr std::chrono::seconds kReadTimeout{10};

// The topics a consumer reads (their dead letters are what `dlq` handles).
std::vector<std::string_view> ConsumedTopics() {
  std::vector<std::string_view> topics;
  for (const auto& group : messaging::ConsumerGroups()) {
    for (std::string_view topic : group.topics) {
      // Several groups may read one topic (order.events: orchestrator and analytics).
      if (std::find(topics.begin(), topics.end(), topic) == topics.end()) topics.push_back(topic);
    }
  }
  return topics;
}

const std::vector<std::string_view> kTopics = ConsumedTopics();

// `name` (e.g. inventory.commands) checked against the topics Orderly consumes.
std::string_view KnownTopic(const std::string& name) {
  for (std::string_view topic : kTopics) {
    if (topic == name || messaging::DeadLetterTopic(topic) == name) return topic;
  }
  std::string known;
  for (std::string_view topic : kTopics) known += (known.empty() ? "" : ", ") + std::string(topic);
  throw UsageError{"unknown topic '" + name + "'; one of " + known};
}

// Every dead letter of `topics`, read with the prefix applied.
std::vector<messaging::DeadLetter> ReadDeadLetters(const Clients& c, const std::vector<std::string_view>& topics) {
  messaging::TopicAdmin admin(c.kafka);
  std::vector<messaging::DeadLetter> letters;
  for (std::string_view topic : topics) {
    for (const auto& record : admin.ReadAll(c.kafka.Topic(messaging::DeadLetterTopic(topic)), kReadTimeout)) {
      try {
        letters.push_back(messaging::ParseDeadLetter(record));
      } catch (const InvalidArgument& e) {
        std::fprintf(stderr, "skipping %s\n", e.what());  // written by something other than Orderly
      }
    }
  }
  return letters;
}

// How a letter is named on the command line: PARTITION:OFFSET in its dead-letter topic.
std::string Id(const messaging::DeadLetter& letter) {
  return std::to_string(letter.record.partition) + ":" + std::to_string(letter.record.offset);
}

std::string PayloadType(const messaging::DeadLetter& letter) {
  try {
    return messaging::Decode(letter.record.value).type();
  } catch (const messaging::PoisonMessage&) {
    return "(not an envelope)";
  }
}

google::protobuf::Value Text(const std::string& text) {
  google::protobuf::Value value;
  value.set_string_value(text);
  return value;
}

google::protobuf::Value Number(int64_t number) {
  google::protobuf::Value value;
  value.set_number_value(static_cast<double>(number));
  return value;
}

void PrintLetters(const Output& out, const std::vector<messaging::DeadLetter>& letters) {
  google::protobuf::Struct document;
  auto* list = (*document.mutable_fields())["dead_letters"].mutable_list_value();
  std::vector<std::vector<std::string>> rows;
  for (const auto& letter : letters) {
    const std::string type = PayloadType(letter);
    auto& fields = *list->add_values()->mutable_struct_value()->mutable_fields();
    fields["topic"] = Text(letter.record.topic);
    fields["partition"] = Number(letter.record.partition);
    fields["offset"] = Number(letter.record.offset);
    fields["original_topic"] = Text(letter.original_topic);
    fields["original_partition"] = Number(letter.original_partition);
    fields["original_offset"] = Number(letter.original_offset);
    fields["key"] = Text(letter.record.key);
    fields["type"] = Text(type);
    fields["attempts"] = Number(letter.attempts);
    fields["error"] = Text(letter.error);
    rows.push_back({letter.record.topic, Id(letter),
                    letter.original_topic + "[" + std::to_string(letter.original_partition) + "]@" +
                        std::to_string(letter.original_offset),
                    type, letter.record.key, std::to_string(letter.attempts), letter.error});
  }
  out.Print(document, [&] {
    Output::Table({"DLQ", "ID", "FROM", "TYPE", "KEY", "ATTEMPTS", "ERROR"}, rows);
    std::printf("%zu dead letters\n", letters.size());
  });
}

void DlqList(Clients& c, const Output& out, const std::vector<std::string>& args) {
  if (args.size() > 1) throw UsageError{"expected at most a TOPIC"};
  PrintLetters(out, ReadDeadLetters(c, args.empty() ? kTopics : std::vector<std::string_view>{KnownTopic(args[0])}));
}

void DlqReplay(Clients& c, const Output& out, const std::vector<std::string>& args) {
  if (args.size() < 2) throw UsageError{"expected a TOPIC and the IDs (PARTITION:OFFSET) to replay, or 'all'"};
  const bool all = args.size() == 2 && args[1] == "all";
  std::set<std::string> wanted(args.begin() + 1, args.end());
  std::vector<messaging::DeadLetter> chosen;
  for (auto& letter : ReadDeadLetters(c, {KnownTopic(args[0])})) {
    if (all || wanted.erase(Id(letter)) > 0) chosen.push_back(std::move(letter));
  }
  if (!all && !wanted.empty()) throw NotFound("no dead letter " + *wanted.begin() + " in " + args[0] + ".dlq");
  std::vector<messaging::OutgoingMessage> messages;
  for (const auto& letter : chosen) messages.push_back(messaging::Redelivery(letter));
  messaging::Producer producer(c.kafka);
  const auto results = producer.PublishBatch(messages);
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].delivered) throw Unavailable("kafka: replaying " + Id(chosen[i]) + ": " + results[i].error);
  }
  PrintLetters(out, chosen);
  if (!out.json()) std::printf("replayed onto their original topics\n");
}

std::vector<std::string> FullTopics(const Clients& c, const messaging::ConsumerGroup& group) {
  std::vector<std::string> topics;
  for (std::string_view topic : group.topics) topics.push_back(c.kafka.Topic(topic));
  return topics;
}

void GroupsList(Clients& c, const Output& out, const std::vector<std::string>& args) {
  if (!args.empty()) throw UsageError{"groups list takes no arguments"};
  messaging::TopicAdmin admin(c.kafka);
  google::protobuf::Struct document;
  auto* list = (*document.mutable_fields())["groups"].mutable_list_value();
  std::vector<std::vector<std::string>> rows;
  for (const auto& group : messaging::ConsumerGroups()) {
    const std::string name = c.kafka.Group(group.name());
    const std::vector<std::string> topics = FullTopics(c, group);
    const int64_t lag = admin.Lag(name, topics);
    std::string joined;
    for (const auto& topic : topics) joined += (joined.empty() ? "" : ",") + topic;
    auto& fields = *list->add_values()->mutable_struct_value()->mutable_fields();
    fields["service"] = Text(std::string(group.service));
    fields["group"] = Text(name);
    fields["topics"] = Text(joined);
    fields["lag"] = Number(lag);
    rows.push_back({std::string(group.service), name, joined, std::to_string(lag)});
  }
  out.Print(document, [&] { Output::Table({"SERVICE", "GROUP", "TOPICS", "LAG"}, rows); });
}

void GroupsRewind(Clients& c, const Output& out, const std::vector<std::string>& args) {
  if (args.size() != 1) throw UsageError{"expected the SERVICE whose group to rewind"};
  const messaging::ConsumerGroup* group = nullptr;
  try {
    group = &messaging::ConsumerGroupOf(args[0]);
  } catch (const InvalidArgument& e) {
    throw UsageError{e.what()};
  }
  const std::vector<std::string> topics = FullTopics(c, *group);
  const std::string name = c.kafka.Group(group->name());
  messaging::TopicAdmin admin(c.kafka);
  admin.Rewind(name, topics);
  const int64_t lag = admin.Lag(name, topics);
  google::protobuf::Struct document;
  (*document.mutable_fields())["group"] = Text(name);
  (*document.mutable_fields())["lag"] = Number(lag);
  out.Print(document, [&] {
    std::printf("rewound %s: %s will consume %lld messages again\n", name.c_str(),
                args[0].c_str(), static_cast<long long>(lag));
  });
}

}  // namespace

void AddKafkaCommands(std::map<std::string, CommandSpec>& commands) {
  commands["dlq list"] = {"dlq list [TOPIC]   dead letters of one topic (e.g. payment.commands) or of all", DlqList};
  commands["dlq replay"] = {"dlq replay TOPIC ID...|all   republish dead letters (ID = PARTITION:OFFSET) to their topic",
                            DlqReplay};
  commands["groups list"] = {"groups list   each service's consumer group and how many messages it has yet to consume",
                             GroupsList};
  commands["groups rewind"] = {
      "groups rewind SERVICE   make a stopped service consume its topics again from the start (redelivery)",
      GroupsRewind};
}

}  // namespace orderly::ctl
