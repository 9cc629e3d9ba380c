#pragma once
// Base64 (RFC 4648 standard alphabet, with padding) over OpenSSL's EVP encoder.
#include <optional>
#include <string>
#include <string_view>

namespace easemu::common {

std::string base64_encode(std::string_view bytes);

// Decodes standard base64; ASCII white space anywhere is ignored (pasted and wrapped text).
// std::nullopt for anything else that is not base64, including bad padding.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace easemu::common
