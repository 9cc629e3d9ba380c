#include "easemu/shell/cmdlet_parser.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

namespace {

using easemu::shell::cmdlet_call;
using easemu::shell::cmdlet_parse_error;
using easemu::shell::cmdlet_value;
using easemu::shell::parse_cmdlets;
using easemu::shell::parse_options;
using kind = cmdlet_value::kind;

// Parses text that must succeed and yield exactly `count` calls.
std::vector<cmdlet_call> ok(std::string_view text, std::size_t count = 1, const parse_options& options = {}) {
  auto r = parse_cmdlets(text, options);
  if (!r) {
    ADD_FAILURE() << "unexpected error " << r.error().line << ":" << r.error().column << " " << r.error().message
                  << " for: " << text;
    return {};
  }
  EXPECT_EQ(r->size(), count) << text;
  return *r;
}

cmdlet_parse_error err(std::string_view text) {
  auto r = parse_cmdlets(text);
  if (r) {
    ADD_FAILURE() << "expected an error for: " << text;
    return {};
  }
  return r.error();
}

// The parameter's value by name; fails the test (and returns a placeholder) when absent.
const cmdlet_value& param(const cmdlet_call& call, std::string_view name) {
  static const cmdlet_value missing;
  for (const auto& p : call.parameters)
    if (p.name == name) return p.value;
  ADD_FAILURE() << "no parameter " << name << " in " << call.name;
  return missing;
}

void expect_text(const cmdlet_value& v, std::string_view text, bool quoted) {
  EXPECT_EQ(v.type, kind::text);
  EXPECT_EQ(v.text, text);
  EXPECT_EQ(v.quoted, quoted) << text;
}

void expect_bool(const cmdlet_value& v, bool flag) {
  EXPECT_EQ(v.type, kind::boolean);
  EXPECT_EQ(v.flag, flag);
}

void expect_error(std::string_view text, std::size_t line, std::size_t column, std::string_view message) {
  const auto e = err(text);
  EXPECT_EQ(e.line, line) << text;
  EXPECT_EQ(e.column, column) << text;
  EXPECT_EQ(e.message, message) << text;
}

// --- the lines from the Exchange documentation ------------------------------------------------------------------

TEST(CmdletParser, WindowsPhonePolicyLineVerbatim) {
  const std::string line =
      "New-ActiveSyncMailboxPolicy -Name \"My WP7 Policy\" -AllowNonProvisionableDevices $false "
      "-DevicePasswordEnabled $false -MinDevicePasswordLength $null -MaxInactivityTimeDeviceLock unlimited "
      "-MaxDevicePasswordFailedAttempts unlimited -AllowSimpleDevicePassword $true -DevicePasswordExpiration "
      "unlimited -DevicePasswordHistory 0 -AllowStorageCard $true -AllowIrDA $true -AllowDesktopSync $true "
      "-AllowRemoteDesktop $true -AllowInternetSharing $true";
  const auto calls = ok(line);
  ASSERT_EQ(calls.size(), 1u);
  const auto& c = calls[0];
  EXPECT_EQ(c.name, "New-ActiveSyncMailboxPolicy");
  EXPECT_EQ(c.line, 1u);
  EXPECT_EQ(c.source, line);
  EXPECT_TRUE(c.positional.empty());
  ASSERT_EQ(c.parameters.size(), 14u);
  EXPECT_EQ(c.parameters[0].name, "Name");
  EXPECT_EQ(c.parameters[0].line, 1u);
  EXPECT_EQ(c.parameters[0].column, 29u);
  expect_text(c.parameters[0].value, "My WP7 Policy", true);
  EXPECT_EQ(c.parameters[1].name, "AllowNonProvisionableDevices");
  EXPECT_EQ(c.parameters[1].column, 51u);
  expect_bool(c.parameters[1].value, false);
  expect_bool(param(c, "DevicePasswordEnabled"), false);
  EXPECT_EQ(param(c, "MinDevicePasswordLength").type, kind::null);
  expect_text(param(c, "MaxInactivityTimeDeviceLock"), "unlimited", false);
  expect_text(param(c, "MaxDevicePasswordFailedAttempts"), "unlimited", false);
  expect_bool(param(c, "AllowSimpleDevicePassword"), true);
  expect_text(param(c, "DevicePasswordExpiration"), "unlimited", false);
  expect_text(param(c, "DevicePasswordHistory"), "0", false);
  for (const char* name : {"AllowStorageCard", "AllowIrDA", "AllowDesktopSync", "AllowRemoteDesktop",
                           "AllowInternetSharing"})
    expect_bool(param(c, name), true);
  EXPECT_EQ(c.parameters[13].name, "AllowInternetSharing");
}

TEST(CmdletParser, SetCasMailboxWithTheAliasFilledIn) {
  const auto calls =
      ok("Set-CASMailbox -Identity alice -ActiveSyncEnabled $true -ActiveSyncMailboxPolicy \"My WP7 Policy\"");
  ASSERT_EQ(calls.size(), 1u);
  const auto& c = calls[0];
  EXPECT_EQ(c.name, "Set-CASMailbox");
  ASSERT_EQ(c.parameters.size(), 3u);
  expect_text(param(c, "Identity"), "alice", false);
  expect_bool(param(c, "ActiveSyncEnabled"), true);
  expect_text(param(c, "ActiveSyncMailboxPolicy"), "My WP7 Policy", true);
}

TEST(CmdletParser, PlaceholderLeftInIsTheReservedLessThanOperator) {
  // As pasted from the docs, before <user_alias> is replaced: PowerShell rejects '<' where an argument starts.
  expect_error("Set-CASMailbox -Identity <user_alias> -ActiveSyncEnabled $true "
               "-ActiveSyncMailboxPolicy \"My WP7 Policy\"",
               1, 26, "the '<' operator is reserved");
  // Inside a word it is just a character.
  const auto calls = ok("Set-CASMailbox -Identity a<b>");
  ASSERT_EQ(calls.size(), 1u);
  expect_text(param(calls[0], "Identity"), "a<b>", false);
}

TEST(CmdletParser, ClearDeviceWithUnicodeIdentitySwitchAndColonForm) {
  const auto calls =
      ok("Clear-ActiveSyncDevice -Identity \"alice\\ExchangeActiveSyncDevices\\WP\xC2\xA7"
         "ABC\" -AccountOnly -Confirm:$false");
  ASSERT_EQ(calls.size(), 1u);
  const auto& c = calls[0];
  ASSERT_EQ(c.parameters.size(), 3u);
  expect_text(c.parameters[0].value, "alice\\ExchangeActiveSyncDevices\\WP\xC2\xA7" "ABC", true);
  EXPECT_EQ(c.parameters[1].name, "AccountOnly");
  EXPECT_EQ(c.parameters[1].value.type, kind::present);
  EXPECT_EQ(c.parameters[2].name, "Confirm");
  expect_bool(c.parameters[2].value, false);
  // Columns count characters, not bytes: the '§' is one column.
  EXPECT_EQ(c.parameters[1].column, 75u);  // 76 if it counted bytes
}

TEST(CmdletParser, BareWordsKeepBackslashesDotsAtSignsAndUtf8) {
  const auto calls = ok("Get-ActiveSyncDeviceStatistics -Mailbox alice@contoso.com -Identity "
                        "alice\\ExchangeActiveSyncDevices\\WP\xC2\xA7" "ABC123 -Extra 1.00:00:00");
  ASSERT_EQ(calls.size(), 1u);
  expect_text(param(calls[0], "Mailbox"), "alice@contoso.com", false);
  expect_text(param(calls[0], "Identity"), "alice\\ExchangeActiveSyncDevices\\WP\xC2\xA7" "ABC123", false);
  expect_text(param(calls[0], "Extra"), "1.00:00:00", false);
}

TEST(CmdletParser, AllowedDeviceIdsHashtable) {
  const auto calls = ok("Set-CASMailbox alice -ActiveSyncAllowedDeviceIDs @{Add=\"ABC\",\"DEF\"}");
  ASSERT_EQ(calls.size(), 1u);
  const auto& c = calls[0];
  ASSERT_EQ(c.positional.size(), 1u);
  expect_text(c.positional[0], "alice", false);
  const auto& h = param(c, "ActiveSyncAllowedDeviceIDs");
  ASSERT_EQ(h.type, kind::hashtable);
  ASSERT_EQ(h.entries.size(), 1u);
  EXPECT_EQ(h.entries[0].key, "Add");
  ASSERT_EQ(h.entries[0].value.type, kind::list);
  ASSERT_EQ(h.entries[0].value.items.size(), 2u);
  expect_text(h.entries[0].value.items[0], "ABC", true);
  expect_text(h.entries[0].value.items[1], "DEF", true);
}

TEST(CmdletParser, TimeSpansAndSizesStayText) {
  const auto calls =
      ok("Set-ActiveSyncMailboxPolicy -Identity Default -MaxInactivityTimeDeviceLock 00:15:00 -MaxAttachmentSize 10MB");
  ASSERT_EQ(calls.size(), 1u);
  expect_text(param(calls[0], "Identity"), "Default", false);
  expect_text(param(calls[0], "MaxInactivityTimeDeviceLock"), "00:15:00", false);
  expect_text(param(calls[0], "MaxAttachmentSize"), "10MB", false);
}

// --- statements -------------------------------------------------------------------------------------------------

TEST(CmdletParser, ContinuationsSemicolonsCommentsAndCrlf) {
  const std::string text =
      "# set up the policy\r\n"
      "\r\n"
      "New-ActiveSyncMailboxPolicy -Name Lab `\r\n"
      "    -DevicePasswordEnabled $true `   \r\n"
      "    -AllowSimpleDevicePassword:$false   # trailing comment\r\n"
      "Set-CASMailbox alice -ActiveSyncEnabled $true; Get-CASMailbox alice ;\r\n"
      "   \t\r\n"
      "Get-ActiveSyncMailboxPolicy \"Lab\"";
  const auto calls = ok(text, 4);
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].name, "New-ActiveSyncMailboxPolicy");
  EXPECT_EQ(calls[0].line, 3u);
  EXPECT_EQ(calls[0].source,
            "New-ActiveSyncMailboxPolicy -Name Lab -DevicePasswordEnabled $true -AllowSimpleDevicePassword:$false");
  ASSERT_EQ(calls[0].parameters.size(), 3u);
  expect_text(calls[0].parameters[0].value, "Lab", false);
  EXPECT_EQ(calls[0].parameters[1].line, 4u);
  EXPECT_EQ(calls[0].parameters[1].column, 5u);
  expect_bool(calls[0].parameters[1].value, true);
  EXPECT_EQ(calls[0].parameters[2].line, 5u);
  expect_bool(calls[0].parameters[2].value, false);

  EXPECT_EQ(calls[1].name, "Set-CASMailbox");
  EXPECT_EQ(calls[1].line, 6u);
  EXPECT_EQ(calls[1].source, "Set-CASMailbox alice -ActiveSyncEnabled $true");
  EXPECT_EQ(calls[2].name, "Get-CASMailbox");
  EXPECT_EQ(calls[2].line, 6u);
  EXPECT_EQ(calls[2].source, "Get-CASMailbox alice");
  ASSERT_EQ(calls[2].positional.size(), 1u);
  expect_text(calls[2].positional[0], "alice", false);
  EXPECT_EQ(calls[3].line, 8u);
  ASSERT_EQ(calls[3].positional.size(), 1u);
  expect_text(calls[3].positional[0], "Lab", true);
}

