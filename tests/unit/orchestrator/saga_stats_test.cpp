#include "saga_stats.h"

#include <gtest/gtest.h>

namespace orderly::orchestrator {
namespace {

using std::chrono::seconds;

TEST(SagaStatsTest, NothingRecordedReportsNothing) {
  SagaStats stats;
  EXPECT_EQ(stats.TakeReport(seconds(10)), "");
}

TEST(SagaStatsTest, ReportGivesRateOutcomesAndPercentiles) {
  SagaStats stats;
  for (int i = 1; i <= 100; ++i) stats.SagaEnded(i <= 90 ? v1::SAGA_STATE_CONFIRMED : v1::SAGA_STATE_REJECTED, i);
  stats.StepSettled("reserve_stock", 4);
  stats.StepSettled("reserve_stock", 6);
  stats.StepSettled("reserve_stock", 30);
  EXPECT_EQ(stats.TakeReport(seconds(10)),
            "sagas: 100 ended in 10.0 s (10.0/s), 90 CONFIRMED, 10 REJECTED; duration p50 51 ms, p99 99 ms; "
            "reserve_stock p50 6 ms, p99 30 ms");
}

TEST(SagaStatsTest, EachReportCoversOnlyItsOwnInterval) {
  SagaStats stats;
  stats.SagaEnded(v1::SAGA_STATE_CANCELLED, 12);
  EXPECT_NE(stats.TakeReport(seconds(1)), "");
  EXPECT_EQ(stats.TakeReport(seconds(1)), "");
  stats.StepSettled("authorize_payment", 3);
  EXPECT_EQ(stats.TakeReport(seconds(2)), "sagas: 0 ended in 2.0 s (0.0/s); authorize_payment p50 3 ms, p99 3 ms");
}

}  // namespace
}  // namespace orderly::orchestrator
