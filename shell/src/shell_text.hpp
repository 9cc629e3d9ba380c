#pragma once
// What the cmdlet parser and the OPATH filter parser both read the same way: ASCII letters,
// PowerShell's backtick escapes, and line and column (counted in code points, as PowerShell
// reports them) of offsets in a text. Internal to easemu_admin.
#include <cstddef>
#include <string_view>

namespace easemu::shell::detail {

inline bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// PowerShell's escapes in double-quoted strings and bare words; any other escaped character
// stands for itself (`" `` `$ `,).
inline char backtick_escape(char c) {
  switch (c) {
    case '0': return '\0';
    case 'a': return '\a';
    case 'b': return '\b';
    case 'e': return '\x1b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'v': return '\v';
    default: return c;
  }
}

struct text_position {
  std::size_t offset = 0;
  std::size_t line = 1;
  std::size_t column = 1;
};

// Moves `p` forward to `to` (never backwards). CR LF, LF and a lone CR each end a line.
inline void advance(std::string_view text, text_position& p, std::size_t to) {
  if (to > text.size()) to = text.size();
  for (; p.offset < to; ++p.offset) {
    const auto ch = static_cast<unsigned char>(text[p.offset]);
    if (ch == '\n' || (ch == '\r' && (p.offset + 1 >= text.size() || text[p.offset + 1] != '\n'))) {
      ++p.line;
      p.column = 1;
    } else if (ch != '\r' && (ch & 0xC0) != 0x80) {
      ++p.column;
    }
  }
}

}  // namespace easemu::shell::detail
