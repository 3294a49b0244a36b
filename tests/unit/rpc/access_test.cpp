// The authorization rules as pure logic: no server, no token, just claims.
#include "orderly/rpc/access.h"

#include <gtest/gtest.h>

#include "orderly/common/errors.h"

namespace orderly::rpc {
namespace {

auth::Claims Caller(std::string subject, std::vector<std::string> scopes) {
  return {std::move(subject), std::move(scopes), {}};
}

const AccessTable kTable = {{"/s.S/Place", {Access::kOwnCustomer, RateGroup::kWrite}},
                            {"/s.S/Get", {Access::kOwnResource, RateGroup::kRead}},
                            {"/s.S/Catalog", {Access::kAnyCaller, RateGroup::kRead}},
                            {"/s.S/Internal", {Access::kService, RateGroup::kRead}},
                            {"/s.S/Restock", {Access::kAdmin, RateGroup::kWrite}}};

void Check(std::string_view method, const auth::Claims* caller, std::string_view customer = "") {
  const auto rule = RuleFor(kTable, method);
  ASSERT_TRUE(rule.has_value()) << method;
  Authorize(method, *rule, caller, customer);
}

TEST(AccessTest, HealthAndReflectionAreOpenWithoutAToken) {
  EXPECT_EQ(RuleFor(kTable, "/grpc.health.v1.Health/Check")->access, Access::kOpen);
  EXPECT_EQ(RuleFor(kTable, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")->access, Access::kOpen);
  EXPECT_NO_THROW(Check("/grpc.health.v1.Health/Check", nullptr));
}

TEST(AccessTest, AMethodWithoutARuleHasNone) { EXPECT_FALSE(RuleFor(kTable, "/s.S/Unlisted").has_value()); }

TEST(AccessTest, EveryOtherRuleNeedsAToken) {
  for (const auto& [method, rule] : kTable) {
    EXPECT_THROW(Authorize(method, rule, nullptr, ""), Unauthenticated) << method;
  }
}

TEST(AccessTest, ACustomerActsOnlyForItself) {
  const auto alice = Caller("alice", {"orders"});
  EXPECT_NO_THROW(Check("/s.S/Place", &alice, "alice"));
  EXPECT_THROW(Check("/s.S/Place", &alice, "bob"), PermissionDenied);
  EXPECT_THROW(Check("/s.S/Place", &alice, ""), PermissionDenied);
  EXPECT_NO_THROW(Check("/s.S/Get", &alice));  // the handler checks the owner
  EXPECT_NO_THROW(Check("/s.S/Catalog", &alice));
}

TEST(AccessTest, ACustomerIsDeniedAdminAndServiceMethods) {
  const auto alice = Caller("alice", {"orders"});
  EXPECT_THROW(Check("/s.S/Restock", &alice), PermissionDenied);
  EXPECT_THROW(Check("/s.S/Internal", &alice), PermissionDenied);
}

TEST(AccessTest, AdminPassesEveryRule) {
  const auto admin = Caller("ops", {"admin"});
  for (const auto& [method, rule] : kTable) EXPECT_NO_THROW(Authorize(method, rule, &admin, "anyone")) << method;
}

TEST(AccessTest, AServiceCallsServiceMethodsAndReadsTheCatalogButActsForNoCustomer) {
  const auto order_service = Caller("orderly-order", {"service"});
  EXPECT_NO_THROW(Check("/s.S/Internal", &order_service));
  EXPECT_NO_THROW(Check("/s.S/Catalog", &order_service));
  EXPECT_THROW(Check("/s.S/Place", &order_service, "alice"), PermissionDenied);
  EXPECT_THROW(Check("/s.S/Restock", &order_service), PermissionDenied);
}

TEST(AccessTest, ATokenWithoutScopesGetsNothing) {
  const auto nobody = Caller("alice", {});
  for (const auto& [method, rule] : kTable) EXPECT_THROW(Authorize(method, rule, &nobody, "alice"), PermissionDenied);
}

}  // namespace
}  // namespace orderly::rpc
