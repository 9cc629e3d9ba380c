#pragma once
// The OPATH filter subset people give Get-ActiveSyncDevice / Get-MobileDevice -Filter, parsed once
// and then evaluated against any number of objects. Pure: no I/O, no logging; the caller supplies
// the property values.
//
// Syntax (Exchange's "Additional OPATH syntax information", office-docs-powershell
// exchange/docs-conceptual/exchange-server/recipient-filters/recipient-filters.md):
//   filter      := or
//   or          := and { -or and }
//   and         := not { -and not }
//   not         := ( -not | '!' ) not | '(' or ')' | comparison
//   comparison  := Property operator value
//   operator    := -eq | -ne | -like | -notlike, each also with PowerShell's 'i' (case-insensitive,
//                  the default) or 'c' (case-sensitive) prefix: -ieq, -ceq, -clike, ...
//   value       := "double quoted" | 'single quoted' | bare word | $true | $false | $null
// Precedence -not > -and > -or; -and and -or group from the left. Operators, property names and
// $true/$false/$null are case-insensitive. The whole filter may be wrapped in { } (the script block
// form `-Filter {DeviceOS -like "*Windows Phone7.0"}`) or in one pair of quotes (the string form
// `-Filter "DeviceOS -like '*Windows Phone7.0'"`), or both ("{...}").
// Quoted values: '' inside single quotes and "" or `" inside double quotes stand for one quote; in
// double quotes a backtick escapes the next character (`t, `n, ...); $ is never expanded. The
// typographic quotes and dashes web pages turn ' " - into are accepted as their ASCII forms.
// Not supported (an error, not a guess): -lt/-gt/-le/-ge, -match, -contains and other PowerShell
// operators, variables other than $true/$false/$null, comparisons with the value first.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "easemu/common/result.hpp"

namespace easemu::shell {

// Shaped like cmdlet_parse_error: 1-based line and column (UTF-8 code points) in the text given to
// parse_opath, braces and quotes included, so the shell can report "At line:1 char:12".
struct opath_error {
  std::size_t line = 0;
  std::size_t column = 0;
  std::string message;
};

enum class opath_operator { eq, ne, like, notlike };

// A parsed filter: a value type, safe to share between threads for matches(). A default-constructed
// filter matches nothing; get real ones from parse_opath.
class opath_filter {
 public:
  // The value of a property by the spelling in known_properties, nullopt when it is null or absent.
  using property_getter = std::function<std::optional<std::string>(std::string_view property)>;

  // Comparison semantics (all text; Exchange compares strings case-insensitively):
  // * -eq / -ne: whole-value comparison, ASCII case folded unless the operator has the 'c' prefix.
  //   Dates, numbers and enumerations are compared as the text the getter returns, so the getter
  //   must render them the way Get-ActiveSyncDevice shows them (e.g. "Quarantined", "True").
  // * -like / -notlike: '*' matches any run of characters (none included), anywhere in the
  //   pattern; every other character, '?' and '[' included, stands for itself.
  // * $true / $false compare as the text "True" / "False".
  // * null: a property the getter returns as nullopt or "" is null. `P -eq $null` holds exactly
  //   for null properties and `P -ne $null` for the others; a null property equals no text and
  //   matches no pattern, so `P -like '*'` is a presence test (as in directory filters) and
  //   `P -notlike 'x'` holds for it. -like/-notlike with $null behave as -eq/-ne $null.
  bool matches(const property_getter& get) const;

  // The filter in a canonical form: every binary operation parenthesized, property names in
  // their known spelling, operators lower case, values double-quoted (`"` doubled) or
  // $true/$false/$null, e.g. `(DeviceOS -like "*Windows Phone7.0")`. parse_opath reads it back
  // to the same filter; for logs, the admin API and tests.
  std::string to_string() const;

 private:
  friend class opath_parser;

  enum class node_kind { comparison, and_, or_, not_ };
  enum class value_kind { text, boolean, null };
  struct node {
    node_kind kind = node_kind::comparison;
    std::vector<std::size_t> children;  // and_/or_: two or more, not_: one (indices into nodes_)
    std::string property;             // comparison: the known spelling
    opath_operator op = opath_operator::eq;
    bool case_sensitive = false;
    value_kind value = value_kind::text;
    std::string text;                 // value_kind::text; boolean: "True"/"False"
  };

  bool eval(std::size_t index, const property_getter& get) const;
  void print(std::size_t index, std::string& out) const;

  std::vector<node> nodes_;  // children before their parents; the root is last
};

// Parses a filter. Property names must be in known_properties (compared case-insensitively; an
// empty list knows none). Errors name the problem and point at it: an unknown property names
// itself and the column it starts at, an unclosed quote, '(' or '{' points at the opener.
// Limits: 64 KiB of text, 64 levels of parentheses and -not. Never throws on any input.
common::result<opath_filter, opath_error> parse_opath(std::string_view text,
                                                      const std::vector<std::string>& known_properties);

// PowerShell's "At line:L char:C: message" form of an error, as the shell prints it.
std::string to_string(const opath_error& e);

}  // namespace easemu::shell
