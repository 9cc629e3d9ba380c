#include "easemu/shell/opath.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using easemu::shell::opath_error;
using easemu::shell::opath_filter;
using easemu::shell::parse_opath;

// The Get-ActiveSyncDevice properties of issue 8 (PROVISIONING.md 5.2).
const std::vector<std::string> device_properties = {
    "Identity",          "DeviceId",           "DeviceType",          "DeviceModel",
    "DeviceOS",          "DeviceOSLanguage",   "DeviceUserAgent",     "DeviceImei",
    "DeviceFriendlyName", "DevicePhoneNumber", "DeviceMobileOperator", "FirstSyncTime",
    "LastSuccessSync",   "LastSyncAttemptTime", "LastPolicyUpdateTime", "LastPingHeartbeat",
    "DeviceAccessState", "DeviceAccessStateReason", "DevicePolicyApplied", "DevicePolicyApplicationStatus",
    "DeviceWipeRequestTime", "DeviceWipeSentTime", "DeviceWipeAckTime", "NumberOfFoldersSynced",
    "Status",            "ClientVersion",      "IsRemoteWipeSupported",
};

using device = std::map<std::string, std::string>;  // absent key = null

opath_filter ok(std::string_view text) {
  auto r = parse_opath(text, device_properties);
  if (!r) {
    ADD_FAILURE() << "unexpected error " << r.error().line << ":" << r.error().column << " " << r.error().message
                  << " for: " << text.substr(0, 200);
    return {};
  }
  return *r;
}

opath_error err(std::string_view text) {
  auto r = parse_opath(text, device_properties);
  if (r) {
    ADD_FAILURE() << "expected an error for: " << text;
    return {};
  }
  return r.error();
}

// A getter over a map; also records every property name it was asked for.
struct getter_over {
  const device& d;
  std::vector<std::string>* asked = nullptr;
  std::optional<std::string> operator()(std::string_view p) const {
    if (asked != nullptr) asked->emplace_back(p);
    const auto it = d.find(std::string(p));
    if (it == d.end()) return std::nullopt;
    return it->second;
  }
};

bool match(std::string_view text, const device& d) { return ok(text).matches(getter_over{d}); }

// Names of the devices the filter selects, in order.
std::vector<std::string> select(std::string_view text, const std::map<std::string, device>& devices) {
  const auto f = ok(text);
  std::vector<std::string> out;
  for (const auto& [name, d] : devices) {
    if (f.matches(getter_over{d})) out.push_back(name);
  }
  return out;
}

const device wp7 = {{"DeviceId", "A1B2C3"},         {"DeviceType", "WP"},
                    {"DeviceModel", "HD7"},         {"DeviceOS", "Windows Phone7.0"},
                    {"DeviceUserAgent", "MSFT-WP/7.0.7004"}, {"DeviceAccessState", "Allowed"},
                    {"IsRemoteWipeSupported", "True"}};
const device wp75 = {{"DeviceId", "D4E5F6"},   {"DeviceType", "WP"},  {"DeviceModel", "Lumia 800"},
                     {"DeviceOS", "Windows Phone7.5"}, {"DeviceAccessState", "Quarantined"},
                     {"IsRemoteWipeSupported", "False"}};
const device iphone = {{"DeviceId", "ApplDLXH1"}, {"DeviceType", "iPhone"}, {"DeviceModel", "iPhone4C1"},
                       {"DeviceOS", "iOS 6.1 10B145"}, {"DeviceAccessState", "Blocked"},
                       {"DeviceAccessStateReason", "DeviceRule"}, {"IsRemoteWipeSupported", "True"}};
const device android = {{"DeviceId", "androidc1234"}, {"DeviceType", "Android"}, {"DeviceOS", ""},
                        {"DeviceAccessState", "DeviceDiscovery"}};  // no DeviceModel at all; DeviceOS empty

const std::map<std::string, device> fleet = {{"android", android}, {"iphone", iphone}, {"wp7", wp7}, {"wp75", wp75}};

// --- the issue's example and the common forms --------------------------------------------------------------------

