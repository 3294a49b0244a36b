#pragma once

#include <string>
#include <sys/types.h>

namespace orderly::testing {

/// A private devbroker for tests that take the broker down (so the shared one stays up for the
/// others). Started on a free port in the constructor; stopped with SIGTERM in the destructor.
class DevbrokerProcess final {
 public:
  /// `brokers` mock brokers (1..9), two partitions a topic.
  explicit DevbrokerProcess(int brokers = 1);
  ~DevbrokerProcess();
  DevbrokerProcess(const DevbrokerProcess&) = delete;
  DevbrokerProcess& operator=(const DevbrokerProcess&) = delete;

  [[nodiscard]] const std::string& bootstrap() const { return bootstrap_; }
  /// Takes every broker down (SIGUSR1) / brings them back (SIGUSR2); returns once devbroker says so.
  void SetDown();
  void SetUp();
  /// Takes broker `id` (1..brokers) alone down / brings it back; its partitions and groups move.
  void SetBrokerDown(int id);
  void SetBrokerUp(int id);

 private:
  void SignalAndAwait(int signo, int broker, const std::string& line);
  std::string ReadLine();

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
  std::string bootstrap_;
};

}  // namespace orderly::testing