TEST(CmdletParser, EmptyInputsHaveNoCalls) {
  ok("", 0);
  ok("\n\n  \r\n;;\t; # nothing here\n#", 0);
  ok("<# a block\n comment #>", 0);
  ok("`", 0);
}

TEST(CmdletParser, BlockCommentIsWhiteSpace) {
  const auto calls = ok("<# header #> Get-CASMailbox <# who:\n #> alice");
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_EQ(calls[0].positional.size(), 1u);
  expect_text(calls[0].positional[0], "alice", false);
  expect_error("Get-CASMailbox <# never closed", 1, 16, "missing closing '#>'");
}

TEST(CmdletParser, HashOnlyStartsACommentWhereATokenStarts) {
  const auto calls = ok("Set-CASMailbox -Identity a#b #c");
  ASSERT_EQ(calls.size(), 1u);
  expect_text(param(calls[0], "Identity"), "a#b", false);
  EXPECT_EQ(calls[0].source, "Set-CASMailbox -Identity a#b");
}

TEST(CmdletParser, StatementMustStartWithACmdletName) {
  expect_error("\"New-Foo\" -Name x", 1, 1, "expected a cmdlet name");
  expect_error("$x = Get-Mailbox", 1, 1, "expected a cmdlet name");
  expect_error("Get-CASMailbox\n  dir", 2, 3, "expected a cmdlet name");
  expect_error("-Name x", 1, 1, "expected a cmdlet name");
  expect_error("Get-", 1, 1, "expected a cmdlet name");
  expect_error("Get-Mail\"box\"", 1, 1, "expected a cmdlet name");
  expect_error("@{a=1}", 1, 1, "expected a cmdlet name");
  const auto calls = ok("get-casmailbox");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].name, "get-casmailbox");  // as written
}