TEST(Opath, IssueExampleVerbatim) {
  // Issue 8: `Get-ActiveSyncDevice -Filter {DeviceOS -like "*Windows Phone7.0"}`; the filter part.
  EXPECT_EQ(select(R"({DeviceOS -like "*Windows Phone7.0"})", fleet), (std::vector<std::string>{"wp7"}));
  EXPECT_TRUE(match(R"({DeviceOS -like "*Windows Phone7.0"})", {{"DeviceOS", "Microsoft Windows Phone7.0"}}));
  EXPECT_FALSE(match(R"({DeviceOS -like "*Windows Phone7.0"})", {{"DeviceOS", "Windows Phone7.0 (7004)"}}));
}

TEST(Opath, StringFormAndPlainText) {
  // -Filter "..." (a string with the other quote inside) and the bare text select the same devices.
  const std::vector<std::string> wp7_only = {"wp7"};
  EXPECT_EQ(select(R"("DeviceOS -like '*Windows Phone7.0'")", fleet), wp7_only);
  EXPECT_EQ(select(R"('DeviceOS -like "*Windows Phone7.0"')", fleet), wp7_only);
  EXPECT_EQ(select(R"(DeviceOS -like "*Windows Phone7.0")", fleet), wp7_only);
  EXPECT_EQ(select(R"("{DeviceOS -like '*Windows Phone7.0'}")", fleet), wp7_only);
  EXPECT_EQ(select("  {  DeviceOS -like '*Windows Phone7.0'  }  ", fleet), wp7_only);
  // A doubled quote inside the outer string is one quote.
  EXPECT_EQ(select(R"("DeviceOS -like ""*Windows Phone7.0""")", fleet), wp7_only);
}

TEST(Opath, PracticalExampleMixedCasePropertyName) {
  // Written this way in a widely read Exchange 2010 article on quarantined devices.
  EXPECT_EQ(select(R"({DeviceaccessState -eq "Quarantined"})", fleet), (std::vector<std::string>{"wp75"}));
}

// --- comparisons -------------------------------------------------------------------------------------------------

TEST(Opath, EqAndNeCompareWholeValuesCaseInsensitively) {
  EXPECT_TRUE(match("DeviceType -eq 'WP'", wp7));
  EXPECT_TRUE(match("DeviceType -eq 'wp'", wp7));
  EXPECT_FALSE(match("DeviceType -eq 'W'", wp7));
  EXPECT_FALSE(match("DeviceType -eq 'WP7'", wp7));
  EXPECT_FALSE(match("DeviceType -ne 'wp'", wp7));
  EXPECT_TRUE(match("DeviceType -ne 'iPhone'", wp7));
  // -eq is not a pattern match: '*' is literal there.
  EXPECT_FALSE(match("DeviceType -eq 'W*'", wp7));
  EXPECT_TRUE(match("DeviceType -eq 'W*'", {{"DeviceType", "W*"}}));
}

TEST(Opath, CaseSensitiveAndExplicitlyInsensitiveOperators) {
  EXPECT_TRUE(match("DeviceType -ieq 'wp'", wp7));
  EXPECT_FALSE(match("DeviceType -ceq 'wp'", wp7));
  EXPECT_TRUE(match("DeviceType -ceq 'WP'", wp7));
  EXPECT_TRUE(match("DeviceType -cne 'wp'", wp7));
  EXPECT_FALSE(match("DeviceOS -clike '*phone*'", wp7));
  EXPECT_TRUE(match("DeviceOS -clike '*Phone*'", wp7));
  EXPECT_TRUE(match("DeviceOS -ilike '*PHONE*'", wp7));
  EXPECT_TRUE(match("DeviceOS -cnotlike '*PHONE*'", wp7));
  EXPECT_FALSE(match("DeviceOS -inotlike '*PHONE*'", wp7));
}

TEST(Opath, LikeWildcardsAnywhere) {
  const device d = {{"DeviceOS", "Windows Phone7.0"}};
  EXPECT_TRUE(match("DeviceOS -like 'Windows*'", d));
  EXPECT_TRUE(match("DeviceOS -like '*7.0'", d));
  EXPECT_TRUE(match("DeviceOS -like '*Phone*'", d));
  EXPECT_TRUE(match("DeviceOS -like 'W*s P*0'", d));
  EXPECT_TRUE(match("DeviceOS -like '*'", d));
  EXPECT_TRUE(match("DeviceOS -like '**Phone**'", d));
  EXPECT_TRUE(match("DeviceOS -like 'windows phone7.0'", d));  // no wildcard: whole value, any case
  EXPECT_FALSE(match("DeviceOS -like 'Windows'", d));
  EXPECT_FALSE(match("DeviceOS -like '*Phone'", d));
  EXPECT_FALSE(match("DeviceOS -like 'Phone*'", d));
  EXPECT_FALSE(match("DeviceOS -like 'W*s P*1'", d));
  // '?' and '[' are literal (only '*' is a wildcard).
  EXPECT_FALSE(match("DeviceOS -like 'Windows Phone7.?'", d));
  EXPECT_TRUE(match("DeviceOS -like 'What?'", {{"DeviceOS", "What?"}}));
  EXPECT_FALSE(match("DeviceOS -like '[W]indows*'", d));
  // Backtracking: the first "ab" is not the one the pattern needs.
  EXPECT_TRUE(match("DeviceId -like '*ab*abc'", {{"DeviceId", "xabyabzabc"}}));
  EXPECT_FALSE(match("DeviceId -like '*ab*abc'", {{"DeviceId", "xabyabzab"}}));
  EXPECT_TRUE(match("DeviceId -notlike '*ab*abc'", {{"DeviceId", "xabyabzab"}}));
}

TEST(Opath, NullAndEmptyValues) {
  // android has no DeviceModel and an empty DeviceOS: both are null.
  EXPECT_TRUE(match("DeviceModel -eq $null", android));
  EXPECT_TRUE(match("DeviceOS -eq $null", android));
  EXPECT_FALSE(match("DeviceModel -ne $null", android));
  EXPECT_FALSE(match("DeviceModel -eq $null", wp7));
  EXPECT_TRUE(match("DeviceModel -ne $null", wp7));
  // Null equals no text, matches no pattern, so -like '*' tests presence.
  EXPECT_FALSE(match("DeviceModel -eq ''", android));
  EXPECT_TRUE(match("DeviceModel -ne 'HD7'", android));
  EXPECT_FALSE(match("DeviceModel -like '*'", android));
  EXPECT_TRUE(match("DeviceModel -notlike 'HD*'", android));
  EXPECT_EQ(select("DeviceModel -like '*'", fleet), (std::vector<std::string>{"iphone", "wp7", "wp75"}));
  EXPECT_EQ(select("DeviceModel -eq $NULL", fleet), (std::vector<std::string>{"android"}));
  // -like with $null is the null test.
  EXPECT_TRUE(match("DeviceModel -like $null", android));
  EXPECT_TRUE(match("DeviceModel -notlike $null", wp7));
}

TEST(Opath, Booleans) {
  EXPECT_EQ(select("IsRemoteWipeSupported -eq $true", fleet), (std::vector<std::string>{"iphone", "wp7"}));
  EXPECT_EQ(select("IsRemoteWipeSupported -eq $FALSE", fleet), (std::vector<std::string>{"wp75"}));
  EXPECT_EQ(select("IsRemoteWipeSupported -ne $true", fleet), (std::vector<std::string>{"android", "wp75"}));
  // The text forms work too, since the comparison is textual.
  EXPECT_EQ(select("IsRemoteWipeSupported -eq 'true'", fleet), (std::vector<std::string>{"iphone", "wp7"}));
}

TEST(Opath, NumbersAndDatesCompareAsText) {
  const device d = {{"NumberOfFoldersSynced", "12"}, {"FirstSyncTime", "3/14/2024 9:26:53 AM"}};
  EXPECT_TRUE(match("NumberOfFoldersSynced -eq 12", d));
  EXPECT_FALSE(match("NumberOfFoldersSynced -eq 012", d));  // text, not numbers
  EXPECT_TRUE(match("FirstSyncTime -like '3/14/2024*'", d));
}

// --- quoting ------------------------------------------------------------------------------------------------------

TEST(Opath, Quoting) {
  EXPECT_TRUE(match("DeviceFriendlyName -eq \"Bob's phone\"", {{"DeviceFriendlyName", "Bob's phone"}}));
  EXPECT_TRUE(match("DeviceFriendlyName -eq 'Bob''s phone'", {{"DeviceFriendlyName", "Bob's phone"}}));
  EXPECT_TRUE(match(R"(DeviceFriendlyName -eq "say ""hi""")", {{"DeviceFriendlyName", "say \"hi\""}}));
  EXPECT_TRUE(match(R"(DeviceFriendlyName -eq "say `"hi`"")", {{"DeviceFriendlyName", "say \"hi\""}}));
  EXPECT_TRUE(match("DeviceFriendlyName -eq \"a`tb\"", {{"DeviceFriendlyName", "a\tb"}}));
  EXPECT_TRUE(match("DeviceFriendlyName -eq 'a`tb'", {{"DeviceFriendlyName", "a`tb"}}));  // literal in '...'
  EXPECT_TRUE(match("DeviceFriendlyName -eq \"$x\"", {{"DeviceFriendlyName", "$x"}}));      // never expanded
  EXPECT_TRUE(match("DeviceFriendlyName -eq 'a -and b'", {{"DeviceFriendlyName", "a -and b"}}));
  EXPECT_TRUE(match("DeviceFriendlyName -eq '(x)'", {{"DeviceFriendlyName", "(x)"}}));
  EXPECT_TRUE(match("DeviceFriendlyName -eq ''", {{"DeviceFriendlyName", "z"}}) == false);
}

