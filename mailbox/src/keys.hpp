#pragma once
// SyncKeys of this server: decimal numbers (MS-ASCMD 2.2.3.166 lets the server choose; Exchange
// uses small integers for FolderSync). Internal to the mailbox module.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace easemu::mailbox::detail {

// nullopt for anything this server never issued.
inline std::optional<std::uint32_t> parse_key(std::string_view text) {
  std::uint32_t k = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), k);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty()) return std::nullopt;
  return k;
}

// The key after `k`; 0 is never issued (it means "start over").
inline std::uint32_t next_key(std::uint32_t k) { return k == UINT32_MAX ? 1 : k + 1; }

}  // namespace easemu::mailbox::detail
