#include "easemu/wbxml/element.hpp"

namespace easemu::wbxml {

std::string_view element::name() const {
  const auto* t = info();
  return t != nullptr ? t->name : std::string_view("?");
}

const element* element::child(tag_id t) const {
  for (const auto& c : children) {
    if (c.tag == t) return &c;
  }
  return nullptr;
}

element* element::child(tag_id t) {
  for (auto& c : children) {
    if (c.tag == t) return &c;
  }
  return nullptr;
}

std::string_view element::child_text(tag_id t, std::string_view fallback) const {
  const auto* c = child(t);
  return c != nullptr ? std::string_view(c->value) : fallback;
}

bool operator==(const element& a, const element& b) {
  return a.tag == b.tag && a.kind == b.kind && a.value == b.value && a.children == b.children;
}

}  // namespace easemu::wbxml