TEST(Opath, BareWords) {
  EXPECT_TRUE(match("DeviceAccessState -eq Quarantined", wp75));
  EXPECT_TRUE(match("DeviceId -eq ApplDLXH1", iphone));
  EXPECT_TRUE(match("LastPingHeartbeat -eq -1", {{"LastPingHeartbeat", "-1"}}));  // '-' then a digit is a value
  EXPECT_TRUE(match("DeviceModel -eq iPhone-X", {{"DeviceModel", "iPhone-X"}}));
  EXPECT_TRUE(match("(DeviceType -eq WP)", wp7));  // a bare word ends at ')'
}

TEST(Opath, TypographicQuotesAndDashesFromWebPages) {
  // “ ” ‘ ’ and – (en dash), as word processors and web pages render them.
  EXPECT_TRUE(match("DeviceOS \xE2\x80\x93like \xE2\x80\x9C*Windows Phone7.0\xE2\x80\x9D", wp7));
  EXPECT_TRUE(match("DeviceType -eq \xE2\x80\x98WP\xE2\x80\x99", wp7));
  EXPECT_TRUE(match("DeviceType\xC2\xA0-eq\xC2\xA0WP", wp7));  // no-break spaces
}

// --- logic ------------------------------------------------------------------------------------------------------

TEST(Opath, AndOrNot) {
  EXPECT_EQ(select("DeviceType -eq WP -and DeviceAccessState -eq Allowed", fleet), (std::vector<std::string>{"wp7"}));
  EXPECT_EQ(select("DeviceType -eq iPhone -or DeviceType -eq Android", fleet),
            (std::vector<std::string>{"android", "iphone"}));
  EXPECT_EQ(select("-not (DeviceType -eq WP)", fleet), (std::vector<std::string>{"android", "iphone"}));
  EXPECT_EQ(select("!(DeviceType -eq WP)", fleet), (std::vector<std::string>{"android", "iphone"}));
  EXPECT_EQ(select("-not(DeviceType -eq WP)", fleet), (std::vector<std::string>{"android", "iphone"}));
  EXPECT_EQ(select("-not -not (DeviceType -eq WP)", fleet), (std::vector<std::string>{"wp7", "wp75"}));
  EXPECT_EQ(select("-not DeviceType -eq WP", fleet), (std::vector<std::string>{"android", "iphone"}));
}

