#pragma once
// Small text helpers protocol code needs everywhere: ASCII case folding (EAS names, e-mail
// addresses, Exchange identities are compared case-insensitively) and strict decimal numbers.
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

namespace easemu::common {

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

inline std::string ascii_lowercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = ascii_lower(c);
  return out;
}

// The whole of `text` as a decimal number of type T; nullopt for anything else (empty, signs
// where T is unsigned, trailing bytes, overflow).
template <class T>
std::optional<T> parse_decimal(std::string_view text) {
  T v{};
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

}  // namespace easemu::common
