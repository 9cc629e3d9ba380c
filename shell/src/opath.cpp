#include "easemu/shell/opath.hpp"

#include "shell_text.hpp"

#include "easemu/common/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace easemu::shell {
namespace {

using detail::backtick_escape;
using detail::is_ascii_alpha;

constexpr std::size_t max_text_bytes = std::size_t{64} << 10;
constexpr int max_depth = 64;
constexpr std::size_t npos = std::string_view::npos;
using common::ascii_lower;
using common::iequals;


// The filter's text with, for every byte, its offset in the text the caller gave (unquoting an
// outer string drops bytes, so positions cannot be plain offsets), plus one entry for the end.
struct mapped_text {
  std::string s;
  std::vector<std::size_t> origin;
};

// Character classes over UTF-8 bytes; lengths in bytes, 0 when absent. Pasted commands come with
// typographic quotes, dashes and no-break spaces, which PowerShell reads as ' " - and blanks.
class chars {
 public:
  explicit chars(std::string_view s) : s_(s) {}
  char at(std::size_t p) const { return p < s_.size() ? s_[p] : '\0'; }
  bool u20(std::size_t p, unsigned char lo, unsigned char hi) const {  // U+2000..U+203F
    const auto byte = [this](std::size_t i) { return static_cast<unsigned char>(s_[i]); };
    if (p + 2 >= s_.size() || byte(p) != 0xE2 || byte(p + 1) != 0x80) return false;
    const auto b = static_cast<unsigned char>(s_[p + 2]);
    return b >= lo && b <= hi;
  }
  std::size_t single_quote(std::size_t p) const { return at(p) == '\'' ? 1 : (u20(p, 0x98, 0x9B) ? 3 : 0); }
  std::size_t double_quote(std::size_t p) const { return at(p) == '"' ? 1 : (u20(p, 0x9C, 0x9E) ? 3 : 0); }
  std::size_t quote(std::size_t p) const { return std::max(single_quote(p), double_quote(p)); }
  std::size_t dash(std::size_t p) const { return at(p) == '-' ? 1 : (u20(p, 0x93, 0x95) ? 3 : 0); }
  std::size_t blank(std::size_t p) const {
    if (p >= s_.size()) return 0;
    const char c = s_[p];
    if (c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n') return 1;
    if (static_cast<unsigned char>(c) == 0xC2 && (at(p + 1) == '\xA0' || at(p + 1) == '\x85')) return 2;
    if (u20(p, 0x80, 0x8A) || u20(p, 0xA8, 0xA9) || u20(p, 0xAF, 0xAF)) return 3;
    if (static_cast<unsigned char>(c) == 0xE3 && at(p + 1) == '\x80' && at(p + 2) == '\x80') return 3;  // U+3000
    return 0;
  }

 private:
  std::string_view s_;
};

// Reads the quoted string starting at p (which holds a quote) into out, noting each produced
// byte's position; returns the offset just after the closing quote, npos when it is missing.
std::size_t read_quoted(std::string_view s, std::size_t p, std::string& out, std::vector<std::size_t>* where) {
  const chars c(s);
  const bool single = c.single_quote(p) != 0;
  p += c.quote(p);
  const auto put = [&](char ch, std::size_t from) {
    out += ch;
    if (where != nullptr) where->push_back(from);
  };
  while (p < s.size()) {
    if (const std::size_t q = single ? c.single_quote(p) : c.double_quote(p)) {
      const std::size_t q2 = single ? c.single_quote(p + q) : c.double_quote(p + q);
      if (q2 == 0) return p + q;
      for (std::size_t i = 0; i < q2; ++i) put(s[p + q + i], p + q + i);  // a doubled quote is one
      p += q + q2;
    } else if (!single && s[p] == '`') {
      if (p + 1 >= s.size()) return npos;
      put(backtick_escape(s[p + 1]), p + 1);
      p += 2;
    } else {
      put(s[p], p);
      ++p;
    }
  }
  return npos;
}

enum class token_kind { end, lparen, rparen, bang, op, word, string, variable };

struct token {
  token_kind kind = token_kind::end;
  std::size_t begin = 0, end = 0;  // in the working text
  std::string text;                // op: the name without the dash, lower case; word/string: the value;
                                   // variable: the name, lower case
};

struct operator_info {
  std::string_view name;  // without the dash
  opath_operator op;
  bool case_sensitive;
};

// PowerShell's comparison operators come plain (case-insensitive), with an 'i' (the same) or with
// a 'c' (case-sensitive) prefix (about_Comparison_Operators).
constexpr std::array<operator_info, 12> comparison_operators = {{
    {"eq", opath_operator::eq, false},         {"ne", opath_operator::ne, false},
    {"like", opath_operator::like, false},     {"notlike", opath_operator::notlike, false},
    {"ieq", opath_operator::eq, false},        {"ine", opath_operator::ne, false},
    {"ilike", opath_operator::like, false},    {"inotlike", opath_operator::notlike, false},
    {"ceq", opath_operator::eq, true},         {"cne", opath_operator::ne, true},
    {"clike", opath_operator::like, true},     {"cnotlike", opath_operator::notlike, true},
}};

// Real PowerShell/OPATH operators we do not evaluate: named in a clear error instead of "unexpected".
bool is_unsupported_operator(std::string_view name) {
  std::string_view base = name;
  if (base.size() > 2 && (base[0] == 'i' || base[0] == 'c')) base.remove_prefix(1);
  constexpr std::array<std::string_view, 13> names = {"lt",       "gt",    "le",         "ge",    "match",
                                                      "notmatch", "contains", "notcontains", "in", "notin",
                                                      "is",       "isnot", "replace"};
  return std::find(names.begin(), names.end(), base) != names.end() ||
         std::find(names.begin(), names.end(), name) != names.end();
}

constexpr std::string_view op_name(opath_operator op) {
  switch (op) {
    case opath_operator::eq: return "eq";
    case opath_operator::ne: return "ne";
    case opath_operator::like: return "like";
    case opath_operator::notlike: return "notlike";
  }
  return "?";
}

bool text_equal(std::string_view a, std::string_view b, bool case_sensitive) {
  return case_sensitive ? a == b : iequals(a, b);
}

// '*' is the only wildcard (any run, including none). Greedy with one backtrack point: O(n*m) at
// worst, no recursion.
bool wildcard_match(std::string_view text, std::string_view pattern, bool case_sensitive) {
  const auto same = [case_sensitive](char a, char b) {
    return case_sensitive ? a == b : ascii_lower(a) == ascii_lower(b);
  };
  std::size_t t = 0, p = 0, star = npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && same(pattern[p], text[t])) {
      ++p;
      ++t;
    } else if (star != npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

// --- parsing ------------------------------------------------------------------------------------------------------

class opath_parser {
 public:
  opath_parser(std::string_view original, const std::vector<std::string>& known) : original_(original), known_(known) {}

  common::result<opath_filter, opath_error> run() {
    if (original_.size() > max_text_bytes) return opath_error{1, 1, "the filter is longer than 64 KiB"};
    w_.s = std::string(original_);
    w_.origin.resize(w_.s.size() + 1);
    for (std::size_t i = 0; i <= w_.s.size(); ++i) w_.origin[i] = i;
    if (!unwrap() || !tokenize()) return *error_;
    if (tokens_.size() == 1) return fail_at_original(0, "the filter is empty");
    if (!parse_or()) return *error_;
    const token& t = tokens_[pos_];
    if (t.kind != token_kind::end) {
      fail(t.begin, t.kind == token_kind::rparen ? std::string("unexpected ')'")
                                                 : "unexpected " + shown(t) + "; expected -and or -or");
      return *error_;
    }
    return std::move(filter_);
  }

 private:
  // --- errors ---------------------------------------------------------------------------------------------------

  // Line and column (code points) of an offset in the caller's text.
  std::pair<std::size_t, std::size_t> where(std::size_t off) const {
    detail::text_position p;
    detail::advance(original_, p, off);
    return {p.line, p.column};
  }

  opath_error fail_at_original(std::size_t off, std::string message) {
    if (!error_) {
      const auto [line, column] = where(off);
      error_ = opath_error{line, column, std::move(message)};
    }
    return *error_;
  }
  bool fail(std::size_t working_off, std::string message) {
    fail_at_original(w_.origin[std::min(working_off, w_.s.size())], std::move(message));
    return false;
  }

  // How a token is named in messages: its source text, shortened.
  std::string shown(const token& t) const {
    if (t.kind == token_kind::end) return "end of filter";
    std::string s = w_.s.substr(t.begin, t.end - t.begin);
    if (s.size() > 40) s = s.substr(0, 37) + "...";
    return "'" + s + "'";
  }

  // --- the outer { } and quotes -----------------------------------------------------------------------------------

  void keep(std::size_t from, std::size_t to) {  // w_ becomes [from, to)
    w_.s = w_.s.substr(from, to - from);
    w_.origin = std::vector<std::size_t>(w_.origin.begin() + static_cast<std::ptrdiff_t>(from),
                                         w_.origin.begin() + static_cast<std::ptrdiff_t>(to) + 1);
  }

  // Strips `{ ... }` and one `"..."` / `'...'` around the whole filter, in either nesting.
  bool unwrap() {
    bool unquoted = false;
    for (int round = 0; round < 3; ++round) {
      const chars c(w_.s);
      std::size_t first = 0;
      while (first < w_.s.size() && c.blank(first) != 0) first += c.blank(first);
      std::size_t last = first;  // one past the last non-blank character (blanks may be multi-byte)
      for (std::size_t p = first; p < w_.s.size();) {
        const std::size_t b = c.blank(p);
        if (b != 0) {
          p += b;
        } else {
          p += 1;
          while (p < w_.s.size() && (static_cast<unsigned char>(w_.s[p]) & 0xC0) == 0x80) ++p;
          last = p;
        }
      }
      if (first >= w_.s.size()) return true;  // blank: reported as empty by the caller
      if (w_.s[first] == '{') {
        if (w_.s[last - 1] != '}' || last - 1 == first) return fail(first, "missing closing '}'");
        keep(first + 1, last - 1);
        continue;
      }
      if (!unquoted && c.quote(first) != 0) {
        std::string inner;
        std::vector<std::size_t> from;
        const std::size_t close = read_quoted(w_.s, first, inner, &from);
        if (close == npos) return fail(first, "missing closing quote");
        if (close != last) return true;  // a quoted value at the start, not a wrapper
        mapped_text next;
        next.s = std::move(inner);
        for (const std::size_t f : from) next.origin.push_back(w_.origin[f]);
        next.origin.push_back(w_.origin[close - 1]);  // the end points at the closing quote
        w_ = std::move(next);
        unquoted = true;
        continue;
      }
      return true;
    }
    return true;
  }

  // --- tokens -----------------------------------------------------------------------------------------------------

  bool tokenize() {
    const chars c(w_.s);
    std::size_t p = 0;
    const std::size_t n = w_.s.size();
    for (;;) {
      while (std::size_t b = c.blank(p)) p += b;
      token t;
      t.begin = p;
      if (p >= n) {
        t.end = p;
        tokens_.push_back(std::move(t));
        return true;
      }
      const char ch = w_.s[p];
      if (ch == '(' || ch == ')' || ch == '!') {
        t.kind = ch == '(' ? token_kind::lparen : ch == ')' ? token_kind::rparen : token_kind::bang;
        t.end = ++p;
      } else if (ch == '{' || ch == '}') {
        return fail(p, std::string("unexpected '") + ch + "'");
      } else if (const std::size_t d = c.dash(p); d != 0 && is_ascii_alpha(c.at(p + d))) {
        t.kind = token_kind::op;
        p += d;
        while (p < n && is_ascii_alpha(w_.s[p])) t.text += ascii_lower(w_.s[p++]);
        t.end = p;
      } else if (c.quote(p) != 0) {
        t.kind = token_kind::string;
        const std::size_t close = read_quoted(w_.s, p, t.text, nullptr);
        if (close == npos) return fail(p, "missing closing quote");
        t.end = p = close;
      } else if (ch == '$') {
        t.kind = token_kind::variable;
        ++p;
        while (p < n && (std::isalnum(static_cast<unsigned char>(w_.s[p])) != 0 || w_.s[p] == '_' || w_.s[p] == ':' ||
                         w_.s[p] == '?')) {
          t.text += ascii_lower(w_.s[p++]);
        }
        t.end = p;
        if (t.text.empty()) return fail(t.begin, "expected a variable name after '$'");
        if (t.text != "true" && t.text != "false" && t.text != "null") {
          return fail(t.begin, "variables are not supported: " + w_.s.substr(t.begin, t.end - t.begin) +
                                   "; write the value itself");
        }
      } else {
        t.kind = token_kind::word;
        while (p < n && c.blank(p) == 0 && std::string_view("(){}").find(w_.s[p]) == npos) t.text += w_.s[p++];
        t.end = p;
      }
      tokens_.push_back(std::move(t));
    }
  }

  // --- grammar ----------------------------------------------------------------------------------------------------

  const token& peek() const { return tokens_[pos_]; }
  bool peek_op(std::string_view name) const { return peek().kind == token_kind::op && peek().text == name; }

  std::size_t add(opath_filter::node n) {
    filter_.nodes_.push_back(std::move(n));
    return filter_.nodes_.size() - 1;
  }

  // and/or chains become one n-ary node, so the tree is only as deep as the parentheses and -not.
  bool parse_chain(bool is_or) {
    if (!(is_or ? parse_chain(false) : parse_not())) return false;
    if (!peek_op(is_or ? "or" : "and")) return true;
    std::vector<std::size_t> children = {filter_.nodes_.size() - 1};
    while (peek_op(is_or ? "or" : "and")) {
      ++pos_;
      if (!(is_or ? parse_chain(false) : parse_not())) return false;
      children.push_back(filter_.nodes_.size() - 1);
    }
    opath_filter::node n;
    n.kind = is_or ? opath_filter::node_kind::or_ : opath_filter::node_kind::and_;
    n.children = std::move(children);
    add(std::move(n));
    return true;
  }
  bool parse_or() { return parse_chain(true); }

  bool parse_not() {
    const token& t = peek();
    if (t.kind == token_kind::bang || (t.kind == token_kind::op && t.text == "not")) {
      if (++depth_ > max_depth) return fail(t.begin, "the filter is nested too deeply");
      ++pos_;
      if (!parse_not()) return false;
      --depth_;
      opath_filter::node n;
      n.kind = opath_filter::node_kind::not_;
      n.children = {filter_.nodes_.size() - 1};
      add(std::move(n));
      return true;
    }
    if (t.kind == token_kind::lparen) {
      const std::size_t open = t.begin;
      if (++depth_ > max_depth) return fail(open, "the filter is nested too deeply");
      ++pos_;
      if (!parse_or()) return false;
      if (peek().kind == token_kind::end) return fail(open, "missing closing ')'");
      if (peek().kind != token_kind::rparen) {
        return fail(peek().begin, "unexpected " + shown(peek()) + "; expected -and, -or or ')'");
      }
      ++pos_;
      --depth_;
      return true;
    }
    return parse_comparison();
  }

  const std::string* known_property(std::string_view name) const {
    for (const auto& k : known_) {
      if (iequals(k, name)) return &k;
    }
    return nullptr;
  }

  bool parse_comparison() {
    const token& prop = peek();
    switch (prop.kind) {
      case token_kind::end: return fail(prop.begin, "missing expression at the end of the filter");
      case token_kind::rparen: return fail(prop.begin, "unexpected ')'; expected a comparison");
      case token_kind::word: break;
      case token_kind::op: return fail(prop.begin, "unexpected " + shown(prop) + "; expected a property name");
      default:
        return fail(prop.begin, "unexpected " + shown(prop) + "; a comparison starts with a property name");
    }
    const std::string* name = known_property(prop.text);
    if (name == nullptr) {
      std::string valid;
      for (const auto& k : known_) valid += (valid.empty() ? "" : ", ") + k;
      return fail(prop.begin, "'" + prop.text + "' is not a recognized filterable property. Valid properties: " +
                                  (valid.empty() ? "(none)" : valid) + ".");
    }
    ++pos_;

    const token& op = peek();
    const operator_info* info = nullptr;
    if (op.kind == token_kind::op) {
      for (const auto& o : comparison_operators) {
        if (o.name == op.text) info = &o;
      }
      if (info == nullptr && is_unsupported_operator(op.text)) {
        return fail(op.begin, "the operator '-" + op.text + "' is not supported; use -eq, -ne, -like or -notlike");
      }
    }
    if (info == nullptr) {
      return fail(op.begin, "unexpected " + shown(op) + "; expected -eq, -ne, -like or -notlike after " + *name);
    }
    ++pos_;

    const token& value = peek();
    opath_filter::node n;
    n.kind = opath_filter::node_kind::comparison;
    n.property = *name;
    n.op = info->op;
    n.case_sensitive = info->case_sensitive;
    switch (value.kind) {
      case token_kind::word:
      case token_kind::string:
        n.value = opath_filter::value_kind::text;
        n.text = value.text;
        break;
      case token_kind::variable:
        if (value.text == "null") {
          n.value = opath_filter::value_kind::null;
        } else {
          n.value = opath_filter::value_kind::boolean;
          n.text = value.text == "true" ? "True" : "False";
        }
        break;
      default:
        if (value.kind == token_kind::end) return fail(op.begin, "missing value after -" + op.text);
        return fail(value.begin, "missing value after -" + op.text + ", found " + shown(value));
    }
    ++pos_;
    add(std::move(n));
    return true;
  }

  std::string_view original_;
  const std::vector<std::string>& known_;
  mapped_text w_;
  std::vector<token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  opath_filter filter_;
  std::optional<opath_error> error_;
};

common::result<opath_filter, opath_error> parse_opath(std::string_view text,
                                                      const std::vector<std::string>& known_properties) {
  return opath_parser(text, known_properties).run();
}

std::string to_string(const opath_error& e) {
  return "At line:" + std::to_string(e.line) + " char:" + std::to_string(e.column) + ": " + e.message;
}

// --- evaluation ---------------------------------------------------------------------------------------------------

bool opath_filter::eval(std::size_t index, const property_getter& get) const {
  const node& n = nodes_[index];
  switch (n.kind) {
    case node_kind::and_:
      return std::all_of(n.children.begin(), n.children.end(), [&](std::size_t c) { return eval(c, get); });
    case node_kind::or_:
      return std::any_of(n.children.begin(), n.children.end(), [&](std::size_t c) { return eval(c, get); });
    case node_kind::not_: return !eval(n.children.front(), get);
    case node_kind::comparison: break;
  }
  const std::optional<std::string> got = get ? get(n.property) : std::nullopt;
  const bool is_null = !got || got->empty();
  bool positive = false;  // the -eq / -like result
  if (n.value == value_kind::null) {
    positive = is_null;
  } else if (is_null) {
    positive = false;
  } else if (n.op == opath_operator::like || n.op == opath_operator::notlike) {
    positive = wildcard_match(*got, n.text, n.case_sensitive);
  } else {
    positive = text_equal(*got, n.text, n.case_sensitive);
  }
  return (n.op == opath_operator::eq || n.op == opath_operator::like) ? positive : !positive;
}

bool opath_filter::matches(const property_getter& get) const { return !nodes_.empty() && eval(nodes_.size() - 1, get); }

void opath_filter::print(std::size_t index, std::string& out) const {
  const node& n = nodes_[index];
  switch (n.kind) {
    case node_kind::and_:
    case node_kind::or_:
      out += '(';
      for (std::size_t i = 0; i < n.children.size(); ++i) {
        if (i != 0) out += n.kind == node_kind::and_ ? " -and " : " -or ";
        print(n.children[i], out);
      }
      out += ')';
      return;
    case node_kind::not_:
      out += "-not ";
      print(n.children.front(), out);
      return;
    case node_kind::comparison: break;
  }
  out += '(';
  out += n.property;
  out += " -";
  if (n.case_sensitive) out += 'c';
  out += op_name(n.op);
  out += ' ';
  if (n.value == value_kind::null) {
    out += "$null";
  } else if (n.value == value_kind::boolean) {
    out += n.text == "True" ? "$true" : "$false";
  } else {
    // A backtick before every quote (typographic ones included) and backtick: read back as themselves.
    const chars c(n.text);
    out += '"';
    for (std::size_t i = 0; i < n.text.size(); ++i) {
      if (n.text[i] == '`' || c.double_quote(i) != 0) out += '`';
      out += n.text[i];
    }
    out += '"';
  }
  out += ')';
}

std::string opath_filter::to_string() const {
  std::string out;
  if (!nodes_.empty()) print(nodes_.size() - 1, out);
  return out;
}

}  // namespace easemu::shell
