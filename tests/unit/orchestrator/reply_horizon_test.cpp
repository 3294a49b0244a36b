#include "reply_horizon.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace orderly::orchestrator {
namespace {

using messaging::PartitionProgress;
using std::chrono::milliseconds;

class ReplyHorizonTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  std::vector<PartitionProgress> progress_;
  ReplyHorizon horizon_{[this] { return progress_; }, clock_};
};

TEST_F(ReplyHorizonTest, UnknownUntilTheFirstRefresh) { EXPECT_FALSE(horizon_.Get().has_value()); }

TEST_F(ReplyHorizonTest, CaughtUpConsumerMovesTheHorizonToTheRefresh) {
  progress_ = {{"r", 0, 5, 5}, {"r", 1, 7, 7}};
  horizon_.Refresh();
  EXPECT_EQ(horizon_.Get(), clock_.Now());
}

TEST_F(ReplyHorizonTest, ReplyWaitingToBeConsumedHoldsTheHorizonUntilItIsCommitted) {
  progress_ = {{"r", 0, 5, 5}};
  horizon_.Refresh();
  const Clock::TimePoint caught_up = clock_.Now();

  clock_.Advance(milliseconds(100));
  progress_ = {{"r", 0, 5, 6}};  // one reply arrived, not yet handled
  horizon_.Refresh();
  const Clock::TimePoint waiting_since = clock_.Now();
  for (int i = 0; i < 50; ++i) {  // the orchestrator is behind for 5 s
    clock_.Advance(milliseconds(100));
    progress_ = {{"r", 0, 5, 7}};
    horizon_.Refresh();
    EXPECT_EQ(horizon_.Get(), caught_up);
  }

  progress_ = {{"r", 0, 6, 7}};  // the first reply handled: everything before its snapshot is known
  horizon_.Refresh();
  EXPECT_EQ(horizon_.Get(), waiting_since);
  clock_.Advance(milliseconds(100));
  progress_ = {{"r", 0, 7, 7}};
  horizon_.Refresh();
  EXPECT_EQ(horizon_.Get(), clock_.Now());
}

TEST_F(ReplyHorizonTest, EveryPartitionMustReachItsEnd) {
  progress_ = {{"r", 0, 3, 3}, {"r", 1, 1, 2}};
  horizon_.Refresh();
  EXPECT_FALSE(horizon_.Get().has_value());
}

TEST_F(ReplyHorizonTest, BrokerOutageFreezesTheHorizon) {
  progress_ = {{"r", 0, 1, 1}};
  horizon_.Refresh();
  const auto before = horizon_.Get();
  clock_.Advance(milliseconds(20'000));
  ReplyHorizon failing([]() -> std::vector<PartitionProgress> { throw std::runtime_error("broker down"); }, clock_);
  EXPECT_THROW(failing.Refresh(), std::runtime_error);
  EXPECT_FALSE(failing.Get().has_value());
  EXPECT_EQ(horizon_.Get(), before);
}

TEST_F(ReplyHorizonTest, SnapshotsBeyondTheCapAreMergedLaterNeverEarlier) {
  progress_ = {{"r", 0, 0, 1}};
  for (size_t i = 0; i < ReplyHorizon::kMaxSnapshots + 10; ++i) {
    clock_.Advance(milliseconds(10));
    progress_[0].end += 1;
    horizon_.Refresh();
  }
  EXPECT_FALSE(horizon_.Get().has_value());
  progress_[0].committed = progress_[0].end;
  horizon_.Refresh();
  EXPECT_EQ(horizon_.Get(), clock_.Now());
}

}  // namespace
}  // namespace orderly::orchestrator
