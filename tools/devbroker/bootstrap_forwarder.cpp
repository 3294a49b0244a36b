#include "bootstrap_forwarder.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace orderly::devbroker {
namespace {

sockaddr_in Loopback(const std::string& host, int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    throw std::runtime_error("not an IPv4 address: " + host);
  }
  return address;
}

// Copies from one socket to the other until EOF or an error, then half-closes the destination.
void Pump(int from, int to) {
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = read(from, buffer, sizeof buffer);
    if (n <= 0) break;
    for (ssize_t sent = 0; sent < n;) {
      const ssize_t w = write(to, buffer + sent, static_cast<size_t>(n - sent));
      if (w <= 0) {
        shutdown(from, SHUT_RD);
        shutdown(to, SHUT_WR);
        return;
      }
      sent += w;
    }
  }
  shutdown(to, SHUT_WR);
}

void Relay(int client, sockaddr_in upstream) {
  const int broker = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (broker < 0 || connect(broker, reinterpret_cast<sockaddr*>(&upstream), sizeof upstream) != 0) {
    if (broker >= 0) close(broker);
    close(client);
    return;
  }
  const int one = 1;
  setsockopt(broker, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::thread upstream_to_client(Pump, broker, client);
  Pump(client, broker);
  upstream_to_client.join();
  close(broker);
  close(client);
}

}  // namespace

BootstrapForwarder::~BootstrapForwarder() { Stop(); }

void BootstrapForwarder::Start(int port, const std::string& upstream) {
  const size_t colon = upstream.rfind(':');
  upstream_host_ = upstream.substr(0, colon);
  upstream_port_ = std::stoi(upstream.substr(colon + 1));
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address = Loopback("127.0.0.1", port);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listen_fd_, 64) != 0) {
    const std::string reason = std::strerror(errno);
    close(listen_fd_);
    listen_fd_ = -1;
    throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + reason);
  }
  running_ = true;
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

void BootstrapForwarder::AcceptLoop() {
  const sockaddr_in upstream = Loopback(upstream_host_, upstream_port_);
  while (running_) {
    const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      break;  // the listening socket was shut down by Stop
    }
    std::thread(Relay, client, upstream).detach();  // lives as long as the client's connection
  }
}

void BootstrapForwarder::Stop() {
  if (!running_.exchange(false)) return;
  shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  close(listen_fd_);
}

}  // namespace orderly::devbroker
