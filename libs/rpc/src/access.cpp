#include "orderly/rpc/access.h"

#include "call_state.h"
#include "orderly/common/errors.h"
#include "orderly/rpc/status.h"

namespace orderly::rpc {
namespace {

// gRPC's own services, open so that probes and grpcurl work without a token.
constexpr std::string_view kOpenPrefixes[] = {"/grpc.health.v1.Health/", "/grpc.reflection.v1alpha.ServerReflection/",
                                              "/grpc.reflection.v1.ServerReflection/"};

std::string_view AccessName(Access access) {
  switch (access) {
    case Access::kOpen:
      return "open";
    case Access::kAnyCaller:
      return "any caller";
    case Access::kOwnCustomer:
    case Access::kOwnResource:
      return "scope orders";
    case Access::kService:
      return "scope service";
    case Access::kAdmin:
      return "scope admin";
  }
  return "scope admin";
}

}  // namespace

std::string_view RateGroupName(RateGroup group) {
  switch (group) {
    case RateGroup::kRead:
      return "read";
    case RateGroup::kWrite:
      return "write";
  }
  return "write";
}

AccessTable ServiceAccess(std::string_view service,
                          std::initializer_list<std::pair<std::string_view, MethodRule>> methods) {
  AccessTable table;
  for (const auto& [method, rule] : methods)
    table.emplace("/" + std::string(service) + "/" + std::string(method), rule);
  return table;
}

std::optional<MethodRule> RuleFor(const AccessTable& table, std::string_view method) {
  for (std::string_view prefix : kOpenPrefixes) {
    if (method.substr(0, prefix.size()) == prefix) return MethodRule{Access::kOpen, RateGroup::kRead};
  }
  const auto it = table.find(method);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

void Authorize(std::string_view method, const MethodRule& rule, const auth::Claims* caller,
               std::string_view request_customer) {
  if (rule.access == Access::kOpen) return;
  if (caller == nullptr) throw Unauthenticated("missing", "no bearer token in the authorization metadata");
  if (caller->HasScope(auth::kScopeAdmin)) return;
  const auto refuse = [&] {
    throw PermissionDenied(std::string(method) + " needs " + std::string(AccessName(rule.access)));
  };
  switch (rule.access) {
    case Access::kOpen:
      return;
    case Access::kAnyCaller:
      if (!caller->HasScope(auth::kScopeOrders) && !caller->HasScope(auth::kScopeService)) refuse();
      return;
    case Access::kOwnCustomer:
      if (!caller->HasScope(auth::kScopeOrders)) refuse();
      if (request_customer != caller->subject) {
        throw PermissionDenied(std::string(method) + ": customer '" + caller->subject +
                               "' may act only for itself, not for '" + std::string(request_customer) + "'");
      }
      return;
    case Access::kOwnResource:
      if (!caller->HasScope(auth::kScopeOrders)) refuse();
      return;
    case Access::kService:
      if (!caller->HasScope(auth::kScopeService)) refuse();
      return;
    case Access::kAdmin:
      refuse();
  }
}

const auth::Claims* CallerOf(const grpc::ServerContextBase* context) {
  const auto state = CallRegistry::Instance().Find(context);
  // The state lives until the call ends, and the handler asking belongs to that call.
  return state && state->caller ? &*state->caller : nullptr;
}

void RequireOwner(const grpc::ServerContextBase* context, std::string_view owner_customer_id) {
  const auth::Claims* caller = CallerOf(context);
  if (caller == nullptr || caller->HasScope(auth::kScopeAdmin) || caller->HasScope(auth::kScopeService)) return;
  if (caller->subject != owner_customer_id) {
    throw PermissionDenied("customer '" + caller->subject + "' may not see or change another customer's order");
  }
}

void ThrowIfRefused(const grpc::ServerContextBase* context) {
  if (context == nullptr) return;
  const auto state = CallRegistry::Instance().Find(context);
  if (state && state->refusal) std::rethrow_exception(state->refusal);
}

}  // namespace orderly::rpc
