#include "orderly/messaging/topic_admin.h"

#include <atomic>
#include <map>
#include <set>

#include "messaging_fixture.h"
#include "test_env.h"

namespace orderly::messaging {
namespace {

using orderly::testing::UniqueName;
using orderly::testing::WaitUntil;

class TopicAdminTest : public MessagingTest {
 protected:
  // Publishes `count` records with distinct keys, so they spread over the partitions.
  void Publish(int count) {
    std::vector<OutgoingMessage> messages;
    for (int i = 0; i < count; ++i) {
      messages.push_back({topic_, "key-" + std::to_string(i), "value-" + std::to_string(i), {{"n", std::to_string(i)}}});
    }
    for (const auto& result : producer().PublishBatch(messages)) ASSERT_TRUE(result.delivered) << result.error;
  }

  std::unique_ptr<Consumer> Count(std::atomic<int>& handled) {
    return Consume(group_, topic_, [&handled](const ConsumedMessage&) { ++handled; });
  }

  int64_t Sum(const std::vector<PartitionOffset>& offsets) {
    int64_t sum = 0;
    for (const auto& offset : offsets) sum += offset.offset;
    return sum;
  }

  std::string topic_ = UniqueName("admin");
  std::string group_ = UniqueName("admin-group");
  TopicAdmin admin_{kafka_};
};

TEST_F(TopicAdminTest, ReadAllReturnsEveryRecordOnceInPartitionOrder) {
  Publish(20);
  const auto records = admin_.ReadAll(topic_, std::chrono::seconds(10));
  ASSERT_EQ(records.size(), 20u);
  std::map<int32_t, int64_t> last_offset;
  std::set<std::string> values;
  for (const auto& record : records) {
    EXPECT_EQ(record.value, "value-" + record.Header("n"));
    EXPECT_EQ(record.key, "key-" + record.Header("n"));
    if (last_offset.count(record.partition)) {
      EXPECT_GT(record.offset, last_offset[record.partition]);
    }
    last_offset[record.partition] = record.offset;
    values.insert(record.value);
  }
  EXPECT_EQ(values.size(), 20u);
  EXPECT_EQ(Sum(admin_.EndOffsets({topic_})), 20);
}

TEST_F(TopicAdminTest, ATopicThatDoesNotExistReadsEmpty) {
  EXPECT_TRUE(admin_.ReadAll(UniqueName("absent"), std::chrono::seconds(10)).empty());
}

TEST_F(TopicAdminTest, RewoundGroupReadsEverythingAgain) {
  Publish(12);
  std::atomic<int> handled{0};
  auto consumer = Count(handled);
  ASSERT_TRUE(WaitUntil([&] { return handled == 12; }));
  ASSERT_TRUE(WaitUntil([&] { return admin_.CommittedOffsets(group_, {topic_}) == admin_.EndOffsets({topic_}); }));

  EXPECT_EQ(admin_.Lag(group_, {topic_}), 0);

  consumer->Stop();
  admin_.Rewind(group_, {topic_});
  EXPECT_EQ(Sum(admin_.CommittedOffsets(group_, {topic_})), 0);
  EXPECT_EQ(admin_.Lag(group_, {topic_}), 12);
  consumer = Count(handled);
  EXPECT_TRUE(WaitUntil([&] { return handled == 24; }, std::chrono::seconds(60))) << handled;
}

TEST_F(TopicAdminTest, AGroupWithoutCommitsReportsMinusOneAndLagsByEverything) {
  Publish(3);
  const std::string group = UniqueName("never-consumed");
  for (const auto& offset : admin_.CommittedOffsets(group, {topic_})) {
    EXPECT_EQ(offset.offset, -1) << offset.topic << "[" << offset.partition << "]";
  }
  EXPECT_EQ(admin_.Lag(group, {topic_}), 3);
}

TEST_F(TopicAdminTest, ProgressOfALiveGroupShowsWhereItResumesAndWhatWaits) {
  Publish(6);
  std::atomic<int> handled{0};
  auto consumer = Count(handled);
  const auto caught_up = [&] {
    for (const auto& partition : admin_.Progress(group_, {topic_})) {
      if (partition.committed != partition.end) return false;
    }
    return true;
  };
  ASSERT_TRUE(WaitUntil(caught_up));  // asked while the group's member runs
  consumer->Stop();

  Publish(3);
  const auto progress = admin_.Progress(group_, {topic_});
  ASSERT_EQ(progress.size(), admin_.EndOffsets({topic_}).size());
  int64_t committed = 0;
  int64_t waiting = 0;
  for (const auto& partition : progress) {
    EXPECT_EQ(partition.topic, topic_);
    committed += partition.committed;
    waiting += partition.end - partition.committed;
  }
  EXPECT_EQ(committed, 6);
  EXPECT_EQ(waiting, 3);
  EXPECT_EQ(admin_.Lag(group_, {topic_}), 3);
}

TEST_F(TopicAdminTest, OffsetsWaitForTheCommitIntervalAndAllLandWhenTheConsumerStops) {
  kafka_.commit_interval = std::chrono::hours(1);
  Publish(5);
  std::atomic<int> handled{0};
  auto consumer = Count(handled);
  ASSERT_TRUE(WaitUntil([&] { return handled == 5; }));
  EXPECT_EQ(admin_.Lag(group_, {topic_}), 5);  // handled, but not committed yet
  consumer->Stop();
  EXPECT_EQ(admin_.Lag(group_, {topic_}), 0);
  EXPECT_EQ(handled, 5);
}

TEST_F(TopicAdminTest, RewindingAGroupWithLiveMembersIsRefused) {
  Publish(4);
  std::atomic<int> handled{0};
  const auto consumer = Count(handled);
  ASSERT_TRUE(WaitUntil([&] { return handled == 4; }));
  EXPECT_THROW(admin_.Rewind(group_, {topic_}), FailedPrecondition);
}

// Two replicas on two partitions: the rewinding member is given one partition or none, and either
// way learns it is not alone.
TEST_F(TopicAdminTest, RewindingAGroupWhoseReplicasHoldEveryPartitionIsRefused) {
  Publish(4);
  std::atomic<int> handled{0};
  const auto first = Count(handled);
  const auto second = Count(handled);
  ASSERT_TRUE(WaitUntil([&] { return handled == 4; }));
  EXPECT_THROW(admin_.Rewind(group_, {topic_}), FailedPrecondition);
}

}  // namespace
}  // namespace orderly::messaging
