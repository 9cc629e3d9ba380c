#pragma once
// The KQL subset Find serves (MS-ASCMD 2.2.3.71.1: FreeText holds a Keyword Query Language
// string). Served: words and "quoted phrases", all of which must match (AND is implied and may
// be written), each optionally restricted to one property: subject:, from:, to:, cc:, body:.
// Matching is case-insensitive and on substrings. Everything else of KQL (OR, NOT, +/-,
// parentheses, wildcards, comparisons, other properties) is refused: the request gets Find
// Status 2. Private to server/src/commands.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "easemu/mailbox/message.hpp"

namespace easemu::server::commands {

struct find_term {
  std::string field;  // "" (any property), "subject", "from", "to", "cc" or "body"
  std::string text;   // lower case
  bool operator==(const find_term&) const = default;
};

struct find_query {
  std::vector<find_term> terms;  // at least one when error is empty
  std::string error;             // why the text is outside the subset

  explicit operator bool() const { return error.empty(); }
  const std::vector<find_term>& operator*() const { return terms; }
};

find_query parse_find_query(std::string_view kql);

// Every term matches the message.
bool matches(const std::vector<find_term>& terms, const mailbox::message_properties& m);
// A GAL entry: every term (no field) is a prefix of the address, the alias, the display name or
// one of its words, as Exchange's ambiguous name resolution matches.
bool matches_entry(const std::vector<find_term>& terms, const std::string& display_name, const std::string& address);

}  // namespace easemu::server::commands
