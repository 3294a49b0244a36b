// One PostgreSQL shard of the shared test servers stopped as a crash would (pg_ctl stop -m
// immediate) for 30 s during a burst, then started: every order that had stock and money ends
// CONFIRMED. It runs alone (RUN_SERIAL), since every other test uses that shard too.
#include <gtest/gtest.h>

#include "fault_drill.h"

namespace orderly::testing {
namespace {

CommandResult TestServers(const std::string& action) {
  return RunCommand(std::string(ORDERLY_DEV_SCRIPT) + " testenv " + action + " " + RequiredEnv("ORDERLY_TEST_DIR") +
                    " shard1");
}

TEST(ShardOutageTest, OneShardStoppedFor30sMidBurstEveryOrderIsConfirmed) {
  ProcessStack stack;
  FaultDrill drill(stack, 150);
  drill.Run(
      [] {
        const CommandResult stopped = TestServers("shard-down");
        EXPECT_EQ(stopped.exit_code, 0) << stopped.output;
      },
      std::chrono::seconds(30),
      [] {
        const CommandResult started = TestServers("shard-up");
        EXPECT_EQ(started.exit_code, 0) << started.output;
      });
  drill.ExpectEveryOrderConfirmed("postgres shard1 stopped 30 s (immediate)");
}

}  // namespace
}  // namespace orderly::testing
