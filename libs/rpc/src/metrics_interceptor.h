#pragma once

#include <memory>

#include <grpcpp/support/server_interceptor.h>

#include "orderly/metrics/registry.h"

namespace orderly::rpc {

/// A server interceptor factory recording every call into `registry`:
/// `orderly_rpc_server_handled_total{method,code}` and the latency histogram
/// `orderly_rpc_server_duration_seconds{method,code}` (from the interceptor's creation, when the
/// call arrives, to its status being sent). `method` is "package.Service/Method", `code` the gRPC
/// status name (OK, NOT_FOUND, ...). Meant last in the chain, so it measures what the handler and
/// the other interceptors made of the call. The hot path is a thread-local lookup and atomic adds.
/// The registry must outlive the factory and every call.
[[nodiscard]] std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeMetricsInterceptorFactory(
    metrics::Registry& registry);

}  // namespace orderly::rpc
