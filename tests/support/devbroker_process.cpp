#include "devbroker_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

#include "test_env.h"

namespace orderly::testing {

DevbrokerProcess::DevbrokerProcess(int brokers) {
  const std::string binary = DevbrokerBinary();
  const std::string port = std::to_string(FreePort());
  const std::string broker_count = std::to_string(brokers);
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(binary.c_str(), binary.c_str(), "--port", port.c_str(), "--partitions", "2", "--brokers",
          broker_count.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  stdout_fd_ = fds[0];
  const std::string ready = ReadLine();
  if (ready.rfind("devbroker ready", 0) != 0) throw std::runtime_error("devbroker did not start: " + ready);
  bootstrap_ = "127.0.0.1:" + port;
}

DevbrokerProcess::~DevbrokerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

std::string DevbrokerProcess::ReadLine() {
  for (;;) {
    const size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    pollfd fd{stdout_fd_, POLLIN, 0};
    if (poll(&fd, 1, 20'000) <= 0) throw std::runtime_error("devbroker said nothing for 20 s");
    char chunk[512];
    const ssize_t n = read(stdout_fd_, chunk, sizeof chunk);
    if (n <= 0) throw std::runtime_error("devbroker exited");
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

// Broker 0: every broker (a plain signal); otherwise the broker id rides as the signal's value.
void DevbrokerProcess::SignalAndAwait(int signo, int broker, const std::string& line) {
  if (broker == 0) {
    kill(pid_, signo);
  } else {
    sigval value{};
    value.sival_int = broker;
    sigqueue(pid_, signo, value);
  }
  while (ReadLine() != line) {
  }
}

void DevbrokerProcess::SetDown() { SignalAndAwait(SIGUSR1, 0, "devbroker brokers down"); }
void DevbrokerProcess::SetUp() { SignalAndAwait(SIGUSR2, 0, "devbroker brokers up"); }
void DevbrokerProcess::SetBrokerDown(int id) {
  SignalAndAwait(SIGUSR1, id, "devbroker broker " + std::to_string(id) + " down");
}
void DevbrokerProcess::SetBrokerUp(int id) {
  SignalAndAwait(SIGUSR2, id, "devbroker broker " + std::to_string(id) + " up");
}

}  // namespace orderly::testing
