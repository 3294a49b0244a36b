// Request validation as the services run it before touching a database: PlaceOrder's (every
// field of an order) on the bytes as a PlaceOrderRequest, RefundOrder's as a RefundOrderRequest,
// then the shared field checks and page tokens on the bytes as text. Anything but InvalidArgument is a finding.
#include <cstdint>
#include <string>

#include "../../services/order/src/grpc_service.h"
#include "orderly/common/page_token.h"
#include "orderly/common/validate.h"

namespace {

template <typename Check>
void Expect(Check&& check) {
  try {
    check();
  } catch (const orderly::InvalidArgument&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace validate = orderly::validate;
  namespace page_token = orderly::page_token;
  const std::string text(reinterpret_cast<const char*>(data), size);
  orderly::v1::PlaceOrderRequest request;
  if (request.ParseFromString(text)) Expect([&] { orderly::order::ValidatePlaceOrder(request); });
  orderly::v1::RefundOrderRequest refund;
  if (refund.ParseFromString(text)) Expect([&] { orderly::order::ValidateRefundOrder(refund); });
  Expect([&] { validate::Identifier("id", text, 128); });
  Expect([&] { validate::Text("name", text, 200); });
  Expect([&] { validate::Currency("currency", text); });
  Expect([&] { (void)validate::PageSize("page.page_size", static_cast<int32_t>(size) - 1000); });
  Expect([&] { (void)page_token::ParseNumber("page.page_token", text); });
  Expect([&] {
    const auto [number, id] = page_token::ParseNumberAndId("page.page_token", text);
    // What a token names, the token made from it names too.
    if (page_token::ParseNumberAndId("t", page_token::NumberAndId(number, id)) != std::make_pair(number, id)) {
      __builtin_trap();
    }
  });
  return 0;
}
