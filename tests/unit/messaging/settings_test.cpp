#include "orderly/messaging/settings.h"

#include <gtest/gtest.h>

#include "config_errors.h"
#include "orderly/messaging/topics.h"

namespace orderly::messaging {
namespace {

KafkaSettings ParseKafka(const std::string& yaml) {
  return KafkaSettings::Parse(config::Document::LoadString(yaml).Root().Section("kafka"));
}

TEST(KafkaSettingsTest, AcceptsAListOrACommaSeparatedString) {
  EXPECT_EQ(ParseKafka("kafka: {brokers: [a:1, b:2]}").brokers, "a:1,b:2");
  EXPECT_EQ(ParseKafka("kafka: {brokers: 'a:1,b:2'}").brokers, "a:1,b:2");
}

TEST(KafkaSettingsTest, RejectsBrokerWithoutPort) {
  EXPECT_EQ(orderly::testing::ConfigErrorOf([] { ParseKafka("kafka: {brokers: [a:1, b]}"); }),
            "kafka.brokers: expected host:port entries, got 'b' (in <inline>)");
  EXPECT_EQ(orderly::testing::ConfigErrorOf([] { ParseKafka("kafka: {brokers: 'a:x'}"); }),
            "kafka.brokers: expected host:port entries, got 'a:x' (in <inline>)");
}

TEST(KafkaSettingsTest, ConsumersHandOverWhatIsReadyUnlessToldToLinger) {
  EXPECT_EQ(ParseKafka("kafka: {brokers: a:1}").batch_linger.count(), 0);
  EXPECT_EQ(ParseKafka("kafka: {brokers: a:1, batch_linger_ms: 250}").batch_linger.count(), 250);
  EXPECT_EQ(orderly::testing::ConfigErrorOf([] { ParseKafka("kafka: {brokers: a:1, batch_linger_ms: -1}"); }),
            "kafka.batch_linger_ms: must be in 0..60000, got -1 (in <inline>)");
}

TEST(TopicsTest, EveryTopicHasADeadLetterTopic) {
  const auto topics = AllTopics();
  EXPECT_EQ(topics.size(), 10u);
  for (std::string_view topic : {kOrderEvents, kOrderCommands, kInventoryCommands, kPaymentCommands, kSagaReplies}) {
    EXPECT_NE(std::find(topics.begin(), topics.end(), DeadLetterTopic(topic)), topics.end()) << topic;
  }
}

}  // namespace
}  // namespace orderly::messaging
