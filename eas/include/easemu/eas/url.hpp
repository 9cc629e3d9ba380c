#pragma once
// Percent-encoding of query strings (RFC 3986 section 2.1).
#include <string>
#include <string_view>

#include "easemu/eas/error.hpp"

namespace easemu::eas {

enum class plus_rule : unsigned char {
  literal,  // '+' stays '+' (base64 text, whose alphabet has '+')
  space,    // '+' means ' ' (HTML form encoding, as ASP.NET and PHP decode query values)
};

// Decodes %XX escapes (either case of hex digit). A '%' not followed by two hex digits is an
// error (errc::bad_percent_encoding) at the offset of the '%', rather than being passed
// through as some web stacks do: a client that sends one is broken and should be told.
result<std::string> percent_decode(std::string_view text, plus_rule plus);

// Encodes every byte except the RFC 3986 unreserved characters (ALPHA DIGIT - . _ ~) as %XX
// with upper-case hex: safe for any query value, including '+', '/', '=', '@' and '\'.
std::string percent_encode(std::string_view bytes);

}  // namespace easemu::eas
