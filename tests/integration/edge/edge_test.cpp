// The gRPC edge on real services: tokens, per-customer authorization, rate limits (with and
// without Redis) and TLS. Tokens are minted with the test environment's key, generated at start-up.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "orderly/common/clock.h"
#include "orderly/payment/payment.h"
#include "orderly/rpc/bearer_token.h"
#include "orderly/rpc/channel.h"
#include "orderly/rpc/status.h"
#include "orderly/v1/order.grpc.pb.h"
#include "orderly/v1/payment.grpc.pb.h"
#include "service_harness.h"
#include "shop_client.h"
#include "test_env.h"
#include "test_tokens.h"

namespace orderly {
namespace {

using testing::TestToken;
using testing::UniqueName;

std::shared_ptr<auth::TokenSource> Bearer(std::string token) {
  return std::make_shared<auth::StaticTokenSource>(std::move(token));
}

std::shared_ptr<auth::TokenSource> Customer(const std::string& customer) {
  return Bearer(TestToken(customer, {"orders"}));
}

class EdgeTest : public ::testing::Test {
 protected:
  /// GetAccount of `customer` at `target`, with `authorization` as the raw metadata ("" = none).
  static grpc::Status GetAccountWithHeader(const std::string& target, const std::string& customer,
                                           const std::string& authorization) {
    auto stub = v1::PaymentService::NewStub(rpc::CreateChannel(rpc::ClientSettings{target}));
    grpc::ClientContext context;
    if (!authorization.empty()) context.AddMetadata("authorization", authorization);
    v1::GetAccountRequest request;
    request.set_customer_id(customer);
    request.set_currency("EUR");
    v1::GetAccountResponse response;
    return stub->GetAccount(&context, request, &response);
  }

  struct Answer {
    grpc::Status status;
    std::string retry_after_ms;  // the trailing metadata, "" when absent
  };
  static Answer GetAccount(const std::string& target, const std::string& customer,
                           std::shared_ptr<auth::TokenSource> tokens) {
    auto stub = v1::PaymentService::NewStub(rpc::CreateChannel(rpc::ClientSettings{target}, std::move(tokens)));
    grpc::ClientContext context;
    v1::GetAccountRequest request;
    request.set_customer_id(customer);
    request.set_currency("EUR");
    v1::GetAccountResponse response;
    Answer answer{stub->GetAccount(&context, request, &response), ""};
    const auto& trailers = context.GetServerTrailingMetadata();
    if (const auto it = trailers.find(std::string(rpc::kRetryAfterMetadata)); it != trailers.end()) {
      answer.retry_after_ms = std::string(it->second.data(), it->second.size());
    }
    return answer;
  }

