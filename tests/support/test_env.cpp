#include "test_env.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <random>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace orderly::testing {

std::string RequiredEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(std::string(name) + " is not set: run integration tests through ctest (scripts/dev test)");
  }
  return value;
}

std::string DevbrokerBinary() { return ORDERLY_DEVBROKER_BIN; }
std::string OrderlyConfigBinary() { return ORDERLY_CONFIG_BIN; }

const app::PlatformSettings& TestPlatform() {
  static const app::PlatformSettings settings = app::LoadPlatformSettings(RequiredEnv("ORDERLY_TEST_DIR") + "/config.yaml");
  return settings;
}

std::string UniqueName(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

namespace {

int FirstEphemeralPort() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int first = 32768;
  range >> first;
  return first;
}

bool CanBind(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool free = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return free;
}

}  // namespace

int FreePort() {
  static std::mt19937 random(std::random_device{}());
  static const int first_ephemeral = FirstEphemeralPort();
  std::uniform_int_distribution<int> ports(20000, std::max(20001, first_ephemeral - 1));
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int port = ports(random);
    if (CanBind(port)) return port;
  }
  throw std::runtime_error("cannot find a free port");
}

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  char buffer[4096];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) result.output += buffer;
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace orderly::testing
