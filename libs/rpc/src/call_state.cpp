#include "call_state.h"

namespace orderly::rpc {

CallRegistry& CallRegistry::Instance() {
  static CallRegistry registry;
  return registry;
}

std::shared_ptr<CallState> CallRegistry::FindOrAdd(const grpc::ServerContextBase* context, const std::string& method) {
  std::lock_guard lock(mutex_);
  auto& state = calls_[context];
  if (!state) {
    state = std::make_shared<CallState>();
    state->method = method;
  }
  return state;
}

void CallRegistry::Remove(const grpc::ServerContextBase* context) {
  std::lock_guard lock(mutex_);
  calls_.erase(context);
}

std::shared_ptr<CallState> CallRegistry::Find(const grpc::ServerContextBase* context) {
  std::lock_guard lock(mutex_);
  const auto it = calls_.find(context);
  return it == calls_.end() ? nullptr : it->second;
}

}  // namespace orderly::rpc
