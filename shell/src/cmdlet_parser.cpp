#include "easemu/shell/cmdlet_parser.hpp"

#include "shell_text.hpp"

#include "easemu/common/text.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>

namespace easemu::shell {
namespace {

using detail::backtick_escape;
using detail::is_ascii_alpha;

constexpr std::size_t max_input_bytes = std::size_t{1} << 20;
constexpr std::size_t max_statements = 10000;
constexpr int max_depth = 16;
constexpr std::size_t npos = std::string_view::npos;
using common::iequals;

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_alnum(char c) { return is_ascii_alpha(c) || is_ascii_digit(c); }

// Verb-Noun, letters in the verb, letters and digits in the noun. Anything else where a statement starts
// (a quote, $x = ..., a path, an alias) is something the executor could not run anyway.
bool is_cmdlet_name(std::string_view w) {
  const std::size_t dash = w.find('-');
  if (dash == npos || dash == 0 || dash + 1 == w.size()) return false;
  return std::all_of(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(dash), is_ascii_alpha) &&
         std::all_of(w.begin() + static_cast<std::ptrdiff_t>(dash) + 1, w.end(), is_ascii_alnum);
}

struct param_token {
  std::size_t dash = 0;
  std::string name;
  bool colon = false;
  std::size_t end = 0;  // just after the name (and the colon)
};

// A single forward pass over the bytes. Every function returns false after recording the first error, so no
// exceptions are needed; every loop consumes at least one byte per turn or stops, and recursion only happens
// through @( and @{, which max_depth bounds.
class parser {
 public:
  parser(std::string_view text, const parse_options& options) : s_(text), n_(text.size()), options_(options) {}

  common::result<std::vector<cmdlet_call>, cmdlet_parse_error> run() {
    if (n_ > max_input_bytes) return cmdlet_parse_error{1, 1, "input too large"};
    std::vector<cmdlet_call> calls;
    for (;;) {
      if (!skip_gap(true, true)) return *error_;
      if (pos_ >= n_) break;
      if (calls.size() == max_statements) {
        fail(pos_, "too many statements");
        return *error_;
      }
      cmdlet_call call;
      if (!parse_statement(call)) return *error_;
      calls.push_back(std::move(call));
    }
    return calls;
  }

 private:
  // --- characters -------------------------------------------------------------------------------------------

  char at(std::size_t p) const { return p < n_ ? s_[p] : '\0'; }

  // E2 80 xx encodes U+2000..U+203F, where the typographic quotes, dashes and spaces live.
  bool u20(std::size_t p, unsigned char lo, unsigned char hi) const {
    if (p + 2 >= n_ || static_cast<unsigned char>(s_[p]) != 0xE2 || static_cast<unsigned char>(s_[p + 1]) != 0x80)
      return false;
    const auto b = static_cast<unsigned char>(s_[p + 2]);
    return b >= lo && b <= hi;
  }

  // Commands copied from web pages and Word documents come with typographic quotes, dashes and no-break spaces;
  // PowerShell accepts them as ' " - and blanks, so do we (lengths in bytes, 0 when absent).
  std::size_t single_quote_len(std::size_t p) const {
    if (at(p) == '\'') return 1;
    return u20(p, 0x98, 0x9B) ? 3 : 0;  // U+2018..U+201B
  }
  std::size_t double_quote_len(std::size_t p) const {
    if (at(p) == '"') return 1;
    return u20(p, 0x9C, 0x9E) ? 3 : 0;  // U+201C..U+201E
  }
  std::size_t quote_len(std::size_t p) const { return std::max(single_quote_len(p), double_quote_len(p)); }
  std::size_t dash_len(std::size_t p) const {
    if (at(p) == '-') return 1;
    return u20(p, 0x93, 0x95) ? 3 : 0;  // en dash, em dash, horizontal bar
  }
  std::size_t blank_len(std::size_t p) const {
    if (p >= n_) return 0;
    const char c = s_[p];
    if (c == ' ' || c == '\t' || c == '\v' || c == '\f') return 1;
    if (static_cast<unsigned char>(c) == 0xC2 && (at(p + 1) == '\xA0' || at(p + 1) == '\x85')) return 2;
    if (u20(p, 0x80, 0x8A) || u20(p, 0xA8, 0xA9) || u20(p, 0xAF, 0xAF)) return 3;
    if (static_cast<unsigned char>(c) == 0xE3 && at(p + 1) == '\x80' && at(p + 2) == '\x80') return 3;  // U+3000
    return 0;
  }
  std::size_t newline_len(std::size_t p) const {
    if (p >= n_) return 0;
    if (s_[p] == '\n') return 1;
    if (s_[p] == '\r') return at(p + 1) == '\n' ? 2 : 1;
    return 0;
  }
  // Where a bare word (and a cmdlet name) ends: PowerShell's ForceStartNewToken set.
  bool is_word_end(std::size_t p) const {
    return p >= n_ || blank_len(p) != 0 || newline_len(p) != 0 || std::string_view(";,(){}|&").find(s_[p]) != npos;
  }
  // A backtick followed only by blanks up to the end of the line joins the next line; returns where that line
  // starts (the end of input for a trailing backtick), npos when the backtick escapes a character instead.
  std::size_t continuation_end(std::size_t p) const {
    if (at(p) != '`') return npos;
    std::size_t q = p + 1;
    while (std::size_t b = blank_len(q)) q += b;
    if (q >= n_) return n_;
    const std::size_t nl = newline_len(q);
    return nl != 0 ? q + nl : npos;
  }
  bool at_statement_end() const {
    return pos_ >= n_ || newline_len(pos_) != 0 || s_[pos_] == ';' || s_[pos_] == '#';
  }

