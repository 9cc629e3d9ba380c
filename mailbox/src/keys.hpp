#pragma once
// SyncKeys of this server: decimal numbers (MS-ASCMD 2.2.3.166 lets the server choose; Exchange
// uses small integers for FolderSync). Internal to the mailbox module.
#include <cstdint>
#include <optional>
#include <string_view>

#include "easemu/common/text.hpp"

namespace easemu::mailbox::detail {

// nullopt for anything this server never issued.
inline std::optional<std::uint32_t> parse_key(std::string_view text) { return common::parse_decimal<std::uint32_t>(text); }

// The key after `k`; 0 is never issued (it means "start over").
inline std::uint32_t next_key(std::uint32_t k) { return k == UINT32_MAX ? 1 : k + 1; }

}  // namespace easemu::mailbox::detail
