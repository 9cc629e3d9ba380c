#pragma once
// Client text for log lines and stored fields (issue 23: a DeviceType with %0A forged a log line).
#include <string>
#include <string_view>

namespace easemu::common {

// A client's text made safe for a log line or a stored field shown on a line: every ASCII
// control character (CR, LF, ESC, ...) and DEL becomes \xNN, so nothing a client sends can
// forge a log line or a terminal escape. Other bytes (UTF-8 included) stay as they are.
inline std::string escape_controls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

// Whether escape_controls would change `text`.
constexpr bool has_controls(std::string_view text) {
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace easemu::common
