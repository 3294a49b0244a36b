#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "kafka_messages.h"
#include "partition_log.h"

namespace orderly::devbroker {

/// What clients reach one mock broker through: a listener on 127.0.0.1 that relays each
/// connection's requests, in order, to the mock broker, except those devbroker answers itself from
/// its logs: produce requests (appended at once, where relaying them cost a thread hand-off and a
/// socket round trip to the mock per request), fetches (held until records arrive or the client's
/// wait ends, where the mock holds every empty fetch for the whole wait and walks its whole log for
/// every other) and list-offsets. Group membership, offsets, producer ids and metadata stay with the
/// mock; broker addresses in metadata answers are rewritten to devbroker's ports. One thread per
/// connection. Thread-safe.
class BrokerProxy final {
 public:
  /// Binds 127.0.0.1:port (0: a free port). @throws std::runtime_error if it cannot.
  /// `on_group_lookup` runs before each FindCoordinator request for a consumer group goes on.
  BrokerProxy(int port, int upstream_port, const PortMap& ports, LogStore& logs,
              std::function<void(std::string_view group)> on_group_lookup);
  /// Stop()s.
  ~BrokerProxy();
  BrokerProxy(const BrokerProxy&) = delete;
  BrokerProxy& operator=(const BrokerProxy&) = delete;

  [[nodiscard]] int port() const { return port_; }
  /// Starts accepting connections; `ports` must be complete by then.
  void Start();
  /// Down: every connection is closed and new ones are closed at once, as the mock does while its
  /// broker is down; up: connections are served again.
  void SetUp(bool up);
  /// Closes every connection and waits for their threads.
  void Stop();

 private:
  void AcceptLoop();
  void Serve(int client);
  void Relay(int client, int upstream);
  // The answer to a request AnsweredLocally; empty if none is due.
  std::string Answer(const RequestHeader& header, std::string_view frame);
  std::string Fetch(const RequestHeader& header, std::string_view frame);

  const int upstream_port_;
  const PortMap& ports_;
  LogStore& logs_;
  const std::function<void(std::string_view)> on_group_lookup_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> up_{true};
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::condition_variable sessions_done_;
  std::set<int> sockets_;          // every open socket of a connection, guarded by mutex_
  std::set<Waiter*> waiters_;      // the connections' fetch waiters, guarded by mutex_
  size_t sessions_ = 0;            // guarded by mutex_
};

}  // namespace orderly::devbroker