  // --- positions and errors -----------------------------------------------------------------------------------

  // Line and column (in code points, so "WP§" counts 3) of a byte offset. Offsets are asked for in increasing
  // order except for the final error, so a cursor that only rewinds then keeps the whole parse linear.
  std::pair<std::size_t, std::size_t> where(std::size_t off) {
    off = std::min(off, n_);
    if (off < cursor_.offset) cursor_ = {};
    detail::advance(s_, cursor_, off);
    return {cursor_.line, cursor_.column};
  }

  bool fail(std::size_t off, std::string message) {
    if (!error_) {
      const auto [line, column] = where(off);
      error_ = cmdlet_parse_error{line, column, std::move(message)};
    }
    return false;
  }

  // --- white space, comments, continuations -------------------------------------------------------------------

  bool skip_blanks() {
    for (;;) {
      if (std::size_t b = blank_len(pos_)) {
        pos_ += b;
      } else if (std::size_t e = continuation_end(pos_); e != npos) {
        continuations_.emplace_back(pos_, e);
        pos_ = e;
      } else if (at(pos_) == '<' && at(pos_ + 1) == '#') {  // <# block comment #>
        const std::size_t close = s_.find("#>", pos_ + 2);
        if (close == npos) return fail(pos_, "missing closing '#>'");
        pos_ = close + 2;
      } else {
        return true;
      }
    }
  }

  // Blanks plus line comments, and optionally line breaks and ';' (between statements, inside @( ) and @{ },
  // after a ',' where PowerShell lets a list go on on the next line).
  bool skip_gap(bool newlines, bool semicolons) {
    for (;;) {
      if (!skip_blanks()) return false;
      if (pos_ >= n_) return true;
      if (std::size_t nl = newline_len(pos_); nl != 0 && newlines) {
        pos_ += nl;
      } else if (s_[pos_] == ';' && semicolons) {
        ++pos_;
      } else if (s_[pos_] == '#') {
        while (pos_ < n_ && newline_len(pos_) == 0) ++pos_;
      } else {
        return true;
      }
    }
  }

  // --- statements and parameters ------------------------------------------------------------------------------

  bool parse_statement(cmdlet_call& call) {
    const std::size_t start = pos_;
    continuations_.clear();
    std::size_t p = pos_;
    while (!is_word_end(p) && s_[p] != '`') ++p;
    const std::string_view name = s_.substr(start, p - start);
    if (!is_cmdlet_name(name) || (at(p) == '`' && continuation_end(p) == npos))
      return fail(start, "expected a cmdlet name");
    call.name = std::string(name);
    call.line = where(start).first;
    pos_ = last_end_ = p;
    for (;;) {
      if (!skip_blanks()) return false;
      if (at_statement_end()) break;
      param_token t;
      if (scan_parameter(pos_, t)) {
        if (!parse_parameter(t, call)) return false;
        continue;
      }
      cmdlet_value v;
      if (!parse_value(v)) return false;
      call.positional.push_back(std::move(v));
    }
    call.source = source_text(start, last_end_);
    return true;
  }

