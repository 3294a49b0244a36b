#pragma once

#include <atomic>
#include <string>
#include <thread>

namespace orderly::devbroker {

/// Accepts TCP connections on 127.0.0.1:port and relays each, byte for byte, to one upstream
/// broker. Each connection gets two threads (one per direction); a closed side closes the other.
class BootstrapForwarder final {
 public:
  BootstrapForwarder() = default;
  ~BootstrapForwarder();
  BootstrapForwarder(const BootstrapForwarder&) = delete;
  BootstrapForwarder& operator=(const BootstrapForwarder&) = delete;

  /// @throws std::runtime_error if the port cannot be bound.
  void Start(int port, const std::string& upstream);
  void Stop();

 private:
  void AcceptLoop();

  int listen_fd_ = -1;
  std::string upstream_host_;
  int upstream_port_ = 0;
  std::atomic<bool> running_{false};
  std::thread acceptor_;
};

}  // namespace orderly::devbroker