// --- parameters and binding -------------------------------------------------------------------------------------

TEST(CmdletParser, SwitchWhenFollowedByAParameterOrTheEnd) {
  const auto calls = ok("Set-Thing -Enabled -Name x -Last\nSet-Thing -A;Set-Thing -B # c", 3);
  ASSERT_EQ(calls.size(), 3u);
  const auto& c = calls[0];
  ASSERT_EQ(c.parameters.size(), 3u);
  EXPECT_EQ(c.parameters[0].value.type, kind::present);
  expect_text(c.parameters[1].value, "x", false);
  EXPECT_EQ(c.parameters[2].value.type, kind::present);
  EXPECT_EQ(calls[1].parameters.at(0).value.type, kind::present);
  EXPECT_EQ(calls[2].parameters.at(0).value.type, kind::present);
}

TEST(CmdletParser, KnownSwitchesNeverTakeASeparateValue) {
  const auto calls = ok("Remove-ActiveSyncDevice -confirm alice -WHATIF $false");
  ASSERT_EQ(calls.size(), 1u);
  const auto& c = calls[0];
  ASSERT_EQ(c.parameters.size(), 2u);
  EXPECT_EQ(c.parameters[0].name, "confirm");  // case kept as written
  EXPECT_EQ(c.parameters[0].value.type, kind::present);
  EXPECT_EQ(c.parameters[1].value.type, kind::present);
  ASSERT_EQ(c.positional.size(), 2u);
  expect_text(c.positional[0], "alice", false);
  expect_bool(c.positional[1], false);
}