  // PowerShell's parameter token: a dash, then characters up to a blank, ':' or a token boundary. A quote or an
  // escape inside turns the whole token into an ordinary argument (-a"b" is the text -ab), and -1 / -.5 are
  // numbers. An empty name is still returned, so the caller can say what is wrong with it.
  bool scan_parameter(std::size_t p, param_token& out) const {
    const std::size_t d = dash_len(p);
    if (d == 0) return false;
    const std::size_t begin = p + d;
    if (is_ascii_digit(at(begin)) || at(begin) == '.') return false;
    std::size_t q = begin;
    while (!is_word_end(q) && quote_len(q) == 0 && std::string_view(":.[`").find(s_[q]) == npos) ++q;
    if (quote_len(q) != 0 || (at(q) == '`' && continuation_end(q) == npos)) return false;
    out.dash = p;
    out.name = std::string(s_.substr(begin, q - begin));
    out.colon = at(q) == ':';
    out.end = q + (out.colon ? 1 : 0);
    return true;
  }

  bool is_switch(std::string_view name) const {
    return std::any_of(options_.switch_parameters.begin(), options_.switch_parameters.end(),
                       [&](const std::string& s) { return iequals(s, name); });
  }

  // The binding PowerShell does for an unknown cmdlet: -Name:value always takes the value; a known switch never
  // takes a separate one; any other parameter takes the next argument unless a parameter or the end follows.
  bool parse_parameter(const param_token& t, cmdlet_call& call) {
    if (t.name.empty()) return fail(t.dash, "missing parameter name after '-'");
    cmdlet_parameter prm;
    prm.name = t.name;
    std::tie(prm.line, prm.column) = where(t.dash);
    pos_ = last_end_ = t.end;
    param_token next;
    if (t.colon) {
      if (!skip_blanks()) return false;
      if (at_statement_end() || scan_parameter(pos_, next)) return fail(t.dash, "missing value after -" + t.name + ":");
      if (!parse_value(prm.value)) return false;
    } else if (is_switch(t.name)) {
      prm.value.type = cmdlet_value::kind::present;
    } else {
      if (!skip_blanks()) return false;
      if (at_statement_end() || scan_parameter(pos_, next)) {
        prm.value.type = cmdlet_value::kind::present;
      } else if (!parse_value(prm.value)) {
        return false;
      }
    }
    call.parameters.push_back(std::move(prm));
    return true;
  }

  // The statement as written, each continuation (backtick, line break, indentation) replaced by one space.
  std::string source_text(std::size_t start, std::size_t end) const {
    std::string out;
    std::size_t p = start;
    const auto is_blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    for (const auto& [b, e] : continuations_) {
      if (b < p || b >= end) continue;
      out.append(s_.substr(p, b - p));
      while (!out.empty() && is_blank(out.back())) out.pop_back();
      out += ' ';
      for (p = std::min(e, end); p < end && is_blank(s_[p]);) ++p;
    }
    out.append(s_.substr(p, end - p));
    while (!out.empty() && is_blank(out.back())) out.pop_back();
    std::size_t first = 0;
    while (first < out.size() && is_blank(out[first])) ++first;
    return out.substr(first);
  }

  // --- values -------------------------------------------------------------------------------------------------

  // One argument: a primary value or a comma list of them.
  bool parse_value(cmdlet_value& out) {
    std::vector<cmdlet_value> items;
    if (!parse_items(items)) return false;
    if (items.size() == 1) {
      out = std::move(items.front());
    } else {
      out.type = cmdlet_value::kind::list;
      out.items = std::move(items);
    }
    return true;
  }

  // primary (',' primary)*, appended to items (so a,b inside @( ) flattens into the array, as in PowerShell).
  bool parse_items(std::vector<cmdlet_value>& items) {
    for (;;) {
      cmdlet_value v;
      if (!parse_primary(v)) return false;
      items.push_back(std::move(v));
      if (!skip_blanks()) return false;
      if (at(pos_) != ',') return true;
      const std::size_t comma = pos_++;
      if (!skip_gap(true, false)) return false;
      param_token t;
      if (pos_ >= n_ || std::string_view(";,)}").find(s_[pos_]) != npos || scan_parameter(pos_, t))
        return fail(comma, "missing expression after ','");
    }
  }

