#pragma once
// Line and column (counted in code points, as PowerShell reports them) of offsets in a text:
// shared by the cmdlet parser and the OPATH filter parser. Internal to easemu_admin.
#include <cstddef>
#include <string_view>

namespace easemu::admin::detail {

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

}  // namespace easemu::admin::detail
