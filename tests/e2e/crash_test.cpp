// kill -9 of services during a burst of orders: the stack recovers by itself. Runs alone.
#include <signal.h>

#include <cstdlib>
#include <fstream>

#include "load_fixture.h"

namespace orderly {
namespace {

// SIGKILLs a service of the test stack; `scripts/dev testenv start` later restarts it.
void Kill(const std::string& service) {
  std::ifstream file(RequiredEnv("ORDERLY_TEST_DIR") + "/services/" + service + ".pid");
  pid_t pid = 0;
  file >> pid;
  ASSERT_GT(pid, 0);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  ASSERT_TRUE(WaitUntil([&] { return kill(pid, 0) != 0 || std::ifstream("/proc/" + std::to_string(pid) + "/cmdline").peek() == EOF; }));
}

void RestartStack() {
  const std::string command = std::string("ORDERLY_BUILD_DIR=") + ORDERLY_BUILD_DIR + " " + ORDERLY_SOURCE_DIR +
                              "/scripts/dev testenv start " + RequiredEnv("ORDERLY_TEST_DIR");
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

TEST_F(LoadTest, CrashesDuringABurstLeaveEveryOrderTerminalAndTheAuditClean) {
  Seed(1000, 200);
  std::vector<std::string> ids;
  for (size_t i = 0; i < customers_.size(); ++i) {
    if (i == 50) {
      Kill("orchestrator");
      RestartStack();
    }
    if (i == 120) {
      Kill("inventory");
      RestartStack();
    }
    ids.push_back(Place(i));
  }
  auto outcomes = Outcomes(ids);
  EXPECT_EQ(outcomes[v1::ORDER_STATUS_CONFIRMED] + outcomes[v1::ORDER_STATUS_REJECTED], 200);
  EXPECT_TRUE(WaitUntil([&] { return Stock().reserved() == 0; }, std::chrono::seconds(60)));
  EXPECT_EQ(Stock().on_hand(), 1000 - outcomes[v1::ORDER_STATUS_CONFIRMED]);
  const std::string audit = std::string(ORDERLY_BUILD_DIR) + "/tools/orderlyctl/orderlyctl --config " +
                            RequiredEnv("ORDERLY_TEST_DIR") + "/config.yaml audit";
  EXPECT_TRUE(WaitUntil([&] { return std::system((audit + " > /dev/null").c_str()) == 0; }, std::chrono::seconds(60)))
      << "orderlyctl audit keeps finding violations: " << audit;
}

}  // namespace
}  // namespace orderly
