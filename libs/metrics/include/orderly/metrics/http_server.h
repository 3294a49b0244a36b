#pragma once

#include <memory>
#include <string>

#include "orderly/metrics/registry.h"

namespace orderly::metrics {

/// Serves `GET /metrics` (the registry's text exposition) over HTTP on its own thread; any other
/// path is 404. Construction binds and starts serving; destruction stops and joins. The registry
/// must outlive the server.
class HttpServer final {
 public:
  /// `listen` is host:port; port 0 picks a free port (see port()).
  /// @throws orderly::Unavailable naming the address if it cannot be bound.
  /// @throws orderly::InvalidArgument if `listen` is not host:port.
  HttpServer(Registry& registry, const std::string& listen);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// The bound port.
  [[nodiscard]] int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::metrics
