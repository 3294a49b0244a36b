#include "orderly/metrics/http_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <thread>

#include "orderly/common/errors.h"

namespace orderly::metrics {

struct HttpServer::Impl {
  httplib::Server server;
  std::thread thread;
  std::atomic<bool> listen_returned{false};
  int port = 0;
};

HttpServer::HttpServer(Registry& registry, const std::string& listen) : impl_(std::make_unique<Impl>()) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw InvalidArgument("metrics_listen", "'" + listen + "' is not host:port");
  const std::string host = listen.substr(0, colon);
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
    throw InvalidArgument("metrics_listen", "'" + listen + "' is not host:port");
  }
  impl_->server.Get("/metrics", [&registry](const httplib::Request&, httplib::Response& response) {
    response.set_content(registry.Expose(), "text/plain; version=0.0.4; charset=utf-8");
  });
  // httplib's default also sets SO_REUSEPORT, which would let two services share a port unnoticed.
  impl_->server.set_socket_options([](socket_t socket) {
    const int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // A scrape is one short request; a few threads are plenty and keep the footprint small.
  impl_->server.new_task_queue = [] { return new httplib::ThreadPool(2); };
  impl_->port = port == 0 ? impl_->server.bind_to_any_port(host) : (impl_->server.bind_to_port(host, port) ? port : -1);
  if (impl_->port <= 0) {
    throw Unavailable("cannot serve metrics on " + listen +
                      " (address in use, or not a local address?); check the service's metrics_listen setting");
  }
  impl_->thread = std::thread([impl = impl_.get()] {
    impl->server.listen_after_bind();
    impl->listen_returned = true;
  });
  // httplib's stop() does nothing until the listen loop runs, so a server stopped right after it
  // started would never end: construction returns only once it runs (or returned).
  while (!impl_->server.is_running() && !impl_->listen_returned) std::this_thread::yield();
  spdlog::info("serving metrics on http://{}:{}/metrics", host, impl_->port);
}

HttpServer::~HttpServer() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int HttpServer::port() const { return impl_->port; }

}  // namespace orderly::metrics
