#include "openssl_keys.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <memory>

#include "base64url.h"
#include "orderly/common/errors.h"

namespace orderly::auth::openssl {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ParamBuilder = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;
using PkeyContext = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;

constexpr int kP256CoordinateBytes = 32;

std::string LastError() {
  char text[256] = "unknown OpenSSL error";
  if (const unsigned long code = ERR_get_error(); code != 0) ERR_error_string_n(code, text, sizeof(text));
  ERR_clear_error();
  return text;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

Pkey ReadPrivate(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) throw InvalidArgument("signing key", "not a PEM private key (" + LastError() + ")");
  return key;
}

std::string BignumParam(const EVP_PKEY* key, const char* name, int pad_to = 0) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) throw Internal(std::string("cannot read key parameter ") + name);
  const Bignum value(raw);
  const int size = pad_to > 0 ? pad_to : BN_num_bytes(value.get());
  std::string bytes(static_cast<size_t>(size), '\0');
  if (BN_bn2binpad(value.get(), reinterpret_cast<unsigned char*>(bytes.data()), size) != size) {
    throw Internal(std::string("key parameter ") + name + " does not fit");
  }
  return bytes;
}

}  // namespace

std::string GeneratePrivatePem(Algorithm algorithm) {
  Pkey key(algorithm == Algorithm::kRs256 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})
                                          : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) throw Internal("key generation failed: " + LastError());
  Bio bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw Internal("cannot write the private key: " + LastError());
  }
  return BioText(bio.get());
}

Algorithm AlgorithmOfPrivatePem(const std::string& private_pem) {
  const Pkey key = ReadPrivate(private_pem);
  if (EVP_PKEY_is_a(key.get(), "RSA")) return Algorithm::kRs256;
  if (EVP_PKEY_is_a(key.get(), "EC")) {
    char group[64] = "";
    size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &length) == 1 &&
        std::string_view(group, length) == "prime256v1") {
      return Algorithm::kEs256;
    }
    throw InvalidArgument("signing key", "an EC key must be on P-256 (ES256)");
  }
  throw InvalidArgument("signing key", "must be an RSA (RS256) or EC P-256 (ES256) key");
}

JwkMembers PublicMembers(const std::string& private_pem) {
  const Algorithm algorithm = AlgorithmOfPrivatePem(private_pem);
  const Pkey key = ReadPrivate(private_pem);
  if (algorithm == Algorithm::kRs256) {
    return {Base64UrlEncode(BignumParam(key.get(), OSSL_PKEY_PARAM_RSA_N)),
            Base64UrlEncode(BignumParam(key.get(), OSSL_PKEY_PARAM_RSA_E))};
  }
  return {Base64UrlEncode(BignumParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, kP256CoordinateBytes)),
          Base64UrlEncode(BignumParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, kP256CoordinateBytes))};
}

std::string PublicPemFromMembers(Algorithm algorithm, const std::string& first, const std::string& second) {
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  Bignum n, e;
  std::string point;
  if (algorithm == Algorithm::kRs256) {
    n.reset(BN_bin2bn(reinterpret_cast<const unsigned char*>(first.data()), static_cast<int>(first.size()), nullptr));
    e.reset(BN_bin2bn(reinterpret_cast<const unsigned char*>(second.data()), static_cast<int>(second.size()), nullptr));
    OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
    OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
  } else {
    if (first.size() != kP256CoordinateBytes || second.size() != kP256CoordinateBytes) {
      throw InvalidArgument("jwk", "P-256 coordinates x and y must be 32 bytes each");
    }
    point = std::string(1, '\x04') + first + second;  // SEC1 uncompressed point
    OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  }
  const Params params(OSSL_PARAM_BLD_to_param(builder.get()));
  const PkeyContext context(
      EVP_PKEY_CTX_new_from_name(nullptr, algorithm == Algorithm::kRs256 ? "RSA" : "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    throw InvalidArgument("jwk", "not a usable public key (" + LastError() + ")");
  }
  const Pkey key(raw);
  if (algorithm == Algorithm::kEs256) {
    const PkeyContext check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
      throw InvalidArgument("jwk", "the point is not on P-256 (" + LastError() + ")");
    }
  }
  Bio bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) throw Internal("cannot write a public key: " + LastError());
  return BioText(bio.get());
}

}  // namespace orderly::auth::openssl