TEST(Opath, PrecedenceNotOverAndOverOr) {
  // a -or b -and c  is  a -or (b -and c)
  const std::string f = "DeviceType -eq iPhone -or DeviceType -eq WP -and DeviceAccessState -eq Quarantined";
  EXPECT_EQ(select(f, fleet), (std::vector<std::string>{"iphone", "wp75"}));
  EXPECT_EQ(ok(f).to_string(),
            R"(((DeviceType -eq "iPhone") -or ((DeviceType -eq "WP") -and (DeviceAccessState -eq "Quarantined"))))");
  // Parentheses override it.
  EXPECT_EQ(select("(DeviceType -eq iPhone -or DeviceType -eq WP) -and DeviceAccessState -eq Quarantined", fleet),
            (std::vector<std::string>{"wp75"}));
  // -not binds tighter than -and: (-not a) -and b.
  EXPECT_EQ(select("-not DeviceType -eq iPhone -and IsRemoteWipeSupported -eq $true", fleet),
            (std::vector<std::string>{"wp7"}));
  EXPECT_EQ(ok("-not DeviceType -eq iPhone -and IsRemoteWipeSupported -eq $true").to_string(),
            R"((-not (DeviceType -eq "iPhone") -and (IsRemoteWipeSupported -eq $true)))");
  // and, then or, left to right, flattened.
  EXPECT_EQ(ok("DeviceId -eq a -and DeviceId -eq b -and DeviceId -eq c -or DeviceId -eq d").to_string(),
            R"((((DeviceId -eq "a") -and (DeviceId -eq "b") -and (DeviceId -eq "c")) -or (DeviceId -eq "d")))");
}

