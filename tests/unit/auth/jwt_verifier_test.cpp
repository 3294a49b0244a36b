// JWT verification with keys generated at test time and an injected clock: every check that can
// fail says which one did.
#include <gtest/gtest.h>

#include "base64url.h"  // libs/auth/src: to forge headers
#include "orderly/auth/jwt.h"
#include "orderly/auth/token_minter.h"
#include "orderly/common/errors.h"

namespace orderly::auth {
namespace {

class JwtVerifierTest : public ::testing::Test {
 protected:
  // RSA key generation takes a while: the suite shares its two keys.
  static void SetUpTestSuite() {
    ec_ = new SigningKey(SigningKey::Generate(Algorithm::kEs256, "ec-1"));
    rsa_ = new SigningKey(SigningKey::Generate(Algorithm::kRs256, "rsa-1"));
  }
  static void TearDownTestSuite() {
    delete ec_;
    delete rsa_;
  }

  TokenRequest Request() const { return {"alice", {"orders"}, "orderly", "orderly", std::chrono::seconds(600)}; }

  /// The check named by the Unauthenticated that verifying `token` throws; "" if it verifies.
  std::string FailedCheck(const std::string& token) {
    try {
      (void)verifier_.Verify(token);
      return "";
    } catch (const Unauthenticated& e) {
      return e.check();
    }
  }

