// kill -9 and SIGTERM of each service during a burst of orders, on a private stack of processes:
// restarted after an outage, the stack recovers by itself and every order that had stock and money
// is CONFIRMED, charged once.
#include <gtest/gtest.h>

#include "fault_drill.h"

namespace orderly::testing {
namespace {

constexpr int kOrders = 150;
constexpr auto kOutage = std::chrono::seconds(15);  // shorter than the default step timeout (60 s)

class CrashTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CrashTest, KilledMidBurstAndRestartedAfterAnOutageEveryOrderIsConfirmed) {
  const std::string victim = GetParam();
  ProcessStack stack;
  FaultDrill drill(stack, kOrders);
  drill.Run([&] { stack.Kill(victim); }, kOutage, [&] { stack.Start(victim); });
  drill.ExpectEveryOrderConfirmed("kill -9 " + victim);
}

TEST_P(CrashTest, StoppedMidBurstAndRestartedAfterAnOutageEveryOrderIsConfirmed) {
  const std::string victim = GetParam();
  ProcessStack stack;
  FaultDrill drill(stack, kOrders);
  drill.Run([&] { stack.Stop(victim); }, kOutage, [&] { stack.Start(victim); });
  drill.ExpectEveryOrderConfirmed("SIGTERM " + victim);
}

INSTANTIATE_TEST_SUITE_P(EachService, CrashTest, ::testing::Values("orchestrator", "inventory", "payment", "order"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace orderly::testing
