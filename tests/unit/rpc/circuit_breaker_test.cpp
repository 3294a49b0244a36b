#include "orderly/rpc/circuit_breaker.h"

#include <gtest/gtest.h>

namespace orderly::rpc {
namespace {

class CircuitBreakerTest : public ::testing::Test {
 protected:
  std::chrono::steady_clock::time_point now_{};
  CircuitBreaker breaker_{3, std::chrono::seconds(5), [this] { return now_; }};
};

TEST_F(CircuitBreakerTest, OpensAfterConsecutiveFailures) {
  breaker_.RecordFailure();
  breaker_.RecordFailure();
  EXPECT_TRUE(breaker_.Allow());
  breaker_.RecordFailure();
  EXPECT_TRUE(breaker_.open());
  EXPECT_FALSE(breaker_.Allow());
}

TEST_F(CircuitBreakerTest, SuccessResetsTheCount) {
  breaker_.RecordFailure();
  breaker_.RecordFailure();
  breaker_.RecordSuccess();
  breaker_.RecordFailure();
  breaker_.RecordFailure();
  EXPECT_TRUE(breaker_.Allow());
}

TEST_F(CircuitBreakerTest, LetsOneTrialThroughAfterTheOpenPeriod) {
  for (int i = 0; i < 3; ++i) breaker_.RecordFailure();
  now_ += std::chrono::seconds(5);
  EXPECT_TRUE(breaker_.Allow());
  EXPECT_FALSE(breaker_.Allow());  // only one trial at a time
  breaker_.RecordSuccess();
  EXPECT_FALSE(breaker_.open());
  EXPECT_TRUE(breaker_.Allow());
}

TEST_F(CircuitBreakerTest, FailedTrialReopens) {
  for (int i = 0; i < 3; ++i) breaker_.RecordFailure();
  now_ += std::chrono::seconds(5);
  ASSERT_TRUE(breaker_.Allow());
  breaker_.RecordFailure();
  EXPECT_FALSE(breaker_.Allow());
  now_ += std::chrono::seconds(5);
  EXPECT_TRUE(breaker_.Allow());
}

TEST_F(CircuitBreakerTest, StateGoesClosedOpenHalfOpen) {
  EXPECT_EQ(breaker_.state(), CircuitBreaker::State::kClosed);
  for (int i = 0; i < 3; ++i) breaker_.RecordFailure();
  EXPECT_EQ(breaker_.state(), CircuitBreaker::State::kOpen);
  now_ += std::chrono::seconds(5);
  EXPECT_EQ(breaker_.state(), CircuitBreaker::State::kHalfOpen);
  breaker_.RecordSuccess();
  EXPECT_EQ(breaker_.state(), CircuitBreaker::State::kClosed);
}

TEST_F(CircuitBreakerTest, NamedBreakerExposesItsState) {
  std::chrono::steady_clock::time_point now{};
  {
    CircuitBreaker named("pricing_test", 1, std::chrono::seconds(5), [&] { return now; });
    named.RecordFailure();
    EXPECT_NE(metrics::DefaultRegistry().Expose().find("orderly_circuit_breaker_state{breaker=\"pricing_test\"} 1\n"),
              std::string::npos);
  }
  EXPECT_EQ(metrics::DefaultRegistry().Expose().find("breaker=\"pricing_test\""), std::string::npos);
}

}  // namespace
}  // namespace orderly::rpc
