#include <mutex>

#include "messaging_fixture.h"
#include "orderly/messaging/dead_letters.h"
#include "orderly/messaging/topics.h"
#include "test_env.h"

namespace orderly::messaging {
namespace {

using orderly::testing::UniqueName;
using orderly::testing::WaitUntil;

class DeadLetterTest : public MessagingTest {
 protected:
  // Reads `<topic>.dlq` into received_ until the returned consumer is destroyed.
  std::unique_ptr<Consumer> ReadDeadLetters() {
    return Consume(UniqueName("dlq-reader"), DeadLetterTopic(topic_), [this](const ConsumedMessage& message) {
      std::lock_guard lock(mutex_);
      received_.push_back(message);
    });
  }

  size_t Received() {
    std::lock_guard lock(mutex_);
    return received_.size();
  }

  std::string topic_ = UniqueName("poison");
  std::mutex mutex_;
  std::vector<ConsumedMessage> received_;
};

TEST_F(DeadLetterTest, UndecodableMessageGoesToTheDlqAndConsumingGoesOn) {
  ASSERT_TRUE(producer().PublishBatch({{topic_, "order-x", "not an envelope", {}}}).front().delivered);
  WriteOutbox(topic_, "order-good");
  OutboxRelay relay(cluster_, producer(), outbox_);
  const auto consumer = Consume(UniqueName("group"), topic_, RecordingHandler("poison-test"));
  ASSERT_TRUE(WaitUntil([&] { return consumer->dead_lettered() == 1; }));
  EXPECT_TRUE(WaitUntil([&] { return Effects() == 1; }));  // the good message after it is processed

  const auto reader = ReadDeadLetters();
  ASSERT_TRUE(WaitUntil([&] { return Received() == 1; }));
  const ConsumedMessage& dead = received_.front();
  EXPECT_EQ(dead.value, "not an envelope");
  EXPECT_EQ(dead.key, "order-x");
  EXPECT_EQ(dead.Header(kHeaderOriginalTopic), topic_);
  EXPECT_EQ(dead.Header(kHeaderOriginalOffset), "0");
  EXPECT_EQ(dead.Header(kHeaderAttempts), "1");
  EXPECT_NE(dead.Header(kHeaderError).find("envelope"), std::string::npos) << dead.Header(kHeaderError);
}

TEST_F(DeadLetterTest, MessageThatKeepsFailingIsDeadLetteredAfterMaxAttempts) {
  WriteOutbox(topic_, "order-failing");
  OutboxRelay relay(cluster_, producer(), outbox_);
  std::atomic<int> calls{0};
  const auto consumer = Consume(UniqueName("group"), topic_, [&](const ConsumedMessage&) {
    ++calls;
    throw std::runtime_error("handler bug");
  });
  ASSERT_TRUE(WaitUntil([&] { return consumer->dead_lettered() == 1; }));
  EXPECT_EQ(calls.load(), kafka_.max_attempts);

  const auto reader = ReadDeadLetters();
  ASSERT_TRUE(WaitUntil([&] { return Received() == 1; }));
  EXPECT_EQ(received_.front().Header(kHeaderAttempts), std::to_string(kafka_.max_attempts));
  EXPECT_EQ(received_.front().Header(kHeaderError), "handler bug");
}

TEST_F(DeadLetterTest, UnavailableDependencyIsRetriedNotDeadLettered) {
  WriteOutbox(topic_, "order-retry");
  OutboxRelay relay(cluster_, producer(), outbox_);
  std::atomic<int> calls{0};
  const auto consumer = Consume(UniqueName("group"), topic_, [&](const ConsumedMessage&) {
    if (++calls <= kafka_.max_attempts + 2) throw Unavailable("shard restarting");
  });
  ASSERT_TRUE(WaitUntil([&] { return consumer->handled() == 1; }));
  EXPECT_EQ(consumer->dead_lettered(), 0u);
  EXPECT_EQ(calls.load(), kafka_.max_attempts + 3);
}

}  // namespace
}  // namespace orderly::messaging
