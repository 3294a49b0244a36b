#pragma once

#include <grpcpp/server_context.h>

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "orderly/auth/jwt.h"

namespace orderly::rpc {

/// Who may call a method. Every rule but kOpen needs a verified token; `admin` passes every rule.
enum class Access {
  kOpen,         // anyone, no token: health checks and reflection
  kAnyCaller,    // any verified token (orders, admin or service scope), e.g. catalog reads
  kOwnCustomer,  // scope orders, and the request's customer_id is the caller's sub
  kOwnResource,  // scope orders; the handler checks the resource's owner with RequireOwner
  kService,      // scope service: calls between Orderly services
  kAdmin,        // scope admin: operations (catalog writes, restock, deposits, sagas)
};

/// Rate-limit groups a method can belong to; rate_limit.groups configures each. Only customers
/// (scope orders) are limited: admin and service callers are trusted operators and peers.
enum class RateGroup { kRead, kWrite };
[[nodiscard]] std::string_view RateGroupName(RateGroup group);

struct MethodRule {
  Access access = Access::kAdmin;
  RateGroup rate_group = RateGroup::kWrite;
};

/// Each service's one table: full method name ("/orderly.v1.OrderService/GetOrder") -> its rule.
/// A method missing from the table is refused (PERMISSION_DENIED), except health and reflection.
using AccessTable = std::map<std::string, MethodRule, std::less<>>;

/// The table of one gRPC service from its full proto name (e.g. "orderly.v1.OrderService") and
/// the rules of its methods by short name.
[[nodiscard]] AccessTable ServiceAccess(std::string_view service,
                                        std::initializer_list<std::pair<std::string_view, MethodRule>> methods);

/// The rule for `method`: kOpen for the gRPC health and reflection services, the table's entry, or
/// std::nullopt when the table has none.
[[nodiscard]] std::optional<MethodRule> RuleFor(const AccessTable& table, std::string_view method);

/// Whether `caller` may call a method with `rule` (pure; no I/O). `request_customer` is the
/// request's customer_id for kOwnCustomer rules. kOwnResource passes here for a caller with the
/// orders scope; the handler then calls RequireOwner once it knows the owner.
/// @throws Unauthenticated("missing") when a token is required and `caller` is null;
/// PermissionDenied naming the scope or the customer otherwise.
void Authorize(std::string_view method, const MethodRule& rule, const auth::Claims* caller,
               std::string_view request_customer);

/// The verified caller of the call `context` serves, or nullptr (authentication off, or an open
/// method). Valid for the call's lifetime. Thread-safe.
[[nodiscard]] const auth::Claims* CallerOf(const grpc::ServerContextBase* context);

/// For kOwnResource methods, once the handler knows whose the resource is: passes for admin and
/// service callers and for the owner, and when authentication is off.
/// @throws PermissionDenied for another customer. We answer PERMISSION_DENIED, not NOT_FOUND: order
/// ids are UUIDv7 with 74 random bits, so the code reveals nothing a caller could enumerate, and it
/// tells a support engineer "wrong customer's token" instead of "no such order".
void RequireOwner(const grpc::ServerContextBase* context, std::string_view owner_customer_id);

}  // namespace orderly::rpc
