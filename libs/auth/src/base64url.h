#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace orderly::auth {

/// RFC 4648 §5 base64url without padding, as JWS and JWK use it.
[[nodiscard]] std::string Base64UrlEncode(std::string_view bytes);
/// std::nullopt for a character outside the alphabet or an impossible length; padding is refused.
[[nodiscard]] std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace orderly::auth