  static inline const SigningKey* ec_ = nullptr;
  static inline const SigningKey* rsa_ = nullptr;
  ManualClock clock_;
  JwtVerifier verifier_{Jwks::Parse(JwksJson({*ec_, *rsa_})),
                        VerifierSettings{"orderly", "orderly", std::chrono::seconds(30)}, clock_};
};

TEST_F(JwtVerifierTest, Es256AndRs256TokensVerifyWithTheirClaims) {
  for (const SigningKey* key : {ec_, rsa_}) {
    TokenRequest request = Request();
    request.scopes = {"orders", "admin"};
    const Claims claims = verifier_.Verify(MintToken(*key, request, clock_));
    EXPECT_EQ(claims.subject, "alice");
    EXPECT_EQ(claims.scopes, (std::vector<std::string>{"orders", "admin"}));
    EXPECT_TRUE(claims.HasScope("admin"));
    EXPECT_FALSE(claims.HasScope("service"));
  }
}

TEST_F(JwtVerifierTest, MissingTokenFailsMissing) { EXPECT_EQ(FailedCheck(""), "missing"); }

TEST_F(JwtVerifierTest, GarbageFailsMalformed) {
  EXPECT_EQ(FailedCheck("not-a-jwt"), "malformed");
  EXPECT_EQ(FailedCheck("a.b"), "malformed");
  EXPECT_EQ(FailedCheck("a.b.c.d"), "malformed");
  EXPECT_EQ(FailedCheck("!!!.e30.c2ln"), "malformed");
  EXPECT_EQ(FailedCheck(std::string(JwtVerifier::kMaxTokenBytes + 1, 'a')), "malformed");
}

TEST_F(JwtVerifierTest, AlgNoneIsRefused) {
  const std::string token = MintToken(*ec_, Request(), clock_);
  const std::string payload = token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
  EXPECT_EQ(FailedCheck(Base64UrlEncode(R"({"alg":"none","kid":"ec-1"})") + "." + payload + "."), "malformed");
  EXPECT_EQ(FailedCheck(Base64UrlEncode(R"({"alg":"none","kid":"ec-1"})") + "." + payload + ".c2ln"), "algorithm");
}

TEST_F(JwtVerifierTest, HmacIsRefusedEvenWithAKnownKid) {
  const std::string token = MintToken(*rsa_, Request(), clock_);
  const std::string rest = token.substr(token.find('.'));
  EXPECT_EQ(FailedCheck(Base64UrlEncode(R"({"alg":"HS256","typ":"JWT","kid":"rsa-1"})") + rest), "algorithm");
}

TEST_F(JwtVerifierTest, AlgorithmConfusionBetweenKeyTypesIsRefused) {
  // An RS256 token that names the EC key's kid: the key's type decides, not the header.
  SigningKey impostor = SigningKey::Generate(Algorithm::kRs256, "ec-1");
  EXPECT_EQ(FailedCheck(MintToken(impostor, Request(), clock_)), "algorithm");
}

TEST_F(JwtVerifierTest, ForgedSignatureFailsSignature) {
  SigningKey forger = SigningKey::Generate(Algorithm::kEs256, "ec-1");  // same kid, other key
  EXPECT_EQ(FailedCheck(MintToken(forger, Request(), clock_)), "signature");
}

TEST_F(JwtVerifierTest, TamperedPayloadFailsSignature) {
  const std::string token = MintToken(*ec_, Request(), clock_);
  TokenRequest admin = Request();
  admin.scopes = {"admin"};
  const std::string other = MintToken(*ec_, admin, clock_);
  const auto payload = [](const std::string& t) { return t.substr(t.find('.') + 1, t.rfind('.') - t.find('.') - 1); };
  std::string tampered = token;
  tampered.replace(token.find('.') + 1, payload(token).size(), payload(other));
  EXPECT_EQ(FailedCheck(tampered), "signature");
}

TEST_F(JwtVerifierTest, AVerifiedTokenDoesNotVouchForAnyOther) {
  const std::string token = MintToken(*ec_, Request(), clock_);
  ASSERT_EQ(FailedCheck(token), "");
  std::string other_signature = token;
  char& inside = other_signature[other_signature.size() - 10];  // not the last char: its low bits are padding
  inside = inside == 'A' ? 'B' : 'A';
  EXPECT_EQ(FailedCheck(other_signature), "signature");
  EXPECT_EQ(FailedCheck(token), "");
}

TEST_F(JwtVerifierTest, AVerifiedTokenStillExpires) {
  const std::string token = MintToken(*ec_, Request(), clock_);
  ASSERT_EQ(FailedCheck(token), "");
  clock_.Advance(std::chrono::seconds(600 + 31));
  EXPECT_EQ(FailedCheck(token), "expired");
}

TEST_F(JwtVerifierTest, UnknownKidFailsKey) {
  EXPECT_EQ(FailedCheck(MintToken(SigningKey::Generate(Algorithm::kEs256, "retired"), Request(), clock_)), "key");
}

TEST_F(JwtVerifierTest, ExpiredBeyondTheSkewFailsExpired) {
  const std::string token = MintToken(*ec_, Request(), clock_);
  clock_.Advance(std::chrono::seconds(600 + 29));
  EXPECT_EQ(FailedCheck(token), "");  // within the 30 s skew
  clock_.Advance(std::chrono::seconds(2));
  EXPECT_EQ(FailedCheck(token), "expired");
}

TEST_F(JwtVerifierTest, NotYetValidBeyondTheSkewFailsNotYetValid) {
  ManualClock issuer_clock(clock_.Now() + std::chrono::seconds(60));
  EXPECT_EQ(FailedCheck(MintToken(*ec_, Request(), issuer_clock)), "not_yet_valid");
  ManualClock close_clock(clock_.Now() + std::chrono::seconds(20));
  EXPECT_EQ(FailedCheck(MintToken(*ec_, Request(), close_clock)), "");
}

TEST_F(JwtVerifierTest, WrongAudienceFailsAudience) {
  TokenRequest request = Request();
  request.audience = "billing";
  EXPECT_EQ(FailedCheck(MintToken(*ec_, request, clock_)), "audience");
}

TEST_F(JwtVerifierTest, WrongIssuerFailsIssuer) {
  TokenRequest request = Request();
  request.issuer = "someone-else";
  EXPECT_EQ(FailedCheck(MintToken(*ec_, request, clock_)), "issuer");
}

TEST_F(JwtVerifierTest, MessagesNeverQuoteTheToken) {
  const std::string token = MintToken(SigningKey::Generate(Algorithm::kEs256, "ec-1"), Request(), clock_);
  try {
    (void)verifier_.Verify(token);
    FAIL() << "a forged token verified";
  } catch (const Unauthenticated& e) {
    EXPECT_EQ(std::string(e.what()).find(token.substr(token.rfind('.') + 1)), std::string::npos);
  }
}

TEST(JwksTest, RejectsKeysThatCouldVerifyAnythingElse) {
  EXPECT_THROW((void)Jwks::Parse("[]"), InvalidArgument);
  EXPECT_THROW((void)Jwks::Parse(R"({"keys":[]})"), InvalidArgument);
  EXPECT_THROW((void)Jwks::Parse(R"({"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"}]})"), InvalidArgument);
  const SigningKey key = SigningKey::Generate(Algorithm::kEs256, "k");
  std::string json = JwksJson({key});
  EXPECT_EQ(Jwks::Parse(json).size(), 1u);
  std::string wrong_alg = json;
  wrong_alg.replace(wrong_alg.find("ES256"), 5, "HS256");
  EXPECT_THROW((void)Jwks::Parse(wrong_alg), InvalidArgument);
  EXPECT_THROW((void)Jwks::Parse(JwksJson({key, key})), InvalidArgument);  // duplicate kid
}

TEST(JwksTest, SeveralKeysByKidLetKeysRotate) {
  ManualClock clock;
  const SigningKey old_key = SigningKey::Generate(Algorithm::kEs256, "2025");
  const SigningKey new_key = SigningKey::Generate(Algorithm::kRs256, "2026");
  const JwtVerifier verifier(Jwks::Parse(JwksJson({old_key, new_key})), VerifierSettings{}, clock);
  const TokenRequest request{"bob", {"orders"}};
  EXPECT_EQ(verifier.Verify(MintToken(old_key, request, clock)).subject, "bob");
  EXPECT_EQ(verifier.Verify(MintToken(new_key, request, clock)).subject, "bob");
}

TEST(MintingTokenSourceTest, RenewsAtHalfLife) {
  ManualClock clock;
  MintingTokenSource source(SigningKey::Generate(Algorithm::kEs256, "k"),
                            {"svc", {"service"}, "orderly", "orderly", std::chrono::seconds(100)}, clock);
  const std::string first = source.Token();
  clock.Advance(std::chrono::seconds(49));
  EXPECT_EQ(source.Token(), first);
  clock.Advance(std::chrono::seconds(2));
  EXPECT_NE(source.Token(), first);
}

}  // namespace
}  // namespace orderly::auth
