#include "easemu/wbxml/codec.hpp"

#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace easemu::wbxml {

namespace {

// WBXML 1.3 global tokens (WBXML 1.3 section 7.1).
constexpr std::uint8_t tok_switch_page = 0x00;
constexpr std::uint8_t tok_end = 0x01;
constexpr std::uint8_t tok_entity = 0x02;
constexpr std::uint8_t tok_str_i = 0x03;
constexpr std::uint8_t tok_literal = 0x04;
constexpr std::uint8_t tok_opaque = 0xC3;
constexpr std::uint8_t bit_content = 0x40;
constexpr std::uint8_t bit_attributes = 0x80;

constexpr std::uint8_t wbxml_version_1_3 = 0x03;
constexpr std::uint32_t charset_utf8 = 106;  // IANA MIBenum

std::string hex_byte(std::uint8_t b) {
  static constexpr char digits[] = "0123456789ABCDEF";
  return std::string{'0', 'x', digits[b >> 4], digits[b & 0x0F]};
}

std::string global_token_name(std::uint8_t b) {
  switch (b) {
    case tok_entity: return "ENTITY";
    case tok_literal: return "LITERAL";
    case 0x40: case 0x41: case 0x42: return "EXT_I_" + std::to_string(b - 0x40);
    case 0x43: return "PI";
    case 0x44: return "LITERAL_C";
    case 0x80: case 0x81: case 0x82: return "EXT_T_" + std::to_string(b - 0x80);
    case 0x83: return "STR_T";
    case 0x84: return "LITERAL_A";
    case 0xC0: case 0xC1: case 0xC2: return "EXT_" + std::to_string(b - 0xC0);
    case 0xC4: return "LITERAL_AC";
    default: return {};
  }
}

std::string page_label(std::uint8_t page) {
  std::string s = "code page " + std::to_string(page);
  if (const auto* p = find_page(page)) {
    s += " (";
    s += p->name;
    s += ")";
  }
  return s;
}

class decoder {
 public:
  decoder(std::string_view in, const decode_limits& limits)
      : data_(reinterpret_cast<const std::uint8_t*>(in.data())), size_(in.size()), limits_(limits) {}

  result<element> run() {
    if (size_ > limits_.max_document_size) {
      fail(errc::document_too_large, 0,
           std::to_string(size_) + " bytes, limit " + std::to_string(limits_.max_document_size));
      return std::move(error_);
    }
    if (!read_header()) return std::move(error_);
    if (!read_body()) return std::move(error_);
    return std::move(root_);
  }

 private:
  bool fail(errc e, std::size_t offset, std::string detail = {}) {
    error_ = codec_error{make_error_code(e), offset, 0, 0, std::move(detail)};
    return false;
  }

  // mb_u_int32 (WBXML 1.3 section 5.1): big-endian base 128, high bit = more bytes follow.
  bool read_mb(std::uint32_t& out) {
    const std::size_t start = pos_;
    std::uint32_t value = 0;
    for (std::size_t n = 0;; ++n) {
      if (n >= limits_.max_mb_int_bytes) return fail(errc::mb_int_too_long, start);
      if (pos_ >= size_) return fail(errc::truncated, pos_, "inside a multi-byte integer");
      const std::uint8_t b = data_[pos_++];
      if (value > (std::numeric_limits<std::uint32_t>::max() >> 7)) {
        return fail(errc::mb_int_too_long, start, "value exceeds 32 bits");
      }
      value = (value << 7) | (b & 0x7F);
      if ((b & 0x80) == 0) break;
    }
    out = value;
    return true;
  }

  bool read_header() {
    if (size_ == 0) return fail(errc::truncated, 0, "empty input");
    if (data_[0] != wbxml_version_1_3) {
      return fail(errc::unsupported_version, 0, hex_byte(data_[0]));
    }
    pos_ = 1;
    std::uint32_t public_id = 0;  // any id but 0 is accepted; EAS sends 0x01 ("unknown")
    if (!read_mb(public_id)) return false;
    if (public_id == 0) {
      // The public id is an index into the string table, which EAS never has.
      return fail(errc::string_table_not_empty, 1, "public identifier refers to the string table");
    }
    const std::size_t charset_at = pos_;
    std::uint32_t charset = 0;
    if (!read_mb(charset)) return false;
    if (charset != charset_utf8) {
      return fail(errc::unsupported_charset, charset_at, "charset " + std::to_string(charset));
    }
    const std::size_t table_at = pos_;
    std::uint32_t table_length = 0;
    if (!read_mb(table_length)) return false;
    if (table_length != 0) {
      return fail(errc::string_table_not_empty, table_at,
                  "length " + std::to_string(table_length));
    }
    return true;
  }