TEST(CmdletParser, SwitchListComesFromTheOptions) {
  parse_options options;
  options.switch_parameters = {"Recurse"};
  const auto calls = ok("Get-Thing -recurse x -Confirm y", 1, options);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(param(calls[0], "recurse").type, kind::present);
  expect_text(param(calls[0], "Confirm"), "y", false);  // not a switch for these options
  ASSERT_EQ(calls[0].positional.size(), 1u);
  expect_text(calls[0].positional[0], "x", false);
}

TEST(CmdletParser, ColonFormBindsEvenForSwitches) {
  const auto calls = ok("Set-Thing -Confirm:$FALSE -Force:$True -Name:\"a b\" -Size: 10MB -Ids:a,b -Neg:-1");
  ASSERT_EQ(calls.size(), 1u);
  const auto& c = calls[0];
  expect_bool(param(c, "Confirm"), false);
  expect_bool(param(c, "Force"), true);
  expect_text(param(c, "Name"), "a b", true);
  expect_text(param(c, "Size"), "10MB", false);
  const auto& ids = param(c, "Ids");
  ASSERT_EQ(ids.type, kind::list);
  ASSERT_EQ(ids.items.size(), 2u);
  expect_text(ids.items[1], "b", false);
  expect_text(param(c, "Neg"), "-1", false);
  EXPECT_TRUE(c.positional.empty());
}

TEST(CmdletParser, ColonWithNothingAfterIt) {
  expect_error("Set-Thing -Confirm:", 1, 11, "missing value after -Confirm:");
  expect_error("Set-Thing -Confirm:   ; Get-Thing", 1, 11, "missing value after -Confirm:");
  expect_error("Set-Thing -Name: -Other x", 1, 11, "missing value after -Name:");
}

TEST(CmdletParser, NegativeNumbersAreValues) {
  const auto calls = ok("Set-Thing -Retry -1 -Offset -.5 -2");
  ASSERT_EQ(calls.size(), 1u);
  expect_text(param(calls[0], "Retry"), "-1", false);
  expect_text(param(calls[0], "Offset"), "-.5", false);
  ASSERT_EQ(calls[0].positional.size(), 1u);
  expect_text(calls[0].positional[0], "-2", false);
}

TEST(CmdletParser, EmptyParameterName) {
  expect_error("Set-Thing -Name x -", 1, 19, "missing parameter name after '-'");
  expect_error("Set-Thing - x", 1, 11, "missing parameter name after '-'");
  expect_error("Set-Thing -:x", 1, 11, "missing parameter name after '-'");
}

