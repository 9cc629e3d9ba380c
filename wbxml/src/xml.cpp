#include "easemu/wbxml/xml.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <sstream>
#include <vector>

#include "easemu/common/base64.hpp"

namespace easemu::wbxml {

namespace {

// True when `s` is well-formed UTF-8 made only of characters XML 1.0 allows in text.
bool is_xml_text(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
      ++p;
      continue;
    }
    int n = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    constexpr std::uint32_t min_for_length[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
        cp == 0xFFFE || cp == 0xFFFF) {
      return false;
    }
    p += n + 1;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct string_writer final : pugi::xml_writer {
  std::string out;
  void write(const void* data, std::size_t size) override {
    out.append(static_cast<const char*>(data), size);
  }
};

void set_content(pugi::xml_node node, const element& e) {
  if (e.kind == content_kind::none) return;
  const auto* info = e.info();
  const bool binary = info != nullptr && info->binary();
  if (binary) {
    node.append_child(pugi::node_pcdata).set_value(common::base64_encode(e.value).c_str());
    return;
  }
  if (is_xml_text(e.value)) {
    node.append_child(pugi::node_pcdata).set_value(e.value.c_str());
    return;
  }
  node.append_child(pugi::node_comment)
      .set_value(e.kind == content_kind::opaque ? " opaque data, shown as base64 "
                                                : " text that is not valid UTF-8, shown as base64 ");
  node.append_child(pugi::node_pcdata).set_value(common::base64_encode(e.value).c_str());
}

}  // namespace

std::string to_xml(const element& root, const xml_options& options) {
  // Which pages the tree uses, to declare them on the root.
  std::array<bool, max_page + 1> used{};
  {
    std::vector<const element*> todo{&root};
    while (!todo.empty()) {
      const element* e = todo.back();
      todo.pop_back();
      if (e->tag.page <= max_page) used[e->tag.page] = true;
      for (const auto& c : e->children) todo.push_back(&c);
    }
  }
  const std::uint8_t root_page = root.tag.page;
  auto qualified_name = [&](const element& e) {
    const auto* page = find_page(e.tag.page);
    std::string name;
    if (e.tag.page != root_page && page != nullptr) {
      name = lower(page->name) + ":";
    }
    name += e.name();
    return name;
  };

  pugi::xml_document doc;
  if (options.declaration) {
    auto decl = doc.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "utf-8";
  }
  auto root_node = doc.append_child(qualified_name(root).c_str());
  if (const auto* page = find_page(root_page)) {
    root_node.append_attribute("xmlns") = (std::string(page->name) + ":").c_str();
  }
  for (std::uint8_t p = 0; p <= max_page; ++p) {
    if (!used[p] || p == root_page) continue;
    const auto* page = find_page(p);
    root_node.append_attribute(("xmlns:" + lower(page->name)).c_str()) =
        (std::string(page->name) + ":").c_str();
  }
  set_content(root_node, root);

  struct frame {
    const element* e;
    pugi::xml_node node;
  };
  std::vector<frame> todo{{&root, root_node}};
  while (!todo.empty()) {
    frame f = todo.back();
    todo.pop_back();
    for (const auto& c : f.e->children) {
      auto node = f.node.append_child(qualified_name(c).c_str());
      set_content(node, c);
      if (!c.children.empty()) todo.push_back({&c, node});
    }
  }

  string_writer w;
  unsigned flags = pugi::format_no_declaration;  // our own declaration node, when asked for
  flags |= options.indent ? pugi::format_indent : pugi::format_raw;
  doc.save(w, "  ", flags, pugi::encoding_utf8);
  return std::move(w.out);
}

namespace {

struct binding {
  std::string_view prefix;  // empty for the default namespace
  std::string_view uri;
};

class xml_reader {
 public:
  xml_reader(std::string_view xml, const xml_limits& limits) : xml_(xml), limits_(limits) {}

  result<element> run() {
    if (xml_.size() > limits_.max_document_size) {
      return fail(errc::document_too_large, 0,
                  std::to_string(xml_.size()) + " bytes, limit " +
                      std::to_string(limits_.max_document_size));
    }
    // No parse_eol: text is kept byte for byte. No parse_doctype/parse_pi/parse_comments: they
    // are skipped. Entities: only XML's own and character references are expanded.
    constexpr unsigned flags = pugi::parse_cdata | pugi::parse_escapes | pugi::parse_ws_pcdata_single;
    const auto parsed = doc_.load_buffer(xml_.data(), xml_.size(), flags, pugi::encoding_utf8);
    if (!parsed) {
      return fail(errc::xml_syntax, static_cast<std::size_t>(std::max<std::ptrdiff_t>(parsed.offset, 0)),
                  parsed.description());
    }
    pugi::xml_node root_node;
    for (auto n : doc_.children()) {
      if (n.type() != pugi::node_element) {
        if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) {
          return fail(errc::xml_syntax, offset_of(n), "text outside the root element");
        }
        continue;
      }
      if (root_node) return fail(errc::xml_syntax, offset_of(n), "more than one root element");
      root_node = n;
    }
    if (!root_node) return fail(errc::xml_syntax, 0, "no root element");
    element root;
    if (!convert(root_node, root)) return std::move(error_);
    return root;
  }

