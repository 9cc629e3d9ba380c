#pragma once
// The EAS code page table (code_pages.def) as typed, constexpr data.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "easemu/common/protocol_version.hpp"

namespace easemu::wbxml {

using easemu::protocol_version;

enum tag_flags : std::uint8_t {
  flag_none = 0,
  flag_binary = 1,  // OPAQUE content (base64 text in XML)
  flag_legacy = 2,  // not in the current MS-ASWBXML tables; decoded, not emitted by the server
};

struct page_info {
  std::uint8_t number;
  std::string_view name;  // MS-ASWBXML namespace name, without the trailing colon
  protocol_version first_version;
};

struct tag_info {
  std::uint8_t page;
  std::uint8_t token;  // 0x05..0x3F
  std::string_view name;
  protocol_version first_version;
  protocol_version last_version;
  std::uint8_t flags;
  std::string_view alias;  // another accepted spelling on XML input, or empty

  constexpr bool binary() const { return (flags & flag_binary) != 0; }
  constexpr bool legacy() const { return (flags & flag_legacy) != 0; }
  constexpr bool in_version(protocol_version v) const {
    return first_version <= v && v <= last_version;
  }
};

// A tag's identity on the wire: code page and token.
struct tag_id {
  std::uint8_t page = 0;
  std::uint8_t token = 0;
  friend constexpr bool operator==(tag_id, tag_id) = default;
};

inline constexpr std::uint8_t max_page = 25;
inline constexpr std::uint8_t min_token = 0x05;
inline constexpr std::uint8_t max_token = 0x3F;

namespace detail {
using enum protocol_version;
inline constexpr page_info pages[] = {
#define EASEMU_WBXML_PAGE(num, name, first) page_info{num, #name, first},
#define EASEMU_WBXML_TAG(page, token, name, first, last, flags, alias)
#include "easemu/wbxml/code_pages.def"
#undef EASEMU_WBXML_PAGE
#undef EASEMU_WBXML_TAG
};
inline constexpr tag_info tags[] = {
#define EASEMU_WBXML_PAGE(num, name, first)
#define EASEMU_WBXML_TAG(page, token, name, first, last, flags, alias) \
  tag_info{page, token, #name, first, last, flags, alias},
#include "easemu/wbxml/code_pages.def"
#undef EASEMU_WBXML_PAGE
#undef EASEMU_WBXML_TAG
};
}  // namespace detail

constexpr std::span<const page_info> all_pages() { return detail::pages; }
constexpr std::span<const tag_info> all_tags() { return detail::tags; }

// nullptr when the page is not an EAS code page.
constexpr const page_info* find_page(std::uint8_t number) {
  return number <= max_page ? &detail::pages[number] : nullptr;
}

// The tag at (page, token), or nullptr. O(1): a dense index built at compile time.
const tag_info* find_tag(std::uint8_t page, std::uint8_t token);
inline const tag_info* find_tag(tag_id id) { return find_tag(id.page, id.token); }

// By name on a page: the MS-ASWBXML spelling or the alias, case-sensitive as XML is.
const tag_info* find_tag(std::uint8_t page, std::string_view name);

// A page by its XML namespace: the MS-ASWBXML name with or without a trailing colon, in any
// letter case ("AirSync", "airsync:", "Gal:"), plus the old names some tools write
// ("POOMMAIL:", "ItemEstimate:").
const page_info* find_page_by_namespace(std::string_view ns);

// Compile-time tag lookup by "Page:Name", e.g. tag("AirSync:Sync"); a misspelt name does not
// compile.
consteval tag_id tag(std::string_view qualified) {
  const auto colon = qualified.find(':');
  const auto page = qualified.substr(0, colon);
  const auto name = qualified.substr(colon + 1);
  for (const auto& p : detail::pages) {
    if (p.name != page) continue;
    for (const auto& t : detail::tags) {
      if (t.page == p.number && t.name == name) return tag_id{t.page, t.token};
    }
  }
  throw "unknown EAS tag";  // not a constant expression: a compile error at the call site
}

}  // namespace easemu::wbxml