TEST(Opath, NestedParentheses) {
  const std::string f =
      "((DeviceType -eq WP -and (DeviceOS -like '*7.5' -or DeviceModel -eq HD7)) -or (DeviceType -eq Android))";
  EXPECT_EQ(select(f, fleet), (std::vector<std::string>{"android", "wp7", "wp75"}));
  EXPECT_EQ(select("((((DeviceType -eq iPhone))))", fleet), (std::vector<std::string>{"iphone"}));
}

TEST(Opath, CaseInsensitiveKeywordsAndCanonicalPropertyNames) {
  std::vector<std::string> asked;
  const auto f = ok("{deviceos -LIKE '*7.0' -AND deviceTYPE -Eq wp -OR -NOT (DEVICEID -NE $NULL)}");
  EXPECT_TRUE(f.matches(getter_over{wp7, &asked}));
  // The getter is asked with the known spelling, not the typed one.
  ASSERT_GE(asked.size(), 2u);
  EXPECT_EQ(asked[0], "DeviceOS");
  EXPECT_EQ(asked[1], "DeviceType");
  EXPECT_EQ(f.to_string(),
            R"((((DeviceOS -like "*7.0") -and (DeviceType -eq "wp")) -or -not (DeviceId -ne $null)))");
}

TEST(Opath, ShortCircuitsAndStopsAsking) {
  std::vector<std::string> asked;
  ok("DeviceType -eq iPhone -and DeviceOS -eq x").matches(getter_over{wp7, &asked});
  EXPECT_EQ(asked, (std::vector<std::string>{"DeviceType"}));
  asked.clear();
  ok("DeviceType -eq WP -or DeviceOS -eq x").matches(getter_over{wp7, &asked});
  EXPECT_EQ(asked, (std::vector<std::string>{"DeviceType"}));
}

TEST(Opath, CanonicalTextReadsBackToTheSameFilter) {
  for (const char* text : {
           R"({DeviceOS -like "*Windows Phone7.0"})",
           "DeviceType -eq iPhone -or DeviceType -eq WP -and -not (DeviceModel -eq $null)",
           "DeviceFriendlyName -ceq 'q\"uo`te' -and IsRemoteWipeSupported -ne $false",
           "DeviceFriendlyName -eq 'a\xE2\x80\x9C" "b'",
       }) {
    const auto first = ok(text);
    const auto again = ok(first.to_string());
    EXPECT_EQ(again.to_string(), first.to_string()) << text;
  }
  // A typographic double quote inside a double quote would end it: the canonical text escapes it.
  EXPECT_TRUE(ok(ok("DeviceFriendlyName -eq 'a\xE2\x80\x9C" "b'").to_string())
                  .matches(getter_over{{{"DeviceFriendlyName", "a\xE2\x80\x9C" "b"}}}));
  EXPECT_TRUE(ok(ok("DeviceFriendlyName -ceq 'q\"uo`te'").to_string())
                  .matches(getter_over{{{"DeviceFriendlyName", "q\"uo`te"}}}));
}

