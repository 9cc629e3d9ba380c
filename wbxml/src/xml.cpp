#include "easemu/wbxml/xml.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <sstream>
#include <vector>

#include "easemu/common/base64.hpp"

namespace easemu::wbxml {

namespace {

// Length of the well-formed UTF-8 sequence of a character XML 1.0 allows that starts at p[0]
// (a lead byte >= 0x80), or 0.
std::size_t utf8_char_length(const unsigned char* p, std::size_t available) {
  const unsigned char c = p[0];
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (available < n) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  constexpr std::uint32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_length[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE ||
      cp == 0xFFFF) {
    return 0;
  }
  return n;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Appends `text` escaped for XML content: the three markup characters, and CR as a character
// reference so that parsers which normalise line ends (libwbxml's expat) keep it. Returns false,
// leaving `out` unchanged, when `text` is not well-formed UTF-8 of characters XML 1.0 allows
// (such content is shown as base64). One pass: the journal
// renders every request and response, with mail bodies of many kilobytes.
bool append_escaped(std::string& out, std::string_view text) {
  // Extra bytes each character needs: 0 plain, 4 '&', 3 '<' '>', 4 CR; 0xFF not allowed in XML;
  // 0xFE the lead byte of a multi-byte UTF-8 character (validated, copied as is).
  static constexpr auto extra = [] {
    std::array<std::uint8_t, 256> c{};
    for (int i = 0; i < 0x20; ++i) c[i] = 0xFF;
    c['\t'] = 0;
    c['\n'] = 0;
    c['\r'] = 4;
    c['&'] = 4;
    c['<'] = 3;
    c['>'] = 3;
    for (int i = 0x80; i < 0x100; ++i) c[i] = 0xFE;
    return c;
  }();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  // Pass 1: validate and size.
  std::size_t grow = 0;
  for (std::size_t i = 0; i < n;) {
    const auto k = extra[p[i]];
    if (k == 0xFE) {
      const std::size_t len = utf8_char_length(p + i, n - i);
      if (len == 0) return false;
      i += len;
      continue;
    }
    if (k == 0xFF) return false;
    grow += k;
    ++i;
  }
  // Pass 2: copy with the replacements written in place.
  const std::size_t at = out.size();
  out.resize(at + n + grow);
  char* w = out.data() + at;
  if (grow == 0) {
    std::memcpy(w, text.data(), n);
    return true;
  }
  std::size_t run = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = extra[p[i]];
    if (k == 0 || k == 0xFE) continue;  // continuation and lead bytes are >= 0x80: 0xFE
    std::memcpy(w, text.data() + run, i - run);
    w += i - run;
    const char* rep = p[i] == '&' ? "&amp;" : p[i] == '<' ? "&lt;" : p[i] == '>' ? "&gt;" : "&#13;";
    std::memcpy(w, rep, k + 1u);
    w += k + 1u;
    run = i + 1;
  }
  std::memcpy(w, text.data() + run, n - run);
  return true;
}

// Writes XML text directly (no DOM): the server renders every request and response for the
// journal, so this is on a hot path.
class xml_writer {
 public:
  xml_writer(const element& root, const xml_options& options) : root_(root), options_(options) {
    std::vector<const element*> todo{&root};
    while (!todo.empty()) {
      const element* e = todo.back();
      todo.pop_back();
      if (e->tag.page <= max_page) used_[e->tag.page] = true;
      for (const auto& c : e->children) todo.push_back(&c);
    }
    for (std::uint8_t p = 0; p <= max_page; ++p) {
      if (used_[p] && p != root.tag.page) prefix_[p] = lower(find_page(p)->name) + ":";
    }
  }

