#pragma once
// The element tree: what the decoder produces, the encoder consumes and handlers build.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "easemu/wbxml/code_pages.hpp"

namespace easemu::wbxml {

enum class content_kind : std::uint8_t {
  none,    // empty element, or an element with children only
  text,    // STR_I
  opaque,  // OPAQUE bytes
};

struct element {
  tag_id tag;
  content_kind kind = content_kind::none;
  std::string value;  // text (UTF-8) or opaque bytes, per kind
  std::vector<element> children;

  element() = default;
  explicit element(tag_id t) : tag(t) {}
  element(tag_id t, std::string text) : tag(t), kind(content_kind::text), value(std::move(text)) {}

  static element opaque(tag_id t, std::string bytes) {
    element e(t);
    e.kind = content_kind::opaque;
    e.value = std::move(bytes);
    return e;
  }

  // The table entry (nullptr only for a tree built by hand with an invalid tag).
  const tag_info* info() const { return find_tag(tag); }
  std::string_view name() const;

  // Appends a child and returns it, for building trees:
  //   auto& coll = sync.add(tag("AirSync:Collection")); coll.add(tag("AirSync:SyncKey"), "1");
  element& add(element child) { return children.emplace_back(std::move(child)); }
  element& add(tag_id t) { return children.emplace_back(t); }
  element& add(tag_id t, std::string text) { return children.emplace_back(t, std::move(text)); }

  // The first direct child with this tag, or nullptr.
  const element* child(tag_id t) const;
  element* child(tag_id t);
  // The text of the first direct child with this tag, or `fallback` when there is none.
  std::string_view child_text(tag_id t, std::string_view fallback = {}) const;

  // Same tags, kinds, values and children, in order.
  friend bool operator==(const element& a, const element& b);
};

}  // namespace easemu::wbxml
