#include "easemu/eas/url.hpp"

#include "easemu/common/hex.hpp"

namespace easemu::eas {

namespace {

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

result<std::string> percent_decode(std::string_view text, plus_rule plus) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (text.size() - i < 3) {
        return make_parse_error(errc::bad_percent_encoding, i, "'%' at the end");
      }
      const int hi = common::hex_digit_value(text[i + 1]);
      const int lo = common::hex_digit_value(text[i + 2]);
      if (hi < 0 || lo < 0) {
        return make_parse_error(errc::bad_percent_encoding, i, "'%' without two hex digits");
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus == plus_rule::space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string percent_encode(std::string_view bytes) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) {
    if (unreserved(c)) {
      out.push_back(c);
    } else {
      const auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(digits[b >> 4]);
      out.push_back(digits[b & 0x0F]);
    }
  }
  return out;
}

}  // namespace easemu::eas
