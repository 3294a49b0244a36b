// orderlyctl dlq: the dead-letter topics, listed and replayed onto their original topics.
#include <google/protobuf/struct.pb.h>

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

const std::vector<std::string_view> kTopics = {messaging::kOrderEvents, messaging::kOrderCommands,
                                               messaging::kInventoryCommands, messaging::kPaymentCommands,
                                               messaging::kSagaReplies};

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
    auto& fields = *list->add_values()->mutable_struct_value()->mutable_fields();
    fields["topic"] = Text(letter.record.topic);
    fields["partition"] = Number(letter.record.partition);
    fields["offset"] = Number(letter.record.offset);
    fields["original_topic"] = Text(letter.original_topic);
    fields["original_partition"] = Number(letter.original_partition);
    fields["original_offset"] = Number(letter.original_offset);
    fields["key"] = Text(letter.record.key);
    fields["type"] = Text(PayloadType(letter));
    fields["attempts"] = Number(letter.attempts);
    fields["error"] = Text(letter.error);
    rows.push_back({letter.record.topic, Id(letter),
                    letter.original_topic + "[" + std::to_string(letter.original_partition) + "]@" +
                        std::to_string(letter.original_offset),
                    PayloadType(letter), letter.record.key, std::to_string(letter.attempts), letter.error});
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

}  // namespace

void AddDlqCommands(std::map<std::string, CommandSpec>& commands) {
  commands["dlq list"] = {"dlq list [TOPIC]   dead letters of one topic (e.g. payment.commands) or of all", DlqList};
  commands["dlq replay"] = {"dlq replay TOPIC ID...|all   republish dead letters (ID = PARTITION:OFFSET) to their topic",
                            DlqReplay};
}

}  // namespace orderly::ctl
