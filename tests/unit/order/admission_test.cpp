#include "admission.h"

#include <gtest/gtest.h>

#include "orderly/common/errors.h"

namespace orderly::order {
namespace {

using std::chrono::milliseconds;

// What Orders does for a new order: check, then count it once it exists.
void Admit(AdmissionGate& gate) {
  gate.Check();
  gate.Admitted();
}

// The retry delay of the refusal Check throws; fails the test if it admits.
milliseconds RefusalDelay(AdmissionGate& gate) {
  try {
    gate.Check();
  } catch (const ResourceExhausted& e) {
    return e.retry_after();
  }
  ADD_FAILURE() << "admitted";
  return milliseconds(-1);
}

TEST(AdmissionGateTest, AdmitsUpToTheLimitCountingItsOwnAdmissionsSinceTheLastCount) {
  ManualClock clock;
  AdmissionGate gate(3, clock);
  gate.Observe(1);
  Admit(gate);
  Admit(gate);
  EXPECT_EQ(gate.backlog(), 3);
  EXPECT_THROW(gate.Check(), ResourceExhausted);
  gate.Observe(2);  // one finished meanwhile
  Admit(gate);
  EXPECT_THROW(gate.Check(), ResourceExhausted);
}

TEST(AdmissionGateTest, ARequestThatCreatedNothingTakesNoRoom) {
  ManualClock clock;
  AdmissionGate gate(2, clock);
  gate.Observe(1);
  for (int i = 0; i < 5; ++i) gate.Check();  // e.g. retries failing while a shard is down
  EXPECT_EQ(gate.backlog(), 1);
  Admit(gate);
  EXPECT_THROW(gate.Check(), ResourceExhausted);
}

TEST(AdmissionGateTest, RefusalWithoutAKnownDrainRateSaysRetryInOneSecond) {
  ManualClock clock;
  AdmissionGate gate(2, clock);
  gate.Observe(2);
  EXPECT_EQ(RefusalDelay(gate), AdmissionGate::kUnknownRetry);
}

TEST(AdmissionGateTest, RetryDelayIsTheTimeToDrainATenthOfTheLimit) {
  ManualClock clock;
  AdmissionGate gate(100, clock);
  gate.Observe(100);
  clock.Advance(milliseconds(500));
  gate.Observe(50);  // 50 left PENDING in 0.5 s: 100 per second
  Admit(gate);
  for (int i = 0; i < 49; ++i) Admit(gate);
  EXPECT_EQ(RefusalDelay(gate), milliseconds(100));  // 10 orders at 100/s
}

TEST(AdmissionGateTest, RetryDelayStaysWithinItsBounds) {
  ManualClock clock;
  AdmissionGate slow(1000, clock);
  slow.Observe(1000);
  clock.Advance(milliseconds(1000));
  slow.Observe(999);  // 1 per second: a tenth of the limit takes 100 s
  Admit(slow);
  EXPECT_EQ(RefusalDelay(slow), AdmissionGate::kMaxRetry);

  AdmissionGate fast(10, clock);
  fast.Observe(10'000);
  clock.Advance(milliseconds(100));
  fast.Observe(10);  // 99,900 per second
  EXPECT_EQ(RefusalDelay(fast), AdmissionGate::kMinRetry);
}

}  // namespace
}  // namespace orderly::order
