#pragma once

#include <string>
#include <sys/types.h>

namespace orderly::testing {

/// A private devbroker for tests that take the broker down (so the shared one stays up for the
/// others). Started on a free port in the constructor; stopped with SIGTERM in the destructor.
class DevbrokerProcess final {
 public:
  DevbrokerProcess();
  ~DevbrokerProcess();
  DevbrokerProcess(const DevbrokerProcess&) = delete;
  DevbrokerProcess& operator=(const DevbrokerProcess&) = delete;

  [[nodiscard]] const std::string& bootstrap() const { return bootstrap_; }
  /// Takes every broker down (SIGUSR1) / brings them back (SIGUSR2); returns once devbroker says so.
  void SetDown();
  void SetUp();

 private:
  void SignalAndAwait(int signo, const std::string& line);
  std::string ReadLine();

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
  std::string bootstrap_;
};

}  // namespace orderly::testing
