#include "easemu/wbxml/code_pages.hpp"

#include "easemu/common/text.hpp"

#include <algorithm>
#include <array>
#include <unordered_map>
#include <utility>
#include <cctype>
#include <cstdint>

namespace easemu::wbxml {

namespace {

constexpr std::size_t tokens_per_page = max_token + 1;

// index[page][token] = 1 + position in detail::tags, 0 for no tag.
constexpr auto make_index() {
  std::array<std::array<std::uint16_t, tokens_per_page>, max_page + 1> index{};
  for (std::size_t i = 0; i < std::size(detail::tags); ++i) {
    const auto& t = detail::tags[i];
    index[t.page][t.token] = static_cast<std::uint16_t>(i + 1);
  }
  return index;
}
constexpr auto tag_index = make_index();

constexpr bool table_is_consistent() {
  // Pages are listed in order, tags have valid pages, tokens and versions, and no (page, token)
  // appears twice. Unique names per page are checked by a unit test (code_pages_test), which is
  // cheaper than a quadratic constant expression.
  for (std::size_t i = 0; i < std::size(detail::pages); ++i) {
    if (detail::pages[i].number != i) return false;
  }
  std::size_t counted = 0;
  for (const auto& page : tag_index) {
    for (auto v : page) counted += v != 0 ? 1 : 0;
  }
  if (counted != std::size(detail::tags)) return false;
  for (const auto& a : detail::tags) {
    if (a.page > max_page || a.token < min_token || a.token > max_token) return false;
    if (a.first_version > a.last_version) return false;
    if (a.first_version < detail::pages[a.page].first_version) return false;
  }
  return true;
}
static_assert(std::size(detail::pages) == max_page + 1, "every code page 0..25 is listed");
static_assert(table_is_consistent(), "code_pages.def has a duplicate token or an out-of-range entry");

using common::iequals;

struct namespace_alias {
  std::string_view name;
  std::uint8_t page;
};
// Names older tools (libwbxml's table comments, Z-Push) use for the same pages.
constexpr namespace_alias namespace_aliases[] = {
    {"POOMCONTACTS", 1}, {"POOMMAIL", 2},     {"POOMCAL", 4},
    {"ItemEstimate", 6}, {"POOMTASKS", 9},    {"POOMCONTACTS2", 12},
    {"POOMMAIL2", 22},
};

}  // namespace

const tag_info* find_tag(std::uint8_t page, std::uint8_t token) {
  if (page > max_page || token > max_token) return nullptr;
  const auto i = tag_index[page][token];
  return i == 0 ? nullptr : &detail::tags[i - 1];
}

// Tag names are short and distinct in length and first/middle/last letters, so this cheap hash
// keeps the buckets nearly single; the XML reader looks up every element by name.
struct name_hash {
  std::size_t operator()(std::string_view n) const {
    if (n.empty()) return 0;
    return n.size() * 131u + static_cast<unsigned char>(n.front()) * 31u +
           static_cast<unsigned char>(n[n.size() / 2]) * 7u + static_cast<unsigned char>(n.back());
  }
};

const tag_info* find_tag(std::uint8_t page, std::string_view name) {
  if (page > max_page) return nullptr;
  using index = std::unordered_map<std::string_view, const tag_info*, name_hash>;
  static const auto by_name = [] {
    std::array<index, max_page + 1> pages;
    for (const auto& t : detail::tags) {
      pages[t.page].emplace(t.name, &t);
      if (!t.alias.empty()) pages[t.page].emplace(t.alias, &t);
    }
    return pages;
  }();
  const auto& m = by_name[page];
  const auto it = m.find(name);
  return it == m.end() ? nullptr : it->second;
}

const page_info* find_page_by_namespace(std::string_view ns) {
  if (!ns.empty() && ns.back() == ':') ns.remove_suffix(1);
  for (const auto& p : detail::pages) {
    if (iequals(p.name, ns)) return &p;
  }
  for (const auto& a : namespace_aliases) {
    if (iequals(a.name, ns)) return &detail::pages[a.page];
  }
  return nullptr;
}

}  // namespace easemu::wbxml