TEST(CmdletParser, QuoteInsideAParameterMakesItAnArgument) {
  // PowerShell: quotes are never part of a parameter name, so -a"b" is the argument text -ab.
  const auto calls = ok("Write-Thing -a\"b\"");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_TRUE(calls[0].parameters.empty());
  ASSERT_EQ(calls[0].positional.size(), 1u);
  expect_text(calls[0].positional[0], "-ab", false);
}

TEST(CmdletParser, TypographicDashesQuotesAndSpacesFromWebPages) {
  // "–Name “My Policy” -Note ‘it’’s’" with an en dash, curly quotes and a no-break space.
  const auto calls = ok("Set-Thing \xE2\x80\x93Name \xE2\x80\x9CMy Policy\xE2\x80\x9D\xC2\xA0-Note "
                        "\xE2\x80\x98it\xE2\x80\x99\xE2\x80\x99s\xE2\x80\x99");
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_EQ(calls[0].parameters.size(), 2u);
  EXPECT_EQ(calls[0].parameters[0].name, "Name");
  expect_text(calls[0].parameters[0].value, "My Policy", true);
  EXPECT_EQ(calls[0].parameters[1].name, "Note");
  EXPECT_EQ(calls[0].parameters[1].column, 29u);  // 37 if it counted bytes
  expect_text(calls[0].parameters[1].value, "it\xE2\x80\x99s", true);
}

// --- strings ----------------------------------------------------------------------------------------------------

TEST(CmdletParser, SingleQuotedIsLiteral) {
  const auto calls = ok("Set-Thing -A 'it''s' -B '$x `n \"q\"' -C ''");
  ASSERT_EQ(calls.size(), 1u);
  expect_text(param(calls[0], "A"), "it's", true);
  expect_text(param(calls[0], "B"), "$x `n \"q\"", true);
  expect_text(param(calls[0], "C"), "", true);
}

TEST(CmdletParser, DoubleQuotedResolvesEscapesButNotVariables) {
  const auto calls =
      ok("Set-Thing -A \"say \"\"hi\"\" `\"now`\" ``\" -B \"a`tb`nc\" -C \"$env:USER costs $5\" -D \"x\ny\"");
  ASSERT_EQ(calls.size(), 1u);
  expect_text(param(calls[0], "A"), "say \"hi\" \"now\" `", true);
  expect_text(param(calls[0], "B"), "a\tb\nc", true);
  expect_text(param(calls[0], "C"), "$env:USER costs $5", true);
  expect_text(param(calls[0], "D"), "x\ny", true);  // strings may span lines
}

TEST(CmdletParser, QuotesJoinABareWordButNotTheOtherWayRound) {
  // PowerShell's generic tokens: a"b c"d is one argument; "a"b is two.
  const auto calls = ok("Write-Thing a\"b c\"d 'x'y e`,f");
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_EQ(calls[0].positional.size(), 4u);
  expect_text(calls[0].positional[0], "ab cd", false);
  expect_text(calls[0].positional[1], "x", true);
  expect_text(calls[0].positional[2], "y", false);
  expect_text(calls[0].positional[3], "e,f", false);  // an escaped comma is not a list
}

TEST(CmdletParser, MissingClosingQuotePointsAtTheOpeningQuote) {
  expect_error("Set-Thing -Name \"My Policy", 1, 17, "missing closing quote");
  expect_error("Set-Thing -Name 'My Policy\nGet-Thing", 1, 17, "missing closing quote");
  expect_error("Set-Thing -Name \"ends in a backtick`", 1, 17, "missing closing quote");
  expect_error("Set-Thing -Name a'b", 1, 18, "missing closing quote");
  expect_error("Set-Thing -A @{k='v}", 1, 18, "missing closing quote");
}

// --- variables --------------------------------------------------------------------------------------------------

TEST(CmdletParser, OnlyTrueFalseAndNullVariables) {
  const auto calls = ok("Set-Thing -A $TRUE -B $False -C $NULL");
  ASSERT_EQ(calls.size(), 1u);
  expect_bool(param(calls[0], "A"), true);
  expect_bool(param(calls[0], "B"), false);
  EXPECT_EQ(param(calls[0], "C").type, kind::null);
  expect_error("Set-Thing -Identity $user", 1, 21, "variables are not supported: $user");
  expect_error("Set-Thing -A $env:USERNAME", 1, 14, "variables are not supported: $env:USERNAME");
  expect_error("Set-Thing -A $truex", 1, 14, "variables are not supported: $truex");
  expect_error("Set-Thing $", 1, 11, "expected a variable name after '$'");
  expect_error("Set-Thing -A $(Get-Thing)", 1, 14, "subexpressions are not supported");
}

