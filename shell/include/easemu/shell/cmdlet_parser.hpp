#pragma once
// Exchange Management Shell lines as people paste them (New-ActiveSyncMailboxPolicy ...,
// Set-CASMailbox ...), parsed into calls. Pure: the executor gives them meaning.
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "easemu/common/result.hpp"

namespace easemu::shell {

struct cmdlet_entry;  // a hashtable entry, defined below (a pair<string, cmdlet_value> would need
                      // cmdlet_value complete, which clang's library insists on)

struct cmdlet_value {
  enum class kind {
    text,       // a bare word or a quoted string (quoted tells which)
    boolean,    // $true / $false
    null,       // $null
    list,       // a,b,c  or  @(a, b, c)
    hashtable,  // @{Add="a","b"; Remove="c"}
    present,    // a switch given without a value (-WhatIf)
  };
  kind type = kind::text;
  std::string text;   // kind::text: the string, quotes removed and escapes resolved
  bool quoted = false;
  bool flag = false;  // kind::boolean
  std::vector<cmdlet_value> items;                             // kind::list
  std::vector<cmdlet_entry> entries;  // kind::hashtable, in order
};

struct cmdlet_entry {
  std::string key;
  cmdlet_value value;
};

struct cmdlet_parameter {
  std::string name;  // without the dash, as written (case kept; compare case-insensitively)
  cmdlet_value value;
  std::size_t line = 0;    // 1-based, where the parameter name starts
  std::size_t column = 0;  // 1-based
};

struct cmdlet_call {
  std::string name;  // e.g. "New-ActiveSyncMailboxPolicy", as written
  std::vector<cmdlet_parameter> parameters;
  std::vector<cmdlet_value> positional;  // arguments not bound to a named parameter
  std::size_t line = 0;                  // 1-based line where the call starts
  std::string source;                    // the call's text (continuations joined), for messages
};

struct cmdlet_parse_error {
  std::size_t line = 0;
  std::size_t column = 0;
  std::string message;  // e.g. "missing closing quote"
};

// Parameters that never take a separate value (they may still take one with -Name:value).
// Compared case-insensitively.
struct parse_options {
  std::vector<std::string> switch_parameters = {"WhatIf", "Confirm", "Verbose", "Debug", "Force", "AccountOnly",
                                                "Cancel", "GetMailboxLog", "ShowRecoveryPassword"};
};

// Splits text into statements (line breaks and ';'; '#' and <# #> comments; a trailing backtick continues a
// line) and binds each like PowerShell does for a cmdlet it has no metadata for: Verb-Noun name, -Name value,
// -Name:value, switches (see parse_options), the rest positional. Values: bare words, 'single' and "double"
// quoted strings ($ is never expanded), $true/$false/$null, a,b lists, @( ) and @{ }. Typographic quotes and
// dashes and no-break spaces, as pasted from web pages, count as their ASCII forms.
// Errors carry 1-based line and column; columns count UTF-8 code points. Unclosed quotes, @( and @{ point at
// the opener. Limits: 1 MiB of input, 10,000 statements, 16 levels of @( / @{ nesting. Variables, pipelines,
// parenthesized expressions, script blocks and redirection are errors, not guesses. Never throws on any input.
common::result<std::vector<cmdlet_call>, cmdlet_parse_error> parse_cmdlets(std::string_view text,
                                                                           const parse_options& options = {});

}  // namespace easemu::shell