TEST(Opath, FleetSelections) {
  EXPECT_EQ(select("DeviceType -eq WP", fleet), (std::vector<std::string>{"wp7", "wp75"}));
  EXPECT_EQ(select("DeviceAccessState -ne Allowed", fleet), (std::vector<std::string>{"android", "iphone", "wp75"}));
  EXPECT_EQ(select("DeviceAccessState -eq Blocked -and DeviceAccessStateReason -eq DeviceRule", fleet),
            (std::vector<std::string>{"iphone"}));
  EXPECT_EQ(select("DeviceId -like 'Appl*' -or DeviceId -like 'android*'", fleet),
            (std::vector<std::string>{"android", "iphone"}));
  EXPECT_EQ(select("DeviceOS -notlike '*Windows Phone*'", fleet), (std::vector<std::string>{"android", "iphone"}));
  EXPECT_EQ(select("DeviceAccessState -eq DeviceDiscovery -or DeviceAccessState -eq Quarantined", fleet),
            (std::vector<std::string>{"android", "wp75"}));
  EXPECT_EQ(select("DeviceUserAgent -like 'MSFT-WP/*'", fleet), (std::vector<std::string>{"wp7"}));
  EXPECT_TRUE(select("DeviceType -eq BlackBerry", fleet).empty());
}

TEST(Opath, MultiLineFilter) {
  EXPECT_EQ(select("{\n  DeviceType -eq WP\n  -and DeviceAccessState -eq Allowed\n}", fleet),
            (std::vector<std::string>{"wp7"}));
}

// --- errors -----------------------------------------------------------------------------------------------------