// --- lists and hashtables ---------------------------------------------------------------------------------------

TEST(CmdletParser, CommaLists) {
  const auto calls = ok("Set-Thing -Ids a,b,\"c d\" -More x , y ,z -Split a,\n   b");
  ASSERT_EQ(calls.size(), 1u);
  const auto& ids = param(calls[0], "Ids");
  ASSERT_EQ(ids.type, kind::list);
  ASSERT_EQ(ids.items.size(), 3u);
  expect_text(ids.items[0], "a", false);
  expect_text(ids.items[2], "c d", true);
  const auto& more = param(calls[0], "More");
  ASSERT_EQ(more.items.size(), 3u);
  expect_text(more.items[1], "y", false);
  const auto& split = param(calls[0], "Split");  // a line break may follow a comma
  ASSERT_EQ(split.items.size(), 2u);
  expect_text(split.items[1], "b", false);
  EXPECT_TRUE(calls[0].positional.empty());
}

TEST(CmdletParser, ArraySubexpressions) {
  const auto calls = ok("Set-Thing -A @(a, 'b') -B @() -C @( x; y\n z ) -D @(@(1,2), 3) -E @($true)");
  ASSERT_EQ(calls.size(), 1u);
  const auto& a = param(calls[0], "A");
  ASSERT_EQ(a.type, kind::list);
  ASSERT_EQ(a.items.size(), 2u);
  expect_text(a.items[1], "b", true);
  EXPECT_EQ(param(calls[0], "B").type, kind::list);
  EXPECT_TRUE(param(calls[0], "B").items.empty());
  EXPECT_EQ(param(calls[0], "C").items.size(), 3u);
  const auto& d = param(calls[0], "D");
  ASSERT_EQ(d.items.size(), 2u);
  ASSERT_EQ(d.items[0].type, kind::list);
  EXPECT_EQ(d.items[0].items.size(), 2u);
  const auto& e = param(calls[0], "E");
  ASSERT_EQ(e.items.size(), 1u);
  expect_bool(e.items[0], true);
}

TEST(CmdletParser, HashtablesInOrderAcrossLines) {
  const std::string text =
      "Set-CASMailbox alice -ActiveSyncAllowedDeviceIDs @{\n"
      "  Add = 'ABC', \"DEF\"   # new phones\n"
      "  Remove='OLD'; 'Odd Key'=$null\n"
      "} -ActiveSyncEnabled $true\n"
      "Set-Thing -Empty @{} -Nested @{a=@{b=1}}";
  const auto calls = ok(text, 2);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].line, 1u);
  EXPECT_EQ(calls[1].line, 5u);
  const auto& h = param(calls[0], "ActiveSyncAllowedDeviceIDs");
  ASSERT_EQ(h.type, kind::hashtable);
  ASSERT_EQ(h.entries.size(), 3u);
  EXPECT_EQ(h.entries[0].key, "Add");
  EXPECT_EQ(h.entries[0].value.items.size(), 2u);
  EXPECT_EQ(h.entries[1].key, "Remove");
  expect_text(h.entries[1].value, "OLD", true);
  EXPECT_EQ(h.entries[2].key, "Odd Key");
  EXPECT_EQ(h.entries[2].value.type, kind::null);
  expect_bool(param(calls[0], "ActiveSyncEnabled"), true);
  EXPECT_EQ(param(calls[1], "Empty").type, kind::hashtable);
  EXPECT_TRUE(param(calls[1], "Empty").entries.empty());
  const auto& nested = param(calls[1], "Nested");
  ASSERT_EQ(nested.entries.size(), 1u);
  ASSERT_EQ(nested.entries[0].value.type, kind::hashtable);
  expect_text(nested.entries[0].value.entries.at(0).value, "1", false);
}