  element* current() { return stack_.empty() ? nullptr : stack_.back(); }

  bool read_body() {
    bool have_root = false;
    std::uint8_t page = 0;
    std::size_t elements = 0;
    stack_.reserve(16);
    while (pos_ < size_) {
      const std::size_t at = pos_;
      const std::uint8_t b = data_[pos_++];
      switch (b) {
        case tok_switch_page: {
          if (pos_ >= size_) return fail(errc::truncated, pos_, "after SWITCH_PAGE");
          const std::uint8_t p = data_[pos_++];
          if (find_page(p) == nullptr) {
            return fail(errc::unknown_page, at + 1, std::to_string(p));
          }
          page = p;
          continue;
        }
        case tok_end:
          if (stack_.empty()) return fail(errc::unexpected_end, at);
          stack_.pop_back();
          if (stack_.empty()) return finish(at + 1);
          continue;
        case tok_str_i:
          if (!read_string(at)) return false;
          continue;
        case tok_opaque:
          if (!read_opaque(at)) return false;
          continue;
        default:
          break;
      }
      if ((b & 0x3F) < min_token) {  // the other global tokens: 0x02, 0x04, 0x40-0x44, ...
        return fail(errc::unsupported_token, at, hex_byte(b) + " (" + global_token_name(b) + ")");
      }
      if ((b & bit_attributes) != 0) {
        return fail(errc::attributes_not_supported, at, "tag byte " + hex_byte(b));
      }
      const auto token = static_cast<std::uint8_t>(b & 0x3F);
      if (find_tag(page, token) == nullptr) {
        return fail(errc::unknown_tag, at, "token " + hex_byte(token) + " on " + page_label(page));
      }
      if (++elements > limits_.max_elements) {
        return fail(errc::too_many_elements, at,
                    "limit " + std::to_string(limits_.max_elements));
      }
      element* target = nullptr;
      if (!have_root) {
        have_root = true;
        root_.tag = tag_id{page, token};
        target = &root_;
      } else {
        element* parent = current();
        if (parent->kind != content_kind::none) {
          return fail(errc::mixed_content, at, "in " + std::string(parent->name()));
        }
        // Pointers into open ancestors stay valid: only the innermost open element's children
        // vector grows, and its ancestors' vectors are not touched while it is open.
        target = &parent->children.emplace_back(tag_id{page, token});
      }
      if ((b & bit_content) != 0) {
        if (stack_.size() >= limits_.max_depth) {
          return fail(errc::too_deep, at, "limit " + std::to_string(limits_.max_depth));
        }
        stack_.push_back(target);
      } else if (stack_.empty()) {
        return finish(pos_);  // an empty root element
      }
    }
    if (!have_root) return fail(errc::empty_document, pos_);
    return fail(errc::truncated, pos_,
                std::to_string(stack_.size()) + " element(s) not closed");
  }

  bool finish(std::size_t end) {
    if (end < size_) {
      return fail(errc::trailing_data, end, std::to_string(size_ - end) + " byte(s)");
    }
    return true;
  }

  bool read_string(std::size_t at) {
    element* cur = current();
    if (cur == nullptr) return fail(errc::text_outside_element, at);
    if (!cur->children.empty() || cur->kind == content_kind::opaque) {
      return fail(errc::mixed_content, at, "in " + std::string(cur->name()));
    }
    const std::size_t available = size_ - pos_;
    const std::size_t window = std::min(available, limits_.max_string_length + 1);
    const void* nul = std::memchr(data_ + pos_, 0, window);
    if (nul == nullptr) {
      if (available > limits_.max_string_length) {
        return fail(errc::string_too_long, at,
                    "limit " + std::to_string(limits_.max_string_length));
      }
      return fail(errc::truncated, size_, "string without terminator");
    }
    const auto len = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nul) - (data_ + pos_));
    if (cur->value.size() + len > limits_.max_string_length) {
      return fail(errc::string_too_long, at, "limit " + std::to_string(limits_.max_string_length));
    }
    cur->value.append(reinterpret_cast<const char*>(data_ + pos_), len);
    cur->kind = content_kind::text;
    pos_ += len + 1;
    return true;
  }

  bool read_opaque(std::size_t at) {
    element* cur = current();
    if (cur == nullptr) return fail(errc::text_outside_element, at);
    if (!cur->children.empty() || cur->kind == content_kind::text) {
      return fail(errc::mixed_content, at, "in " + std::string(cur->name()));
    }
    std::uint32_t len = 0;
    if (!read_mb(len)) return false;
    if (len > limits_.max_opaque_length ||
        cur->value.size() + len > limits_.max_opaque_length) {
      return fail(errc::opaque_too_long, at,
                  std::to_string(len) + " bytes, limit " +
                      std::to_string(limits_.max_opaque_length));
    }
    if (len > size_ - pos_) {
      return fail(errc::truncated, size_,
                  "opaque data of " + std::to_string(len) + " bytes, " +
                      std::to_string(size_ - pos_) + " present");
    }
    cur->value.append(reinterpret_cast<const char*>(data_ + pos_), len);
    cur->kind = content_kind::opaque;
    pos_ += len;
    return true;
  }

  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  const decode_limits& limits_;
  element root_;
  std::vector<element*> stack_;
  codec_error error_;
};