TEST(OpathErrors, UnknownPropertyNamedWithItsColumn) {
  const auto e = err("{DeviceOS -eq x -and DeviceColour -eq red}");
  EXPECT_EQ(e.line, 1u);
  EXPECT_EQ(e.column, 22u);
  EXPECT_NE(e.message.find("'DeviceColour' is not a recognized filterable property"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("DeviceAccessStateReason"), std::string::npos) << e.message;  // the valid ones are listed
  const std::string shown = easemu::shell::to_string(e);
  EXPECT_EQ(shown.rfind("At line:1 char:22: 'DeviceColour'", 0), 0u) << shown;
}

TEST(OpathErrors, ColumnsCountInTheCallersTextAcrossLinesAndQuotes) {
  auto e = err("{\n  DeviceType -eq WP -and\n  Foo -eq 1}");
  EXPECT_EQ(e.line, 3u);
  EXPECT_EQ(e.column, 3u);
  // Inside an unwrapped string, with a doubled quote before the error: still the caller's column.
  e = err(R"("DeviceOS -eq ""a"" -and Bar -eq 1")");
  EXPECT_EQ(e.line, 1u);
  EXPECT_EQ(e.column, 26u);
  EXPECT_NE(e.message.find("'Bar'"), std::string::npos);
  // Code points, not bytes: "é" is one column.
  e = err("DeviceOS -eq 'é' -and Baz -eq 1");
  EXPECT_EQ(e.column, 23u);
}

TEST(OpathErrors, SyntaxErrorsPointAtTheProblem) {
  struct row {
    const char* text;
    std::size_t column;
    const char* says;
  };
  const row rows[] = {
      {"", 1, "empty"},
      {"{   }", 1, "empty"},
      {"{DeviceOS -eq x", 1, "missing closing '}'"},
      {"DeviceOS -eq 'x", 14, "missing closing quote"},
      {"\"DeviceOS -eq x", 1, "missing closing quote"},
      {"(DeviceOS -eq x", 1, "missing closing ')'"},
      {"DeviceOS -eq x)", 15, "unexpected ')'"},
      {"DeviceOS -eq x DeviceType -eq y", 16, "expected -and or -or"},
      {"(DeviceOS -eq x DeviceType -eq y)", 17, "expected -and, -or or ')'"},
      {"DeviceOS", 9, "expected -eq, -ne, -like or -notlike after DeviceOS"},
      {"DeviceOS -lke x", 10, "'-lke'"},
      {"DeviceOS -and x", 10, "expected -eq"},
      {"DeviceOS -lt 5", 10, "'-lt' is not supported"},
      {"DeviceOS -match 'x'", 10, "'-match' is not supported"},
      {"DeviceOS -eq", 10, "missing value after -eq"},
      {"DeviceOS -eq )", 14, "missing value after -eq"},
      {"DeviceOS -eq x -and", 20, "missing expression"},
      {"DeviceOS -eq x -or ()", 21, "unexpected ')'"},
      {"-and DeviceOS -eq x", 1, "expected a property name"},
      {"'DeviceOS' -eq x -and 1", 1, "starts with a property name"},
      {"DeviceOS -eq $os", 14, "variables are not supported: $os"},
      {"DeviceOS -eq $", 14, "expected a variable name"},
      {"DeviceOS -eq {x}", 14, "unexpected '{'"},
      {"!", 2, "missing expression"},
  };
  for (const auto& r : rows) {
    const auto e = err(r.text);
    EXPECT_EQ(e.line, 1u) << r.text;
    EXPECT_EQ(e.column, r.column) << r.text << " -> " << e.message;
    EXPECT_NE(e.message.find(r.says), std::string::npos) << r.text << " -> " << e.message;
  }
}

TEST(OpathErrors, NoKnownPropertiesKnowsNone) {
  const auto r = parse_opath("DeviceOS -eq x", {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("(none)"), std::string::npos);
}

TEST(OpathErrors, Limits) {
  std::string deep(65, '(');
  deep += "DeviceOS -eq x" + std::string(65, ')');
  EXPECT_NE(err(deep).message.find("nested too deeply"), std::string::npos);
  std::string ok_depth(64, '(');
  ok_depth += "DeviceOS -eq x" + std::string(64, ')');
  EXPECT_TRUE(parse_opath(ok_depth, device_properties));
  std::string nots;
  for (int i = 0; i < 65; ++i) nots += "-not ";
  EXPECT_NE(err(nots + "DeviceOS -eq x").message.find("nested too deeply"), std::string::npos);
  EXPECT_NE(err(std::string((64 << 10) + 1, ' ')).message.find("64 KiB"), std::string::npos);
  // A long flat chain is fine (and/or chains do not nest).
  std::string chain = "DeviceId -eq x0";
  for (int i = 1; i < 2000; ++i) chain += " -or DeviceId -eq x" + std::to_string(i);
  const auto f = ok(chain);
  EXPECT_TRUE(f.matches(getter_over{{{"DeviceId", "x1999"}}}));
  EXPECT_FALSE(f.matches(getter_over{{{"DeviceId", "x2000"}}}));
}

TEST(OpathErrors, NeverThrowsOnNoise) {
  std::mt19937 rng(8);
  const std::string alphabet = "(){}!$'\"` -eqlikenotandorDeviceOS*\n\xE2\x80\x9C";
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    const int len = static_cast<int>(rng() % 40);
    for (int k = 0; k < len; ++k) s += alphabet[rng() % alphabet.size()];
    auto r = parse_opath(s, device_properties);
    if (r) {
      (void)r->matches(getter_over{wp7});
      (void)r->to_string();
    } else {
      EXPECT_GE(r.error().line, 1u);
      EXPECT_GE(r.error().column, 1u);
      EXPECT_FALSE(r.error().message.empty());
    }
  }
}

TEST(Opath, DefaultFilterAndEmptyGetter) {
  EXPECT_FALSE(opath_filter{}.matches(getter_over{wp7}));
  EXPECT_EQ(opath_filter{}.to_string(), "");
  // Without a getter every property is null.
  EXPECT_TRUE(ok("DeviceOS -eq $null").matches({}));
}

}  // namespace
