#include "call_state.h"

namespace orderly::rpc {

CallRegistry& CallRegistry::Instance() {
  static CallRegistry registry;
  return registry;
}

void CallRegistry::Add(const grpc::ServerContextBase* context, std::shared_ptr<CallState> state) {
  std::lock_guard lock(mutex_);
  calls_[context] = std::move(state);
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