void put_mb(std::string& out, std::uint32_t v) {
  char buf[5];
  int n = 0;
  do {
    buf[n++] = static_cast<char>(v & 0x7F);
    v >>= 7;
  } while (v != 0);
  while (n > 1) out.push_back(static_cast<char>(buf[--n] | 0x80));
  out.push_back(buf[0]);
}

codec_error encode_error(errc e, std::string detail) {
  return codec_error{make_error_code(e), 0, 0, 0, std::move(detail)};
}

}  // namespace

result<element> decode(std::string_view bytes, const decode_limits& limits) {
  return decoder(bytes, limits).run();
}

namespace {

// An upper bound of the encoded size (SWITCH_PAGE, tag, value with its token, length or
// terminator, END per element), so the output is allocated once: growing it by doubling costs
// more than the encoding itself on large Sync responses.
std::size_t encoded_size_bound(const element& root) {
  std::size_t size = 4;
  std::vector<const element*> pending{&root};
  while (!pending.empty()) {
    const element* e = pending.back();
    pending.pop_back();
    size += 2 + 1 + 1 + (e->kind == content_kind::none ? 0 : e->value.size() + 6);
    for (const auto& c : e->children) pending.push_back(&c);
  }
  return size;
}

}  // namespace

result<std::string> encode(const element& root) {
  std::string out;
  out.reserve(encoded_size_bound(root));
  out.append("\x03\x01\x6A\x00", 4);  // WBXML 1.3, unknown public id, UTF-8, no string table
  std::uint8_t page = 0;

  // Writes the start of `e` and its value; true when the element still needs its END after
  // its children.
  auto start = [&](const element& e, bool& needs_end) -> std::optional<codec_error> {
    if (find_tag(e.tag) == nullptr) {
      return encode_error(errc::invalid_tag, "token " + hex_byte(e.tag.token) + " on " +
                                                 page_label(e.tag.page));
    }
    const bool has_value = e.kind != content_kind::none;
    if (has_value && !e.children.empty()) {
      return encode_error(errc::mixed_content, "in " + std::string(e.name()));
    }
    if (e.tag.page != page) {
      out.push_back(static_cast<char>(tok_switch_page));
      out.push_back(static_cast<char>(e.tag.page));
      page = e.tag.page;
    }
    needs_end = has_value || !e.children.empty();
    out.push_back(static_cast<char>(e.tag.token | (needs_end ? bit_content : 0)));
    if (e.kind == content_kind::text) {
      if (std::memchr(e.value.data(), 0, e.value.size()) != nullptr) {
        return encode_error(errc::nul_in_text, "in " + std::string(e.name()));
      }
      out.push_back(static_cast<char>(tok_str_i));
      out.append(e.value);
      out.push_back('\0');
    } else if (e.kind == content_kind::opaque) {
      if (e.value.size() > std::numeric_limits<std::uint32_t>::max()) {
        return encode_error(errc::opaque_too_long, "in " + std::string(e.name()));
      }
      out.push_back(static_cast<char>(tok_opaque));
      put_mb(out, static_cast<std::uint32_t>(e.value.size()));
      out.append(e.value);
    }
    return std::nullopt;
  };

  struct frame {
    const element* e;
    std::size_t next;
  };
  std::vector<frame> stack;
  bool needs_end = false;
  if (auto err = start(root, needs_end)) return std::move(*err);
  if (!needs_end) return out;
  if (root.children.empty()) {
    out.push_back(static_cast<char>(tok_end));
    return out;
  }
  stack.push_back({&root, 0});
  while (!stack.empty()) {
    frame& f = stack.back();
    if (f.next == f.e->children.size()) {
      out.push_back(static_cast<char>(tok_end));
      stack.pop_back();
      continue;
    }
    const element& c = f.e->children[f.next++];
    if (auto err = start(c, needs_end)) return std::move(*err);
    if (!c.children.empty()) {
      stack.push_back({&c, 0});  // may invalidate f; not used after this
    } else if (needs_end) {
      out.push_back(static_cast<char>(tok_end));
    }
  }
  return out;
}

}  // namespace easemu::wbxml
