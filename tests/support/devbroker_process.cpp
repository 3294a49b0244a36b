#include "devbroker_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

#include "test_env.h"

namespace orderly::testing {

DevbrokerProcess::DevbrokerProcess() {
  const std::string binary = DevbrokerBinary();
  const std::string port = std::to_string(FreePort());
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(binary.c_str(), binary.c_str(), "--port", port.c_str(), "--partitions", "2", static_cast<char*>(nullptr));
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

void DevbrokerProcess::SignalAndAwait(int signo, const std::string& line) {
  kill(pid_, signo);
  while (ReadLine() != line) {
  }
}

void DevbrokerProcess::SetDown() { SignalAndAwait(SIGUSR1, "devbroker brokers down"); }
void DevbrokerProcess::SetUp() { SignalAndAwait(SIGUSR2, "devbroker brokers up"); }

}  // namespace orderly::testing