  std::string run() {
    out_.reserve(size_hint(root_));
    if (options_.declaration) out_ += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    struct frame {
      const element* e;
      std::size_t next;
    };
    std::vector<frame> stack;
    open(root_, 0, true);
    if (!root_.children.empty()) stack.push_back({&root_, 0});
    while (!stack.empty()) {
      frame& f = stack.back();
      if (f.next == f.e->children.size()) {
        const std::size_t depth = stack.size() - 1;
        const element* e = f.e;
        stack.pop_back();
        close(*e, depth);
        continue;
      }
      const element& c = f.e->children[f.next++];
      const std::size_t depth = stack.size();
      open(c, depth, false);
      if (!c.children.empty()) stack.push_back({&c, 0});  // may invalidate f
    }
    return std::move(out_);
  }

 private:
  // Values plus a guess for tags and indentation: one allocation for most documents.
  static std::size_t size_hint(const element& root) {
    std::size_t bytes = 256;
    std::vector<const element*> todo{&root};
    while (!todo.empty()) {
      const element* e = todo.back();
      todo.pop_back();
      bytes += e->value.size() + e->value.size() / 8 + 48;
      for (const auto& c : e->children) todo.push_back(&c);
    }
    return bytes;
  }

  void indent(std::size_t depth) {
    if (!options_.indent) return;
    out_.append(depth * 2, ' ');
  }
  void newline() {
    if (options_.indent) out_ += '\n';
  }
  void name(const element& e) {
    if (e.tag.page <= max_page) out_ += prefix_[e.tag.page];
    out_ += e.name();
  }

  // Writes the start tag, and for an element without children its content and end tag.
  void open(const element& e, std::size_t depth, bool is_root) {
    indent(depth);
    out_ += '<';
    name(e);
    if (is_root) {
      if (const auto* page = find_page(e.tag.page)) {
        out_ += " xmlns=\"";
        out_ += page->name;
        out_ += ":\"";
      }
      for (std::uint8_t p = 0; p <= max_page; ++p) {
        if (prefix_[p].empty()) continue;
        out_ += " xmlns:";
        out_.append(prefix_[p], 0, prefix_[p].size() - 1);
        out_ += "=\"";
        out_ += find_page(p)->name;
        out_ += ":\"";
      }
    }
    if (!e.children.empty()) {
      out_ += '>';
      newline();
      return;
    }
    if (e.kind == content_kind::none) {
      out_ += "/>";
      newline();
      return;
    }
    out_ += '>';
    const auto* info = e.info();
    if (info != nullptr && info->binary()) {
      out_ += common::base64_encode(e.value);
    } else if (!append_escaped(out_, e.value)) {
      out_ += e.kind == content_kind::opaque ? "<!-- opaque data, shown as base64 -->"
                                             : "<!-- text that is not valid UTF-8, shown as base64 -->";
      out_ += common::base64_encode(e.value);
    }
    out_ += "</";
    name(e);
    out_ += '>';
    newline();
  }

  void close(const element& e, std::size_t depth) {
    indent(depth);
    out_ += "</";
    name(e);
    out_ += '>';
    newline();
  }

  const element& root_;
  const xml_options& options_;
  std::array<bool, max_page + 1> used_{};
  std::array<std::string, max_page + 1> prefix_{};
  std::string out_;
};

}  // namespace

std::string to_xml(const element& root, const xml_options& options) {
  return xml_writer(root, options).run();
}

namespace {

struct binding {
  std::string_view prefix;  // empty for the default namespace
  std::string_view uri;
  const page_info* page;    // the code page the URI names, or nullptr
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
        scope_.push_back({{}, a.value(), find_page_by_namespace(a.value())});
      } else if (name.starts_with("xmlns:")) {
        scope_.push_back({name.substr(6), a.value(), find_page_by_namespace(a.value())});
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
    const auto* page = b->page;
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
      std::size_t elements = 0;
      std::string text;
      for (auto c : n.children()) {
        if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
          has_text = true;
          text.append(c.value());
        } else if (c.type() == pugi::node_element) {
          ++elements;
        }
      }
      const bool has_elements = elements != 0;
      e.children.reserve(elements);
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
