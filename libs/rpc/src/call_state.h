#pragma once

// What the server interceptor chain learned about one call, shared by its stages and the handler
// (through CallerOf, RequireOwner and Guard), keyed by the call's ServerContextBase.
#include <grpcpp/server_context.h>

#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "orderly/auth/jwt.h"
#include "orderly/rpc/access.h"

namespace orderly::rpc {

/// Written by the chain's stages in order, on the call's own thread, before the handler runs;
/// read by the handler and by the stages' later hooks. So no lock is needed inside.
struct CallState {
  std::string method;
  std::string request_id;
  std::optional<MethodRule> rule;
  std::optional<auth::Claims> caller;
  std::exception_ptr refusal;  // the first stage that refused; later stages do nothing
};

/// Live calls' states. Thread-safe; the request id stage unregisters its call when the call ends
/// (its interceptor is destroyed with the call's ServerContext).
class CallRegistry final {
 public:
  static CallRegistry& Instance();
  /// The call's state, created (for `method`) by the first stage that asks.
  [[nodiscard]] std::shared_ptr<CallState> FindOrAdd(const grpc::ServerContextBase* context, const std::string& method);
  void Remove(const grpc::ServerContextBase* context);
  [[nodiscard]] std::shared_ptr<CallState> Find(const grpc::ServerContextBase* context);

 private:
  std::mutex mutex_;
  std::unordered_map<const grpc::ServerContextBase*, std::shared_ptr<CallState>> calls_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace orderly::rpc