  testing::ServiceHarness payment_{payment::Definition()};
};

std::string Token(const auth::TokenRequest& request, const Clock& clock) {
  return auth::MintToken(testing::TestSigningKey(), request, clock);
}

auth::TokenRequest AliceRequest() {
  const auth::Settings& settings = testing::TestPlatform().edge.auth;
  return {"alice", {"orders"}, settings.verifier.issuer, settings.verifier.audience, std::chrono::hours(1)};
}

TEST_F(EdgeTest, EachBadTokenIsUnauthenticatedNamingTheFailedCheck) {
  payment_.Start();
  ManualClock two_hours_ago(SystemClock::Instance().Now() - std::chrono::hours(2));
  auth::TokenRequest wrong_audience = AliceRequest();
  wrong_audience.audience = "billing";
  const auth::SigningKey forger = auth::SigningKey::Generate(auth::Algorithm::kEs256, "test-1");
  const std::map<std::string, std::string> cases = {
      {"", "missing"},
      {"Basic YWxpY2U6c2VjcmV0", "malformed"},
      {"Bearer not.a.jwt", "malformed"},
      {"Bearer " + Token(AliceRequest(), two_hours_ago), "expired"},
      {"Bearer " + auth::MintToken(forger, AliceRequest(), SystemClock::Instance()), "signature"},
      {"Bearer " + Token(wrong_audience, SystemClock::Instance()), "audience"},
  };
  for (const auto& [header, check] : cases) {
    const grpc::Status status = GetAccountWithHeader(payment_.Address(), "alice", header);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << check;
    EXPECT_EQ(status.error_message().rfind(check + ":", 0), 0u) << status.error_message();
  }
  EXPECT_EQ(
      GetAccountWithHeader(payment_.Address(), "alice", "Bearer " + Token(AliceRequest(), SystemClock::Instance()))
          .error_code(),
      grpc::StatusCode::NOT_FOUND);  // a good token gets through to the handler
}

TEST_F(EdgeTest, ACustomerReadsOnlyItsOwnAccount) {
  payment_.Start();
  testing::ShopClient admin(payment_.Address(), payment_.Address(), payment_.Address(), payment_.Address());
  const std::string alice = UniqueName("alice");
  const std::string bob = UniqueName("bob");
  admin.Fund(alice, 100);
  admin.Fund(bob, 100);
  EXPECT_EQ(GetAccount(payment_.Address(), alice, Customer(alice)).status.error_code(), grpc::StatusCode::OK);
  EXPECT_EQ(GetAccount(payment_.Address(), bob, Customer(alice)).status.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(EdgeTest, ACustomerOnAnAdminRpcIsPermissionDeniedAndNothingHappens) {
  payment_.Start();
  testing::ShopClient admin(payment_.Address(), payment_.Address(), payment_.Address(), payment_.Address());
  const std::string alice = UniqueName("alice");
  admin.Fund(alice, 100);
  auto stub = v1::PaymentService::NewStub(rpc::CreateChannel(rpc::ClientSettings{payment_.Address()}, Customer(alice)));
  v1::DepositRequest deposit;
  deposit.set_customer_id(alice);
  deposit.mutable_amount()->set_minor_units(1'000'000);
  deposit.mutable_amount()->set_currency("EUR");
  grpc::ClientContext context;
  v1::DepositResponse response;
  const grpc::Status status = stub->Deposit(&context, deposit, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_EQ(admin.Account(alice).available().minor_units(), 100);
}

TEST_F(EdgeTest, CustomerAOnCustomerBsOrderIsPermissionDeniedAndCannotCancelIt) {
  // The shared test stack: its order service calls inventory with a service token.
  const auto& services = testing::TestPlatform().services;
  testing::ShopClient admin(services);
  const std::string sku = UniqueName("SKU");
  const std::string alice = UniqueName("alice");
  const std::string bob = UniqueName("bob");
  admin.AddProduct(sku, 500, 10);
  admin.Fund(bob, 10'000);
  auto as_bob =
      v1::OrderService::NewStub(rpc::CreateChannel(rpc::ClientSettings{services.order.server.listen}, Customer(bob)));
  auto as_alice =
      v1::OrderService::NewStub(rpc::CreateChannel(rpc::ClientSettings{services.order.server.listen}, Customer(alice)));

  v1::PlaceOrderRequest place;
  place.set_idempotency_key(UniqueName("key"));
  place.set_customer_id(bob);
  place.set_currency("EUR");
  auto* line = place.add_lines();
  line->set_sku(sku);
  line->set_quantity(1);
  v1::PlaceOrderResponse placed;
  {
    grpc::ClientContext context;
    const grpc::Status status = as_alice->PlaceOrder(&context, place, &placed);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << "alice ordering for bob";
  }
  {
    grpc::ClientContext context;
    const grpc::Status status = as_bob->PlaceOrder(&context, place, &placed);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  const std::string order_id = placed.order().order_id();
  v1::GetOrderRequest get;
  get.set_order_id(order_id);
  v1::GetOrderResponse got;
  {
    grpc::ClientContext context;
    EXPECT_EQ(as_alice->GetOrder(&context, get, &got).error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_FALSE(got.has_order());
  }
  {
    grpc::ClientContext context;
    v1::CancelOrderRequest cancel;
    cancel.set_order_id(order_id);
    v1::CancelOrderResponse cancelled;
    EXPECT_EQ(as_alice->CancelOrder(&context, cancel, &cancelled).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext context;
    ASSERT_TRUE(as_bob->GetOrder(&context, get, &got).ok());
    EXPECT_EQ(got.order().customer_id(), bob);
    EXPECT_FALSE(got.order().cancel_requested());
  }
  EXPECT_EQ(admin.WaitForTerminal(order_id).status(), v1::ORDER_STATUS_CONFIRMED);
}

class RateLimitTest : public EdgeTest {
 protected:
  void Limit(int64_t burst) {
    auto& limits = payment_.settings().edge.rate_limit;
    limits.enabled = true;
    limits.groups[rpc::RateGroup::kRead] = {1, burst};
  }

  /// `burst` reads pass, the next is refused for load with a retry delay of up to a second.
  void ExpectRefusedAfterTheBurst(int64_t burst) {
    const std::string alice = UniqueName("alice");
    for (int64_t i = 0; i < burst; ++i) {
      const Answer answer = GetAccount(payment_.Address(), alice, Customer(alice));
      EXPECT_EQ(answer.status.error_code(), grpc::StatusCode::NOT_FOUND)
          << "call " << i << ": " << answer.status.error_message();
    }
    const Answer refused = GetAccount(payment_.Address(), alice, Customer(alice));
    EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.status.error_message();
    ASSERT_FALSE(refused.retry_after_ms.empty());
    EXPECT_GT(std::stoll(refused.retry_after_ms), 0);
    EXPECT_LE(std::stoll(refused.retry_after_ms), 1000);
    // Another customer has its own bucket.
    const std::string bob = UniqueName("bob");
    EXPECT_EQ(GetAccount(payment_.Address(), bob, Customer(bob)).status.error_code(), grpc::StatusCode::NOT_FOUND);
  }
};

TEST_F(RateLimitTest, OverTheLimitIsResourceExhaustedWithARetryDelay) {
  Limit(3);
  payment_.Start();
  ExpectRefusedAfterTheBurst(3);
}

TEST_F(RateLimitTest, WithRedisDownTheLocalBucketStillLimits) {
  Limit(3);
  payment_.settings().redis.port = testing::FreePort();  // nothing listens there
  payment_.Start();
  ExpectRefusedAfterTheBurst(3);
}

TEST_F(RateLimitTest, AdminAndServiceCallersAreNotLimited) {
  Limit(1);
  payment_.Start();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(GetAccount(payment_.Address(), "nobody", testing::AdminTokens()).status.error_code(),
              grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(GetAccount(payment_.Address(), "nobody", Bearer(TestToken("nobody", {"service", "orders"})))
                  .status.error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
}

/// A CA and certificates for 127.0.0.1 made with the openssl CLI at test time.
class TlsTest : public EdgeTest {
 protected:
  TlsTest() : dir_(std::filesystem::temp_directory_path() / UniqueName("orderly-tls")) {
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "san.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
    const std::string d = dir_.string();
    const std::string key = "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes ";
    const std::string sign = "openssl x509 -req -days 1 -CA " + d + "/ca.pem -CAkey " + d + "/ca.key -CAcreateserial ";
    for (const std::string& command :
         {"openssl req -x509 -days 1 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + d +
              "/ca.key -out " + d + "/ca.pem -subj /CN=orderly-test-ca",
          key + "-keyout " + d + "/server.key -out " + d + "/server.csr -subj /CN=localhost",
          sign + "-in " + d + "/server.csr -out " + d + "/server.pem -extfile " + d + "/san.ext",
          key + "-keyout " + d + "/client.key -out " + d + "/client.csr -subj /CN=orderly-test-client",
          sign + "-in " + d + "/client.csr -out " + d + "/client.pem"}) {
      const auto result = testing::RunCommand(command);
      EXPECT_EQ(result.exit_code, 0) << command << ": " << result.output;
    }
    auto& server = payment_.settings().services.payment.server;
    server.tls_cert_file = d + "/server.pem";
    server.tls_key_file = d + "/server.key";
  }
  ~TlsTest() override { std::filesystem::remove_all(dir_); }

  grpc::StatusCode Call(bool tls, bool client_certificate) {
    rpc::ClientSettings client{payment_.Address()};
    if (tls) client.tls_ca_file = (dir_ / "ca.pem").string();
    if (client_certificate) {
      client.tls_cert_file = (dir_ / "client.pem").string();
      client.tls_key_file = (dir_ / "client.key").string();
    }
    client.deadline = std::chrono::milliseconds(3000);
    auto stub = v1::PaymentService::NewStub(rpc::CreateChannel(client, testing::AdminTokens()));
    const auto context = rpc::MakeContext(client);
    v1::GetAccountRequest request;
    request.set_customer_id("nobody");
    request.set_currency("EUR");
    v1::GetAccountResponse response;
    return stub->GetAccount(context.get(), request, &response).error_code();
  }

  std::filesystem::path dir_;
};

TEST_F(TlsTest, TlsHandshakeSucceedsWithTheCaAndPlaintextIsRefused) {
  payment_.Start();
  EXPECT_EQ(Call(true, false), grpc::StatusCode::NOT_FOUND);  // through TLS to the handler
  EXPECT_EQ(Call(false, false), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, MutualTlsNeedsAClientCertificateFromTheCa) {
  payment_.settings().services.payment.server.tls_client_ca_file = (dir_ / "ca.pem").string();
  payment_.Start();
  EXPECT_EQ(Call(true, true), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Call(true, false), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace orderly