TEST(CmdletParser, HashtableErrors) {
  expect_error("Set-Thing -A @{Add}", 1, 19, "missing '=' after hashtable key");
  expect_error("Set-Thing -A @{Add \"x\"}", 1, 20, "missing '=' after hashtable key");
  expect_error("Set-Thing -A @{Add=}", 1, 19, "missing value after '='");
  expect_error("Set-Thing -A @{=1}", 1, 16, "expected a hashtable key");
  expect_error("Set-Thing -A @{a=1 b=2}", 1, 20, "expected ';' or a line break between hashtable entries");
  expect_error("Set-Thing -A @{Add=1; add=2}", 1, 23, "duplicate hashtable key 'add'");
  expect_error("Set-Thing -A @{Add='x'\n\n", 1, 14, "missing closing '}'");
}

TEST(CmdletParser, ListErrors) {
  expect_error("Set-Thing -A @(a, b", 1, 14, "missing closing ')'");
  expect_error("Set-Thing -A @(a b)", 1, 18, "expected ',' or ')'");
  expect_error("Set-Thing -A a,", 1, 15, "missing expression after ','");
  expect_error("Set-Thing -A a, -B", 1, 15, "missing expression after ','");
  expect_error("Set-Thing -A @(a,)", 1, 17, "missing expression after ','");
  expect_error("Set-Thing -A ,a", 1, 14, "unexpected ','");
}

TEST(CmdletParser, NestingLimitIsSixteen) {
  auto nested = [](int depth) {
    std::string s = "Set-Thing -A ";
    for (int i = 0; i < depth; ++i) s += i % 2 ? "@{k=" : "@(";
    s += "x";
    for (int i = depth - 1; i >= 0; --i) s += i % 2 ? "}" : ")";
    return s;
  };
  const auto calls = ok(nested(16));
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(param(calls[0], "A").type, kind::list);
  // The 17th opener is at column 14 + 16 * 2 (the @( and @{k= take 2 and 4 columns).
  const auto e = err(nested(17));
  EXPECT_EQ(e.message, "nesting too deep");
  EXPECT_EQ(e.line, 1u);
  EXPECT_EQ(e.column, 14u + 8 * 2 + 8 * 4);
}

// --- script blocks: text for -Filter ----------------------------------------------------------------------------

TEST(CmdletParser, AScriptBlockIsKeptAsItsText) {
  const auto calls = parse_cmdlets("Get-ActiveSyncDevice -Filter {DeviceOS -like \"*Windows Phone7.0\" -and (X -eq '}')} -Mailbox a");
  ASSERT_TRUE(calls) << calls.error().message;
  const auto& p = calls->at(0).parameters;
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].value.type, cmdlet_value::kind::text);
  EXPECT_EQ(p[0].value.text, "{DeviceOS -like \"*Windows Phone7.0\" -and (X -eq '}')}");
  EXPECT_EQ(p[1].name, "Mailbox");
}

// --- what the subset leaves out ---------------------------------------------------------------------------------

TEST(CmdletParser, UnsupportedPowerShellIsAnErrorNotAGuess) {
  expect_error("Get-Mailbox | Set-CASMailbox -ActiveSyncEnabled $false", 1, 13, "pipelines are not supported");
  expect_error("Set-CASMailbox -Identity (Get-Mailbox alice)", 1, 26, "parenthesized expressions are not supported");
  expect_error("Get-Thing -Filter {Name -eq 'x'", 1, 19, "missing closing '}'");
  expect_error("Get-Thing > out.txt", 1, 11, "redirection is not supported");
  expect_error("Get-Thing @params", 1, 11, "unexpected '@'");
  expect_error("Get-Thing a)", 1, 12, "unexpected ')'");
  expect_error("Get-Thing & x", 1, 11, "the '&' operator is not supported");
}

// --- limits -----------------------------------------------------------------------------------------------------

TEST(CmdletParser, InputSizeLimit) {
  std::string text = "Get-Thing ";
  text += std::string((1u << 20) - text.size(), 'a');
  EXPECT_EQ(ok(text).at(0).positional.at(0).text.size(), (1u << 20) - 10);
  text += "b";
  expect_error(text, 1, 1, "input too large");
}

TEST(CmdletParser, StatementLimit) {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "Get-Thing\n";
  ok(text, 10000);
  text += "\n# comments and blank lines are not statements\n;;\n";
  ok(text, 10000);
  text += "Get-Thing";
  expect_error(text, 10004, 1, "too many statements");
}

// --- robustness -------------------------------------------------------------------------------------------------