  // { ... }: kept as text, braces included, for the cmdlets that take one (Get-ActiveSyncDevice
  // -Filter {DeviceOS -like "*Windows Phone7.0"}); nested braces and quoted strings are skipped
  // whole. Nothing in it is run.
  bool parse_script_block(cmdlet_value& out) {
    const std::size_t start = pos_;
    int depth = 0;
    while (pos_ < n_) {
      if (const auto q = quote_len(pos_); q != 0) {
        std::string ignored;
        if (!parse_quoted(ignored)) return false;
        continue;
      }
      const char c = s_[pos_];
      if (c == '{') {
        if (++depth > 64) return fail(pos_, "nesting too deep");
      } else if (c == '}') {
        if (--depth == 0) {
          ++pos_;
          out.type = cmdlet_value::kind::text;
          out.text = std::string(s_.substr(start, pos_ - start));
          return true;
        }
      }
      ++pos_;
    }
    return fail(start, "missing closing '}'");
  }

  bool parse_primary(cmdlet_value& out) {
    const std::size_t start = pos_;
    if (pos_ >= n_ || newline_len(pos_) != 0) return fail(start, "missing value");
    bool ok = true;
    if (quote_len(pos_) != 0) {
      out.quoted = true;
      ok = parse_quoted(out.text);
    } else {
      switch (s_[pos_]) {
        case '$': ok = parse_variable(out); break;
        case '@':
          if (at(pos_ + 1) == '(') {
            ok = parse_array(out);
          } else if (at(pos_ + 1) == '{') {
            ok = parse_hashtable(out);
          } else {
            return fail(start, "unexpected '@'");
          }
          break;
        case '(': return fail(start, "parenthesized expressions are not supported");
        case '{': ok = parse_script_block(out); break;
        case ')': return fail(start, "unexpected ')'");
        case '}': return fail(start, "unexpected '}'");
        case ',': return fail(start, "unexpected ','");
        case ';': return fail(start, "unexpected ';'");
        case '|': return fail(start, "pipelines are not supported");
        case '&': return fail(start, "the '&' operator is not supported");
        case '<': return fail(start, "the '<' operator is reserved");
        case '>': return fail(start, "redirection is not supported");
        default: ok = parse_bare_word(out.text, false);
      }
    }
    last_end_ = pos_;
    return ok;
  }

  // An unquoted word. Quoted pieces inside are joined to it (a"b c"d is "ab cd") and backticks escape, as in
  // PowerShell's generic tokens; '$' stays literal because variables are not expanded.
  bool parse_bare_word(std::string& out, bool stop_at_equals) {
    const std::size_t start = pos_;
    while (!is_word_end(pos_) && !(stop_at_equals && s_[pos_] == '=')) {
      if (s_[pos_] == '`') {
        if (continuation_end(pos_) != npos) break;
        out += backtick_escape(s_[pos_ + 1]);  // not the last byte, or it would be a continuation
        pos_ += 2;
      } else if (quote_len(pos_) != 0) {
        if (!parse_quoted(out)) return false;
      } else {
        out += s_[pos_++];
      }
    }
    if (pos_ == start) return fail(start, "unexpected character");
    return true;
  }

  // 'literal, '' is one quote'  or  "`t, `" and "" resolved, $ kept". Both may span lines.
  bool parse_quoted(std::string& out) {
    const std::size_t start = pos_;
    const bool single = single_quote_len(pos_) != 0;
    pos_ += quote_len(pos_);
    for (;;) {
      if (pos_ >= n_) return fail(start, "missing closing quote");
      if (std::size_t q = single ? single_quote_len(pos_) : double_quote_len(pos_)) {
        pos_ += q;
        const std::size_t q2 = single ? single_quote_len(pos_) : double_quote_len(pos_);
        if (q2 == 0) return true;
        out.append(s_.substr(pos_, q2));  // a doubled quote stands for one
        pos_ += q2;
      } else if (!single && s_[pos_] == '`') {
        if (pos_ + 1 >= n_) return fail(start, "missing closing quote");
        out += backtick_escape(s_[pos_ + 1]);
        pos_ += 2;
      } else {
        out += s_[pos_++];
      }
    }
  }