 private:
  // Where a node starts in the input; for an element, its '<' rather than its name.
  std::size_t offset_of(pugi::xml_node n) const {
    const auto off = n.offset_debug();
    if (off <= 0) return 0;
    auto at = static_cast<std::size_t>(off);
    if (n.type() == pugi::node_element && at <= xml_.size() && xml_[at - 1] == '<') --at;
    return at;
  }

  result<element> fail(errc e, std::size_t offset, std::string detail) {
    set_error(e, offset, std::move(detail));
    return std::move(error_);
  }

  bool set_error(errc e, std::size_t offset, std::string detail) {
    offset = std::min(offset, xml_.size());
    std::size_t line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < offset; ++i) {
      if (xml_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    error_ = codec_error{make_error_code(e), offset, line, offset - line_start + 1, std::move(detail)};
    return false;
  }

  // Binds the xmlns declarations of `n`; fails on any other attribute.
  bool bind_namespaces(pugi::xml_node n) {
    for (auto a : n.attributes()) {
      const std::string_view name = a.name();
      if (name == "xmlns") {
        scope_.push_back({{}, a.value()});
      } else if (name.starts_with("xmlns:")) {
        scope_.push_back({name.substr(6), a.value()});
      } else {
        return set_error(errc::xml_attribute, offset_of(n),
                         "attribute " + std::string(name) + " on " + n.name());
      }
    }
    return true;
  }

  const tag_info* resolve(pugi::xml_node n) {
    const std::string_view qname = n.name();
    const auto colon = qname.find(':');
    const std::string_view prefix = colon == std::string_view::npos ? std::string_view{} : qname.substr(0, colon);
    const std::string_view local = colon == std::string_view::npos ? qname : qname.substr(colon + 1);
    const binding* b = nullptr;
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it) {
      if (it->prefix == prefix) {
        b = &*it;
        break;
      }
    }
    if (b == nullptr || b->uri.empty()) {
      set_error(errc::xml_no_namespace, offset_of(n),
                prefix.empty() ? "element " + std::string(qname)
                               : "prefix " + std::string(prefix) + " of " + std::string(qname) + " is not declared");
      return nullptr;
    }
    const auto* page = find_page_by_namespace(b->uri);
    if (page == nullptr) {
      set_error(errc::xml_unknown_namespace, offset_of(n),
                "\"" + std::string(b->uri) + "\" of element " + std::string(qname));
      return nullptr;
    }
    const auto* t = find_tag(page->number, local);
    if (t == nullptr) {
      set_error(errc::xml_unknown_element, offset_of(n),
                std::string(local) + " in namespace " + std::string(page->name) + ":");
      return nullptr;
    }
    return t;
  }

  // Fills `out` from `n` and its descendants, iteratively.
  bool convert(pugi::xml_node root_node, element& root) {
    struct frame {
      pugi::xml_node node;
      element* e;
      std::size_t scope_size;
      pugi::xml_node next_child;
    };
    std::vector<frame> stack;
    std::size_t count = 0;
    auto open = [&](pugi::xml_node n, element& e) -> bool {
      if (++count > limits_.max_elements) {
        return set_error(errc::too_many_elements, offset_of(n), "limit " + std::to_string(limits_.max_elements));
      }
      if (stack.size() >= limits_.max_depth) {
        return set_error(errc::too_deep, offset_of(n), "limit " + std::to_string(limits_.max_depth));
      }
      const std::size_t scope_size = scope_.size();
      if (!bind_namespaces(n)) return false;
      const auto* t = resolve(n);
      if (t == nullptr) return false;
      e.tag = tag_id{t->page, t->token};
      // Text: the pcdata/cdata children, concatenated.
      bool has_text = false;
      bool has_elements = false;
      std::string text;
      for (auto c : n.children()) {
        if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
          has_text = true;
          text += c.value();
        } else if (c.type() == pugi::node_element) {
          has_elements = true;
        }
      }
      if (has_text && has_elements) {
        return set_error(errc::mixed_content, offset_of(n), "in " + std::string(n.name()));
      }
      if (has_text) {
        if (t->binary()) {
          auto bytes = common::base64_decode(text);
          if (!bytes) return set_error(errc::xml_invalid_base64, offset_of(n), std::string(n.name()));
          e.kind = content_kind::opaque;
          e.value = std::move(*bytes);
        } else {
          e.kind = content_kind::text;
          e.value = std::move(text);
        }
      }
      stack.push_back({n, &e, scope_size, n.first_child()});
      return true;
    };
    if (!open(root_node, root)) return false;
    while (!stack.empty()) {
      frame& f = stack.back();
      pugi::xml_node c = f.next_child;
      while (c && c.type() != pugi::node_element) c = c.next_sibling();
      if (!c) {
        scope_.resize(f.scope_size);
        stack.pop_back();
        continue;
      }
      f.next_child = c.next_sibling();
      element& child = f.e->children.emplace_back();
      // `f` may dangle after open() pushes; it is not used again in this iteration.
      if (!open(c, child)) return false;
    }
    return true;
  }

  std::string_view xml_;
  const xml_limits& limits_;
  pugi::xml_document doc_;
  std::vector<binding> scope_;
  codec_error error_;
};

}  // namespace

result<element> from_xml(std::string_view xml, const xml_limits& limits) {
  return xml_reader(xml, limits).run();
}

}  // namespace easemu::wbxml
