#include "find_query.hpp"

#include <algorithm>
#include <array>

#include "easemu/common/text.hpp"

namespace easemu::server::commands {

namespace {

using common::ascii_lowercase;

constexpr std::array fields = {"subject", "from", "to", "cc", "body"};

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Characters that start KQL syntax outside the subset: grouping, wildcards, comparisons.
bool operator_char(char c) { return c == '(' || c == ')' || c == '*' || c == '<' || c == '>' || c == '=' || c == '"'; }

find_query fail(std::string why) { return {{}, std::move(why)}; }

}  // namespace

find_query parse_find_query(std::string_view kql) {
  find_query q;
  std::size_t i = 0;
  while (i < kql.size()) {
    if (space(kql[i])) {
      ++i;
      continue;
    }
    find_term term;
    // A property restriction: name:value.
    std::size_t end = i;
    while (end < kql.size() && !space(kql[end]) && kql[end] != ':' && kql[end] != '"') ++end;
    if (end < kql.size() && kql[end] == ':') {
      const auto name = ascii_lowercase(kql.substr(i, end - i));
      if (std::find(fields.begin(), fields.end(), name) == fields.end()) return fail("property '" + name + "'");
      term.field = name;
      i = end + 1;
    }
    if (i < kql.size() && kql[i] == '"') {
      const auto close = kql.find('"', i + 1);
      if (close == std::string_view::npos) return fail("unterminated phrase");
      term.text = ascii_lowercase(kql.substr(i + 1, close - i - 1));
      i = close + 1;
      if (i < kql.size() && !space(kql[i])) return fail("text after a phrase");
    } else {
      end = i;
      while (end < kql.size() && !space(kql[end])) ++end;
      const auto word = kql.substr(i, end - i);
      i = end;
      if (word.empty()) return fail("a property without a value");
      if (term.field.empty() && word == "AND") continue;  // the implied operator, written out
      if (term.field.empty() && (word == "OR" || word == "NOT" || word == "NEAR")) return fail("operator " + std::string(word));
      if (word.front() == '+' || word.front() == '-') return fail("inclusion or exclusion operator");
      if (std::any_of(word.begin(), word.end(), operator_char) || word.find(':') != std::string_view::npos) {
        return fail("KQL syntax in '" + std::string(word) + "'");
      }
      term.text = ascii_lowercase(word);
    }
    if (term.text.empty()) return fail("an empty phrase");
    q.terms.push_back(std::move(term));
  }
  if (q.terms.empty()) return fail("nothing to look for");
  return q;
}

bool matches(const std::vector<find_term>& terms, const mailbox::message_properties& m) {
  const auto subject = ascii_lowercase(m.subject);
  const auto from = ascii_lowercase(m.from);
  const auto to = ascii_lowercase(m.to + "\n" + m.display_to);
  const auto cc = ascii_lowercase(m.cc);
  const auto body = ascii_lowercase(m.text_body + "\n" + mailbox::html_to_text(m.html_body));
  return std::all_of(terms.begin(), terms.end(), [&](const find_term& t) {
    const auto in = [&](const std::string& s) { return s.find(t.text) != std::string::npos; };
    if (t.field == "subject") return in(subject);
    if (t.field == "from") return in(from);
    if (t.field == "to") return in(to);
    if (t.field == "cc") return in(cc);
    if (t.field == "body") return in(body);
    return in(subject) || in(from) || in(to) || in(cc) || in(body);
  });
}

bool matches_entry(const std::vector<find_term>& terms, const std::string& display_name, const std::string& address) {
  const auto name = ascii_lowercase(display_name);
  std::vector<std::string> keys = {ascii_lowercase(address), ascii_lowercase(address.substr(0, address.find('@'))), name};
  for (auto pos = name.find(' '); pos != std::string::npos; pos = name.find(' ', pos + 1)) keys.push_back(name.substr(pos + 1));
  return std::all_of(terms.begin(), terms.end(), [&](const find_term& t) {
    if (!t.field.empty()) return false;
    return std::any_of(keys.begin(), keys.end(), [&](const std::string& k) { return k.rfind(t.text, 0) == 0; });
  });
}

}  // namespace easemu::server::commands