  bool parse_variable(cmdlet_value& out) {
    const std::size_t start = pos_++;
    if (at(pos_) == '(') return fail(start, "subexpressions are not supported");
    const std::size_t begin = pos_;
    // Letters, digits, _ and ?, and ':' only between name characters ($env:USERNAME is one variable).
    const auto name_char = [this](std::size_t p) {
      return p < n_ && (is_ascii_alnum(s_[p]) || s_[p] == '_' || s_[p] == '?');
    };
    while (name_char(pos_) || (at(pos_) == ':' && name_char(pos_ + 1))) ++pos_;
    const std::string name(s_.substr(begin, pos_ - begin));
    if (name.empty()) return fail(start, "expected a variable name after '$'");
    const std::string lower = common::ascii_lowercase(name);
    if (lower == "true" || lower == "false") {
      out.type = cmdlet_value::kind::boolean;
      out.flag = lower == "true";
    } else if (lower == "null") {
      out.type = cmdlet_value::kind::null;
    } else {
      return fail(start, "variables are not supported: $" + name);
    }
    return true;
  }

  // @( items separated by ',', ';' or line breaks )
  bool parse_array(cmdlet_value& out) {
    const std::size_t start = pos_;
    if (++depth_ > max_depth) return fail(start, "nesting too deep");
    pos_ += 2;
    out.type = cmdlet_value::kind::list;
    for (;;) {
      if (!skip_gap(true, true)) return false;
      if (pos_ >= n_) return fail(start, "missing closing ')'");
      if (s_[pos_] == ')') break;
      if (!parse_items(out.items)) return false;
      if (pos_ < n_ && newline_len(pos_) == 0 && std::string_view(";)#").find(s_[pos_]) == npos)
        return fail(pos_, "expected ',' or ')'");
    }
    ++pos_;
    --depth_;
    return true;
  }

  // @{ key = value ; "key" = a,b <newline> ... }, keys unique regardless of case as in PowerShell.
  bool parse_hashtable(cmdlet_value& out) {
    const std::size_t start = pos_;
    if (++depth_ > max_depth) return fail(start, "nesting too deep");
    pos_ += 2;
    out.type = cmdlet_value::kind::hashtable;
    std::set<std::string> seen;
    for (;;) {
      if (!skip_gap(true, true)) return false;
      if (pos_ >= n_) return fail(start, "missing closing '}'");
      if (s_[pos_] == '}') break;
      const std::size_t key_start = pos_;
      std::string key;
      if (quote_len(pos_) != 0) {
        if (!parse_quoted(key)) return false;
      } else if (is_ascii_alnum(s_[pos_]) || s_[pos_] == '_' || (static_cast<unsigned char>(s_[pos_]) >= 0x80)) {
        if (!parse_bare_word(key, true)) return false;
      } else {
        return fail(key_start, "expected a hashtable key");
      }
      if (!skip_blanks()) return false;
      if (at(pos_) != '=') return fail(pos_, "missing '=' after hashtable key");
      const std::size_t equals = pos_++;
      if (!skip_gap(true, false)) return false;
      if (pos_ >= n_ || std::string_view(";,)}").find(s_[pos_]) != npos) return fail(equals, "missing value after '='");
      cmdlet_value value;
      if (!parse_value(value)) return false;
      if (!seen.insert(common::ascii_lowercase(key)).second) return fail(key_start, "duplicate hashtable key '" + key + "'");
      out.entries.push_back(cmdlet_entry{std::move(key), std::move(value)});
      if (pos_ < n_ && newline_len(pos_) == 0 && std::string_view(";}#").find(s_[pos_]) == npos)
        return fail(pos_, "expected ';' or a line break between hashtable entries");
    }
    ++pos_;
    --depth_;
    return true;
  }

  std::string_view s_;
  std::size_t n_;
  const parse_options& options_;
  std::size_t pos_ = 0;
  std::size_t last_end_ = 0;  // end of the statement's last token, for source_text
  int depth_ = 0;
  std::vector<std::pair<std::size_t, std::size_t>> continuations_;  // [backtick, next line) in this statement
  std::optional<cmdlet_parse_error> error_;
  detail::text_position cursor_;  // where() cursor
};

}  // namespace

common::result<std::vector<cmdlet_call>, cmdlet_parse_error> parse_cmdlets(std::string_view text,
                                                                           const parse_options& options) {
  return parser(text, options).run();
}

}  // namespace easemu::shell
