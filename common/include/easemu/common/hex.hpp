#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace easemu::common {

// The value of one hex digit, or -1.
int hex_digit_value(char c);

// Lower-case hex, two digits per byte, separated by `separator` when it is not '\0'.
std::string hex_encode(std::string_view bytes, char separator = '\0');

// Hex as people paste it from logs and traces: "03 01 6A 00", "03016a00", "0x03, 0x01",
// "03:01:6a". White space, ',', ':' and '-' separate; a "0x" prefix is allowed before each
// byte. std::nullopt for anything else or an odd number of digits.
std::optional<std::string> hex_decode(std::string_view text);

// `bytes` bytes from OpenSSL's random generator as lower-case hex (secrets: tokens, tickets).
// Throws std::runtime_error when the generator fails.
std::string random_hex(std::size_t bytes);

}  // namespace easemu::common
