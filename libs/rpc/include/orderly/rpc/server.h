#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/server.h>
#include <grpcpp/support/server_interceptor.h>

#include "orderly/rpc/settings.h"

namespace orderly::rpc {

/// A gRPC server with the standard health service and reflection, and an orderly shutdown:
/// health turns NOT_SERVING, in-flight calls get shutdown_grace to finish, then the registered
/// shutdown hooks run in reverse order (e.g. stop consumers, then flush producers).
///
/// Set up (AddService, AddInterceptor, OnShutdown) before Start, from one thread. Shutdown and
/// Wait are thread-safe.
class Server final {
 public:
  explicit Server(ServerSettings settings);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// `service` must outlive the server. The health service reports its status under `health_name`
  /// (its full proto name, e.g. "orderly.v1.OrderService") as well as under "" for the whole server.
  void AddService(grpc::Service* service, std::string health_name);
  /// Interceptors run in the order added: the seam for auth, rate limits, metrics and tracing.
  void AddInterceptor(std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> factory);
  /// `hook` runs once during Shutdown, after calls have drained; hooks run last-added first.
  void OnShutdown(std::function<void()> hook);

  /// Binds and starts serving; health reports SERVING.
  /// @throws orderly::Unavailable naming the address if it cannot be bound.
  void Start();
  /// The bound port (useful with listen port 0).
  [[nodiscard]] int port() const;
  /// False once shutdown began.
  [[nodiscard]] bool serving() const;

  /// Runs the shutdown sequence once; later calls return at once. Blocks until it is complete.
  void Shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Waits for SIGTERM or SIGINT. Construct it early in main(), before starting threads; the handler
/// only writes to a pipe, so it is async-signal-safe. One instance per process.
class ShutdownSignal final {
 public:
  ShutdownSignal();
  ~ShutdownSignal();
  ShutdownSignal(const ShutdownSignal&) = delete;
  ShutdownSignal& operator=(const ShutdownSignal&) = delete;

  /// Blocks until a signal arrives (or Trigger is called); returns the signal number (0 if triggered).
  int Wait();
  /// Wakes Wait from code, e.g. on a fatal error.
  void Trigger();
};

/// Serves until SIGTERM/SIGINT, then shuts `server` down; returns the process exit code (0).
int ServeUntilSignal(Server& server, ShutdownSignal& signal);

}  // namespace orderly::rpc