TEST(CmdletParser, OddInputsEndCleanly) {
  for (const char* text :
       {"`", "``", "Get-Thing `", "Get-Thing ``", "Get-Thing `  ", "@", "Get-Thing @", "Get-Thing -", "Get-Thing '",
        "Get-Thing \"`", "Get-Thing @(", "Get-Thing @{", "Get-Thing @{a", "Get-Thing @{a=", "Get-Thing $",
        "Get-Thing a`", "Get-Thing -a:", "<#", "Get-Thing <", "\xE2\x80", "Get-Thing \xE2", "Get-Thing \xE2\x80\x9C",
        "\r", "\r\r\n", "Get-Thing\r"}) {
    const auto r = parse_cmdlets(text);
    if (!r) {
      EXPECT_GE(r.error().line, 1u) << text;
      EXPECT_GE(r.error().column, 1u) << text;
      EXPECT_FALSE(r.error().message.empty()) << text;
    }
  }
  // A trailing backtick continues into nothing: the statement simply ends.
  const auto calls = ok("Get-Thing -Force `");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].source, "Get-Thing -Force");
  // NUL bytes are ordinary characters of a word.
  const auto nul = ok(std::string_view("Get-Thing a\0b", 13));
  ASSERT_EQ(nul.size(), 1u);
  EXPECT_EQ(nul[0].positional.at(0).text, std::string("a\0b", 3));
}

TEST(CmdletParser, NeverCrashesOnTruncatedInput) {
  const std::string complex =
      "<# lab #> New-ActiveSyncMailboxPolicy \xE2\x80\x93Name \xE2\x80\x9CMy WP7 Policy\xE2\x80\x9D `\r\n"
      "  -AllowSimpleDevicePassword:$true -MaxInactivityTimeDeviceLock 00:15:00 -Retry -1 # note\n"
      "Set-CASMailbox alice -ActiveSyncAllowedDeviceIDs @{Add=\"A`\"B\",'C''D'; Remove=@(x, @{y=1})\n"
      "} -Ids a , b,\n c; Clear-ActiveSyncDevice -Identity alice\\Dev\\WP\xC2\xA7" "1 -AccountOnly -Confirm:$false\n";
  ASSERT_TRUE(parse_cmdlets(complex));
  EXPECT_EQ(parse_cmdlets(complex)->size(), 3u);
  std::size_t failures = 0;
  for (std::size_t n = 0; n <= complex.size(); ++n) {
    const auto r = parse_cmdlets(std::string_view(complex).substr(0, n));
    if (!r) {
      ++failures;
      EXPECT_GE(r.error().line, 1u);
      EXPECT_LE(r.error().line, 6u);
      EXPECT_GE(r.error().column, 1u);
    }
    // And with one byte dropped from the middle.
    std::string holed = complex;
    if (n < holed.size()) holed.erase(n, 1);
    (void)parse_cmdlets(holed);
  }
  EXPECT_GT(failures, 0u);  // e.g. the prefixes that stop inside the quotes
}

TEST(CmdletParser, NeverCrashesOnRandomBytes) {
  std::mt19937 rng(20240611);  // fixed seed: reproducible
  static constexpr char chars[] = "Get-Thing -Name:$true$null@(){},;'\"`#<>|&=\r\n \t\xE2\x80\x9C\xC2\xA0\0";
  const std::string alphabet(chars, sizeof chars - 1);  // keeps the NUL
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<std::size_t> length(0, 200);
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    const std::size_t len = length(rng);
    for (std::size_t j = 0; j < len; ++j)
      text += i % 2 ? static_cast<char>(byte(rng)) : alphabet[pick(rng)];
    const auto r = parse_cmdlets(text);
    if (!r) {
      EXPECT_GE(r.error().line, 1u);
      EXPECT_GE(r.error().column, 1u);
      EXPECT_FALSE(r.error().message.empty());
    }
  }
}

TEST(CmdletParser, LargeInputsStayLinear) {
  // A megabyte line of parameters: positions are computed incrementally, not by rescanning the line.
  std::string text = "Set-Thing";
  while (text.size() + 3 < (1u << 20)) text += " -a";
  const auto calls = ok(text);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].parameters.back().column, text.size() - 1);
  // Many hashtable keys: duplicate detection must not be quadratic either.
  std::string table = "Set-Thing -A @{";
  for (int i = 0; i < 50000; ++i) table += "k" + std::to_string(i) + "=1;";
  table += "}";
  EXPECT_EQ(ok(table).at(0).parameters.at(0).value.entries.size(), 50000u);
}

}  // namespace
