// libwbxml 0.11.8 (Debian libwbxml2-utils) as an independent oracle for our codec and our code
// page table (PROTOCOL.md 2.7). For every code page libwbxml knows, a document holding every tag
// of the page must
//   1. encode to the same bytes with our encoder and with xml2wbxml,
//   2. decode from xml2wbxml's bytes with our decoder to the tree we started from,
//   3. decode from our bytes with wbxml2xml to XML that, with libwbxml's names mapped back to
//      ours, our from_xml reads as the tree we started from.
// A realistic multi-page Sync response and generated trees go through the same three checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "easemu/common/base64.hpp"
#include "easemu/simulator/requests.hpp"
#include "easemu/mailbox/pim.hpp"
#include "easemu/wbxml/code_pages.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/element.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/process.hpp"
#include "unit/wbxml/tree_gen.hpp"

namespace {

using namespace easemu::wbxml;

// --- what libwbxml 0.11.8 knows ------------------------------------------------------------

// Same token, different XML name in libwbxml. From PROTOCOL.md 2.7, plus Settings 0x1F, which
// 2.7 does not list (2.5 mentions the spelling). Every entry is checked against what wbxml2xml
// writes for the token (NameMapEntriesAreWhatLibwbxmlDecodes), and every tag not listed is
// checked to have our name in libwbxml (the per-page tests), so the map is both real and complete.
struct name_difference {
  std::uint8_t page;
  std::uint8_t token;
  std::string_view libwbxml;
};

constexpr name_difference libwbxml_names[] = {
    // CP1 Contacts: no "Address" in the address parts.
    {1, 0x07, "AssistantTelephoneNumber"},
    {1, 0x0D, "BusinessCity"},
    {1, 0x0E, "BusinessCountry"},
    {1, 0x0F, "BusinessPostalCode"},
    {1, 0x10, "BusinessState"},
    {1, 0x11, "BusinessStreet"},
    {1, 0x21, "HomeCity"},
    {1, 0x22, "HomeCountry"},
    {1, 0x23, "HomePostalCode"},
    {1, 0x24, "HomeState"},
    {1, 0x25, "HomeStreet"},
    {1, 0x2D, "OtherCity"},
    {1, 0x2E, "OtherCountry"},
    {1, 0x2F, "OtherPostalCode"},
    {1, 0x30, "OtherState"},
    {1, 0x31, "OtherStreet"},
    // CP2 Email
    {2, 0x09, "AttOId"},
    {2, 0x19, "Reply-To"},
    {2, 0x1D, "DTStamp"},
    {2, 0x29, "Recurrence_Type"},
    {2, 0x2A, "Recurrence_Until"},
    {2, 0x2B, "Recurrence_Occurrences"},
    {2, 0x2C, "Recurrence_Interval"},
    {2, 0x2D, "Recurrence_DayOfWeek"},
    {2, 0x2E, "Recurrence_DayOfMonth"},
    {2, 0x2F, "Recurrence_WeekOfMonth"},
    {2, 0x30, "Recurrence_MonthOfYear"},
    {2, 0x3B, "FlagStatus"},
    // CP4 Calendar
    {4, 0x05, "TimeZone"},
    {4, 0x09, "Attendee_Email"},
    {4, 0x0A, "Attendee_Name"},
    {4, 0x10, "Compressed_RTF"},
    {4, 0x11, "DTStamp"},
    {4, 0x15, "Exception_Deleted"},
    {4, 0x16, "Exception_StartTime"},
    {4, 0x19, "Organizer_Email"},
    {4, 0x1A, "Organizer_Name"},
    {4, 0x1C, "Recurrence_Type"},
    {4, 0x1D, "Recurrence_Until"},
    {4, 0x1E, "Recurrence_Occurrences"},
    {4, 0x1F, "Recurrence_Interval"},
    {4, 0x20, "Recurrence_DayOfWeek"},
    {4, 0x21, "Recurrence_DayOfMonth"},
    {4, 0x22, "Recurrence_WeekOfMonth"},
    {4, 0x23, "Recurrence_MonthOfYear"},
    {4, 0x29, "Attendee_Status"},
    {4, 0x2A, "Attendee_Type"},
    // CP9 Tasks
    {9, 0x0D, "UTCDueDate"},
    {9, 0x10, "Recurrence_Type"},
    {9, 0x11, "Recurrence_Start"},
    {9, 0x12, "Recurrence_Until"},
    {9, 0x13, "Recurrence_Occurrences"},
    {9, 0x14, "Recurrence_Interval"},
    {9, 0x15, "Recurrence_DayOfMonth"},
    {9, 0x16, "Recurrence_DayOfWeek"},
    {9, 0x17, "Recurrence_WeekOfMonth"},
    {9, 0x18, "Recurrence_MonthOfYear"},
    {9, 0x19, "Recurrence_Regenerate"},
    {9, 0x1A, "Recurrence_DeadOccur"},
    {9, 0x1F, "UTCStartDate"},
    // CP14 Provision: the 12.0 name, our alias.
    {14, 0x10, "DeviceEncryptionEnabled"},
    // CP18 Settings: 0x1F is our alias spelling; 0x2B is a typo in libwbxml.
    {18, 0x1F, "SmtpAddress"},
    {18, 0x2B, "ihsManagementInformation"},
    // CP21 ComposeMail: 0x17/0x18 are the Interop codec's names, our aliases.
    {21, 0x10, "MIME"},
    {21, 0x17, "ForwardeeName"},
    {21, 0x18, "ForwardeeEmail"},
    // CP24 RightsManagement
    {24, 0x12, "RMOwner"},
    {24, 0x18, "RemoveRightsManagementDistribution"},
};

// 16.1 tokens added to libwbxml after 0.11.8 (upstream commit 62cf746); it decodes them as
// <unknown/> and cannot encode them. SkippedTokensAreUnknownToLibwbxml notices an upgrade.
constexpr tag_id missing_in_libwbxml[] = {{8, 0x10}, {8, 0x11}, {14, 0x3B}};

// AirNotify: libwbxml has tags there, our table reserves the page with none.
constexpr std::uint8_t airnotify_page = 3;
// Find (16.1) and above: libwbxml has no such page.
constexpr std::uint8_t last_libwbxml_page = 24;

bool libwbxml_knows(tag_id id) {
  if (id.page == airnotify_page || id.page > last_libwbxml_page) return false;
  return std::find(std::begin(missing_in_libwbxml), std::end(missing_in_libwbxml), id) ==
         std::end(missing_in_libwbxml);
}

std::vector<int> oracle_pages() {
  std::vector<int> pages;
  for (int p = 0; p <= last_libwbxml_page; ++p) {
    if (p != airnotify_page) pages.push_back(p);
  }
  return pages;
}

std::string_view libwbxml_name(tag_id id) {
  for (const auto& d : libwbxml_names) {
    if (d.page == id.page && d.token == id.token) return d.libwbxml;
  }
  return find_tag(id)->name;
}

// Our name for the name libwbxml writes on a page (unchanged where the names agree).
std::string_view our_name(std::uint8_t page, std::string_view libwbxml) {
  for (const auto& d : libwbxml_names) {
    if (d.page == page && d.libwbxml == libwbxml) return find_tag(page, d.token)->name;
  }
  return libwbxml;
}

// libwbxml's namespaces are our page names with the trailing colon, except GAL, which it spells
// "Gal:". Kept here rather than taken from find_page_by_namespace so the oracle does not lean on
// the code under test.
std::string libwbxml_namespace(std::uint8_t page) {
  if (page == 16) return "Gal:";
  return std::string(find_page(page)->name) + ":";
}

std::optional<std::uint8_t> page_of_libwbxml_namespace(std::string_view ns) {
  for (std::uint8_t p = 0; p <= last_libwbxml_page; ++p) {
    if (libwbxml_namespace(p) == ns) return p;
  }
  return std::nullopt;
}

// --- running libwbxml's tools --------------------------------------------------------------

struct tool_result {
  bool ok = false;
  std::string out;
  std::string message;  // the command and its stderr when it failed
};

tool_result run_tool(const std::string& command, const std::filesystem::path& output) {
  const auto r = easemu::test::run(command);
  tool_result t;
  t.ok = r.exit_code == 0;
  t.out = output.empty() ? r.out : easemu::test::read_file(output);
  if (!t.ok) t.message = command + "\nexit " + std::to_string(r.exit_code) + ": " + r.err;
  return t;
}

// -a: the EAS header 03 01 6A 00 (public id "unknown", no DTD string); -n: no string table (EAS
// never has one); -k: keep text exactly, since by default libwbxml trims leading and trailing
// white space from text, which EAS (a Body, a Subject) does not.
tool_result libwbxml_encode(const std::string& xml) {
  easemu::test::temp_dir dir;
  const auto in = dir / "in.xml";
  const auto out = dir / "out.wbxml";
  easemu::test::write_file(in, xml);
  return run_tool(std::string(EASEMU_XML2WBXML) + " -a -n -k -o " +
                      easemu::test::shell_quote(out.string()) + " " +
                      easemu::test::shell_quote(in.string()),
                  out);
}

// -l ACTIVESYNC: public id 0x01 does not name a language; -m 0: compact, so no white space is
// added between elements; -k: text as it is, like the encoder above.
tool_result libwbxml_decode(const std::string& wbxml) {
  easemu::test::temp_dir dir;
  const auto in = dir / "in.wbxml";
  easemu::test::write_file(in, wbxml);
  return run_tool(std::string(EASEMU_WBXML2XML) + " -l ACTIVESYNC -m 0 -k -o - " +
                      easemu::test::shell_quote(in.string()),
                  {});
}

// --- XML in libwbxml's dialect -------------------------------------------------------------

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      // A raw CR would be turned into LF by libwbxml's XML parser (XML 1.0 section 2.11).
      case '\r': out += "&#13;"; break;
      default: out += c;
    }
  }
}

void append_libwbxml_element(std::string& out, const element& e, int parent_page) {
  const std::string_view name = libwbxml_name(e.tag);
  out += '<';
  out += name;
  // libwbxml picks the code page from the default namespace (and falls back to any page that has
  // the name, so a wrong name can land on a wrong page: the byte comparison catches that).
  if (e.tag.page != parent_page) out += " xmlns=\"" + libwbxml_namespace(e.tag.page) + "\"";
  if (e.kind == content_kind::none && e.children.empty()) {
    out += "/>";
    return;
  }
  out += '>';
  if (e.kind == content_kind::text) append_escaped(out, e.value);
  // For the elements it flags binary, libwbxml base64-decodes the text into OPAQUE. Only binary
  // elements carry opaque content here: libwbxml cannot put OPAQUE in any other element.
  if (e.kind == content_kind::opaque) out += easemu::common::base64_encode(e.value);
  for (const auto& c : e.children) append_libwbxml_element(out, c, e.tag.page);
  out += "</";
  out += name;
  out += '>';
}

// The document as we would hand-write it for xml2wbxml. The DOCTYPE names the language, which
// libwbxml otherwise only infers from a root in AirSync:. No white space between elements.
std::string libwbxml_xml(const element& root) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
      "<!DOCTYPE ActiveSync PUBLIC \"-//MICROSOFT//DTD ActiveSync//EN\" "
      "\"http://www.microsoft.com/\">";
  append_libwbxml_element(out, root, -1);
  return out;
}

struct written_name {
  std::uint8_t page;
  std::string name;
};

// wbxml2xml's output rewritten with our element names, and the names it used in document order.
struct libwbxml_output {
  std::string xml;
  std::vector<written_name> names;
};

// wbxml2xml's output is regular enough to rewrite without an XML parser: the XML declaration and
// DOCTYPE, then elements whose only attribute is xmlns (repeated on each element that changes
// page), escaped text (no raw '<' or '>'), no comments or CDATA. The page of each element comes
// from that xmlns, because libwbxml's names map to ours per page (Recurrence_Type is Type on
// Email, Calendar and Tasks).
bool rewrite_with_our_names(std::string_view xml, libwbxml_output& result, std::string& error) {
  std::vector<std::pair<std::uint8_t, std::string>> open;  // page and our name
  std::size_t i = 0;
  while (i < xml.size()) {
    if (xml[i] != '<') {
      result.xml += xml[i++];
      continue;
    }
    const std::size_t close = xml.find('>', i);
    if (close == std::string_view::npos) {
      error = "unterminated markup at offset " + std::to_string(i);
      return false;
    }
    const std::string_view markup = xml.substr(i + 1, close - i - 1);
    const std::size_t at = i;
    i = close + 1;
    if (markup.starts_with('?') || markup.starts_with('!')) {
      result.xml.append(xml.substr(at, i - at));
      continue;
    }
    if (markup.starts_with('/')) {
      if (open.empty()) {
        error = "end tag with no open element at offset " + std::to_string(at);
        return false;
      }
      result.xml += "</" + open.back().second + ">";
      open.pop_back();
      continue;
    }
    const bool empty = markup.ends_with('/');
    const std::string_view body = empty ? markup.substr(0, markup.size() - 1) : markup;
    const std::size_t name_end = std::min(body.find(' '), body.size());
    const std::string_view name = body.substr(0, name_end);
    const std::string_view attributes = body.substr(name_end);
    std::optional<std::uint8_t> page;
    if (const auto ns_at = attributes.find("xmlns=\""); ns_at != std::string_view::npos) {
      const auto start = ns_at + 7;
      const std::string_view ns = attributes.substr(start, attributes.find('"', start) - start);
      page = page_of_libwbxml_namespace(ns);
      if (!page) {
        error = "unexpected namespace \"" + std::string(ns) + "\" on <" + std::string(name) + ">";
        return false;
      }
    } else if (!open.empty()) {
      page = open.back().first;
    } else {
      error = "root element <" + std::string(name) + "> without a namespace";
      return false;
    }
    const std::string ours(our_name(*page, name));
    result.names.push_back({*page, std::string(name)});
    result.xml += "<" + ours + std::string(attributes) + (empty ? "/>" : ">");
    if (!empty) open.emplace_back(*page, ours);
  }
  return true;
}

// --- comparisons with messages that point at the difference --------------------------------

std::string hex_byte(unsigned char b) {
  char buf[4];
  std::snprintf(buf, sizeof buf, "%02x", b);
  return buf;
}

std::string token_string(tag_id id) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "page %u token 0x%02X", static_cast<unsigned>(id.page),
                static_cast<unsigned>(id.token));
  return buf;
}

std::string qualified_name(tag_id id) {
  const tag_info* t = find_tag(id);
  if (t == nullptr) return "<" + token_string(id) + ">";
  return std::string(find_page(id.page)->name) + ":" + std::string(t->name);
}

::testing::AssertionResult same_bytes(std::string_view ours, std::string_view theirs) {
  if (ours == theirs) return ::testing::AssertionSuccess();
  std::size_t at = 0;
  while (at < ours.size() && at < theirs.size() && ours[at] == theirs[at]) ++at;
  const std::size_t from = at >= 16 ? at - 16 : 0;
  auto window = [&](std::string_view b) {
    std::string s;
    for (std::size_t k = from; k < b.size() && k <= at + 16; ++k) {
      const std::string h = hex_byte(static_cast<unsigned char>(b[k]));
      s += k == at ? "[" + h + "]" : " " + h + " ";
    }
    return s.empty() ? std::string("(end)") : s;
  };
  char offset[32];
  std::snprintf(offset, sizeof offset, "%zu (0x%zx)", at, at);
  return ::testing::AssertionFailure()
         << "bytes differ first at offset " << offset << "; ours " << ours.size()
         << " bytes, libwbxml's " << theirs.size() << " bytes; from offset " << from << ":\n"
         << "  ours     " << window(ours) << "\n"
         << "  libwbxml " << window(theirs);
}

std::string describe_content(const element& e) {
  switch (e.kind) {
    case content_kind::none:
      return e.children.empty() ? "empty" : std::to_string(e.children.size()) + " children";
    case content_kind::text: return "text \"" + e.value + "\"";
    case content_kind::opaque: {
      std::string s = "opaque " + std::to_string(e.value.size()) + " bytes:";
      for (std::size_t k = 0; k < e.value.size() && k < 24; ++k) {
        s += " " + hex_byte(static_cast<unsigned char>(e.value[k]));
      }
      return s + (e.value.size() > 24 ? " ..." : "");
    }
  }
  return "?";
}

// "" when equal, else where and how the trees first differ.
std::string first_difference(const element& a, const element& b, const std::string& path) {
  if (a.tag != b.tag) {
    return path + ": " + qualified_name(a.tag) + " (" + token_string(a.tag) + ") vs " +
           qualified_name(b.tag) + " (" + token_string(b.tag) + ")";
  }
  if (a.kind != b.kind || a.value != b.value) {
    return path + ": " + describe_content(a) + " vs " + describe_content(b);
  }
  for (std::size_t k = 0; k < a.children.size() && k < b.children.size(); ++k) {
    const auto& c = a.children[k];
    auto d = first_difference(c, b.children[k],
                              path + "/" + qualified_name(c.tag) + "[" + std::to_string(k) + "]");
    if (!d.empty()) return d;
  }
  if (a.children.size() != b.children.size()) {
    return path + ": " + std::to_string(a.children.size()) + " children vs " +
           std::to_string(b.children.size());
  }
  return {};
}

::testing::AssertionResult same_tree(const element& expected, const element& actual) {
  const auto d = first_difference(expected, actual, qualified_name(expected.tag));
  if (d.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "trees differ (expected vs actual) at " << d;
}

void collect_tags(const element& e, std::vector<tag_id>& out) {
  out.push_back(e.tag);
  for (const auto& c : e.children) collect_tags(c, out);
}

// libwbxml's names, element by element, against ours and the map: catches a wrong or missing map
// entry and a token libwbxml files under another name than we think.
::testing::AssertionResult names_as_expected(const element& tree,
                                             const std::vector<written_name>& written) {
  std::vector<tag_id> tags;
  collect_tags(tree, tags);
  for (std::size_t k = 0; k < tags.size() && k < written.size(); ++k) {
    const auto expected = libwbxml_name(tags[k]);
    if (written[k].page != tags[k].page || written[k].name != expected) {
      return ::testing::AssertionFailure()
             << "element #" << k << ", " << token_string(tags[k]) << " (ours "
             << qualified_name(tags[k]) << "): libwbxml wrote <" << written[k].name
             << "> in namespace " << libwbxml_namespace(written[k].page) << ", expected <"
             << expected << "> in " << libwbxml_namespace(tags[k].page)
             << " (fix the name map, or report a table disagreement)";
    }
  }
  if (tags.size() != written.size()) {
    return ::testing::AssertionFailure()
           << tags.size() << " elements in the tree, libwbxml wrote " << written.size();
  }
  return ::testing::AssertionSuccess();
}

// Long documents are cut in failure messages; the byte window and the tree path say where.
std::string excerpt(const std::string& text) {
  constexpr std::size_t limit = 3000;
  if (text.size() <= limit) return text;
  return text.substr(0, limit) + "\n... (" + std::to_string(text.size() - limit) + " more bytes)";
}

// After xml2wbxml failed ("can't encode Literal" is all it says): the element names it rejects,
// each tried alone.
std::string names_libwbxml_rejects(const element& tree) {
  std::vector<tag_id> tags;
  collect_tags(tree, tags);
  std::vector<tag_id> tried;
  std::string rejected;
  for (const auto id : tags) {
    if (std::find(tried.begin(), tried.end(), id) != tried.end()) continue;
    tried.push_back(id);
    element probe(tag("AirSync:Sync"));
    probe.add(id);
    if (!libwbxml_encode(libwbxml_xml(probe)).ok) {
      rejected += "\n  " + token_string(id) + " (ours " + qualified_name(id) + ") written as <" +
                  std::string(libwbxml_name(id)) + " xmlns=\"" + libwbxml_namespace(id.page) + "\">";
    }
  }
  return rejected.empty() ? std::string(" none alone") : rejected;
}

// --- the three checks -------------------------------------------------------------------------

void check_against_libwbxml(const element& tree) {
  const auto ours = encode(tree);
  ASSERT_TRUE(ours) << "our encoder: " << ours.error().message();

  // 1. Same bytes from both encoders.
  const std::string xml = libwbxml_xml(tree);
  const auto theirs = libwbxml_encode(xml);
  ASSERT_TRUE(theirs.ok) << theirs.message << "names xml2wbxml rejects:"
                         << names_libwbxml_rejects(tree) << "\ninput:\n" << excerpt(xml);
  EXPECT_TRUE(same_bytes(*ours, theirs.out)) << "\nlibwbxml's input:\n" << excerpt(xml);

  // 2. Our decoder reads libwbxml's bytes as the tree.
  const auto back = decode(theirs.out);
  ASSERT_TRUE(back) << "our decoder on libwbxml's bytes: " << back.error().message();
  EXPECT_TRUE(same_tree(tree, *back)) << "(our decoder on libwbxml's bytes)";

  // 3. libwbxml's decoder reads our bytes as the tree. It writes a token it does not know as
  // <unknown/> and still exits 0, so look for that first.
  const auto decoded = libwbxml_decode(*ours);
  ASSERT_TRUE(decoded.ok) << decoded.message;
  ASSERT_EQ(decoded.out.find("<unknown"), std::string::npos)
      << "libwbxml does not know a token we encoded:\n" << excerpt(decoded.out);
  libwbxml_output renamed;
  std::string error;
  ASSERT_TRUE(rewrite_with_our_names(decoded.out, renamed, error))
      << error << "\nwbxml2xml wrote:\n" << excerpt(decoded.out);
  EXPECT_TRUE(names_as_expected(tree, renamed.names));
  // Binary elements: wbxml2xml writes their OPAQUE as base64 on one line, which from_xml turns
  // back into opaque content, so they compare like any other element.
  const auto parsed = from_xml(renamed.xml);
  ASSERT_TRUE(parsed) << "our from_xml on libwbxml's XML: " << parsed.error().message() << "\n"
                      << excerpt(renamed.xml);
  EXPECT_TRUE(same_tree(tree, *parsed)) << "(libwbxml's decoder on our bytes)\n"
                                        << excerpt(decoded.out);
}

// --- documents ---------------------------------------------------------------------------------

// XML escaping and 2-, 3- and 4-byte UTF-8 in every value; every third one also has white space
// at both ends, a CRLF and a tab inside, which -k must carry through unchanged.
std::string sample_text(const tag_info& t) {
  std::string s = std::string(t.name) + " 0x" + hex_byte(t.token) + " a&b <c> \"d\" 'e' é€日本😀";
  if (t.token % 3 == 0) s = "  " + s + "\r\n\tline 2 ";
  return s;
}

// NUL (which STR_I cannot carry) and bytes that look like END, STR_I and OPAQUE, and long enough
// that the OPAQUE length takes two mb_u_int32 bytes.
std::string sample_bytes(const tag_info& t) {
  std::string s;
  for (int k = 0; k < 130 + t.token; ++k) s += static_cast<char>((k * 37 + t.token) & 0xFF);
  s.replace(0, 4, std::string("\x00\x01\x03\xC3", 4));
  return s;
}

// Root AirSync:Sync holding every tag of the page that libwbxml also has, each twice: with
// content (text, or opaque for a binary tag) and empty (the bare token, no content bit). Then
// the page's first tag holding its last one, for the content bit on an element with children.
element page_document(std::uint8_t page) {
  element root(tag("AirSync:Sync"));
  std::vector<const tag_info*> tags;
  for (const auto& t : all_tags()) {
    if (t.page == page && libwbxml_knows({t.page, t.token})) tags.push_back(&t);
  }
  for (const tag_info* t : tags) {
    const tag_id id{t->page, t->token};
    root.add(t->binary() ? element::opaque(id, sample_bytes(*t)) : element(id, sample_text(*t)));
    root.add(id);
  }
  if (!tags.empty()) {
    root.add(tag_id{tags.front()->page, tags.front()->token})
        .add(tag_id{tags.back()->page, tags.back()->token});
  }
  return root;
}

class LibwbxmlPage : public ::testing::TestWithParam<int> {};

TEST_P(LibwbxmlPage, EveryTagEncodesAndDecodesAsLibwbxmlDoes) {
  const auto page = static_cast<std::uint8_t>(GetParam());
  const element doc = page_document(page);
  ASSERT_GT(doc.children.size(), 1u) << "no tags on page " << GetParam();
  SCOPED_TRACE("code page " + std::to_string(GetParam()) + " (" +
               std::string(find_page(page)->name) + "), " +
               std::to_string(doc.children.size() / 2) + " tags");
  check_against_libwbxml(doc);
}

INSTANTIATE_TEST_SUITE_P(CodePages, LibwbxmlPage, ::testing::ValuesIn(oracle_pages()),
                         [](const ::testing::TestParamInfo<int>& info) {
                           char buf[64];
                           std::snprintf(buf, sizeof buf, "CP%02d_%s", info.param,
                                         std::string(find_page(info.param)->name).c_str());
                           return std::string(buf);
                         });

// Page state on the wire: the encoder's current page changes at each start tag on another page
// and END does not restore it, so the switches are the page changes in document order.
int page_switches(const element& root) {
  std::vector<tag_id> tags;
  collect_tags(root, tags);
  int switches = tags.front().page != 0 ? 1 : 0;
  for (std::size_t k = 1; k < tags.size(); ++k) switches += tags[k].page != tags[k - 1].page;
  return switches;
}

// A 14.1 Sync response: an email (Email, AirSyncBase body and attachment, a flag with Tasks
// dates, Email2 opaque ConversationId/Index) and a recurring meeting (Calendar with libwbxml's
// underscore names around an AirSyncBase body), leaving and re-entering AirSync between them.
element sync_response() {
  element sync(tag("AirSync:Sync"));
  auto& coll = sync.add(tag("AirSync:Collections")).add(tag("AirSync:Collection"));
  coll.add(tag("AirSync:SyncKey"), "{9a1c51e0-2b9f-4d5e-8a4b-6b0d7c1e2f30}3");
  coll.add(tag("AirSync:CollectionId"), "5");
  coll.add(tag("AirSync:Status"), "1");
  coll.add(tag("AirSync:MoreAvailable"));
  auto& commands = coll.add(tag("AirSync:Commands"));

  auto& mail = commands.add(tag("AirSync:Add"));
  mail.add(tag("AirSync:ServerId"), "5:12");
  auto& data = mail.add(tag("AirSync:ApplicationData"));
  data.add(tag("Email:To"), "\"Don Funk\" <don@example.com>");
  data.add(tag("Email:From"), "\"Ann Lee\" <ann@example.com>");
  data.add(tag("Email:Subject"), "Q3 numbers & <draft>");
  data.add(tag("Email:DateReceived"), "2024-05-01T10:20:30.000Z");
  data.add(tag("Email:DisplayTo"), "Don Funk");
  data.add(tag("Email:ThreadTopic"), "Q3 numbers");
  data.add(tag("Email:Importance"), "1");
  data.add(tag("Email:Read"), "0");
  auto& body = data.add(tag("AirSyncBase:Body"));
  body.add(tag("AirSyncBase:Type"), "2");
  body.add(tag("AirSyncBase:EstimatedDataSize"), "86");
  body.add(tag("AirSyncBase:Truncated"), "0");
  body.add(tag("AirSyncBase:Data"),
           "<html><body><p>Hi Don,</p>\r\n<p>numbers attached &amp; more</p></body></html>");
  auto& attachment = data.add(tag("AirSyncBase:Attachments")).add(tag("AirSyncBase:Attachment"));
  attachment.add(tag("AirSyncBase:DisplayName"), "Q3 numbers.xlsx");
  attachment.add(tag("AirSyncBase:FileReference"), "5%3a12%3a0");
  attachment.add(tag("AirSyncBase:Method"), "1");
  attachment.add(tag("AirSyncBase:EstimatedDataSize"), "20480");
  data.add(tag("Email:MessageClass"), "IPM.Note");
  data.add(tag("Email:InternetCPID"), "65001");
  auto& flag = data.add(tag("Email:Flag"));
  flag.add(tag("Email:Status"), "2");
  flag.add(tag("Email:FlagType"), "Follow up");
  flag.add(tag("Tasks:StartDate"), "2024-05-02T00:00:00.000Z");
  flag.add(tag("Tasks:UtcStartDate"), "2024-05-01T22:00:00.000Z");
  flag.add(tag("Tasks:DueDate"), "2024-05-03T00:00:00.000Z");
  flag.add(tag("Tasks:UtcDueDate"), "2024-05-02T22:00:00.000Z");
  flag.add(tag("Tasks:ReminderSet"), "0");
  data.add(tag("AirSyncBase:NativeBodyType"), "2");
  data.add(element::opaque(tag("Email2:ConversationId"),
                           std::string("\x8e\x0b\x00\x51\x3c\xd2\x4f\x01\xa9\x11\x00\xc3\x03\x7f\xff\x10", 16)));
  data.add(element::opaque(tag("Email2:ConversationIndex"), std::string("\x01\xda\x9b\x00\x03", 5)));
  data.add(tag("Email2:ReceivedAsBcc"), "0");
  data.add(tag("Email:Categories"));

  auto& meeting = commands.add(tag("AirSync:Change"));
  meeting.add(tag("AirSync:ServerId"), "5:7");
  auto& cal = meeting.add(tag("AirSync:ApplicationData"));
  cal.add(tag("Calendar:Timezone"), "xP///0MAZQBuAHQAcgBhAGwAIABFAHUAcgBvAHAAZQ==");
  cal.add(tag("Calendar:DtStamp"), "20240501T102030Z");
  cal.add(tag("Calendar:StartTime"), "20240506T080000Z");
  cal.add(tag("Calendar:EndTime"), "20240506T083000Z");
  cal.add(tag("Calendar:Subject"), "Weekly sync");
  cal.add(tag("Calendar:UID"), "040000008200E00074C5B7101A82E008");
  cal.add(tag("Calendar:OrganizerName"), "Ann Lee");
  cal.add(tag("Calendar:OrganizerEmail"), "ann@example.com");
  auto& attendee = cal.add(tag("Calendar:Attendees")).add(tag("Calendar:Attendee"));
  attendee.add(tag("Calendar:Email"), "don@example.com");
  attendee.add(tag("Calendar:Name"), "Don Funk");
  attendee.add(tag("Calendar:AttendeeStatus"), "3");
  attendee.add(tag("Calendar:AttendeeType"), "1");
  auto& cal_body = cal.add(tag("AirSyncBase:Body"));
  cal_body.add(tag("AirSyncBase:Type"), "1");
  cal_body.add(tag("AirSyncBase:Data"), "Agenda:\n- numbers\n- plans");
  auto& recurrence = cal.add(tag("Calendar:Recurrence"));
  recurrence.add(tag("Calendar:Type"), "1");
  recurrence.add(tag("Calendar:Interval"), "1");
  recurrence.add(tag("Calendar:DayOfWeek"), "2");
  recurrence.add(tag("Calendar:Until"), "20241231T080000Z");
  auto& exception = cal.add(tag("Calendar:Exceptions")).add(tag("Calendar:Exception"));
  exception.add(tag("Calendar:Deleted"), "1");
  exception.add(tag("Calendar:ExceptionStartTime"), "20240513T080000Z");
  cal.add(tag("Calendar:Sensitivity"), "0");
  cal.add(tag("Calendar:BusyStatus"), "2");
  cal.add(tag("Calendar:AllDayEvent"), "0");
  cal.add(tag("Calendar:MeetingStatus"), "1");
  cal.add(tag("Calendar:Reminder"), "15");

  commands.add(tag("AirSync:Delete")).add(tag("AirSync:ServerId"), "5:3");
  auto& response = coll.add(tag("AirSync:Responses")).add(tag("AirSync:Add"));
  response.add(tag("AirSync:ClientId"), "c-17");
  response.add(tag("AirSync:ServerId"), "5:13");
  response.add(tag("AirSync:Status"), "1");
  return sync;
}

TEST(LibwbxmlOracle, NestedSyncResponseSwitchesPagesBackAndForth) {
  const element doc = sync_response();
  // Guard the document's purpose: six pages and at least 10 switches, so AirSync, Email,
  // AirSyncBase and Calendar are each re-entered after another page.
  ASSERT_GE(page_switches(doc), 10);
  check_against_libwbxml(doc);
}

// What the simulated phones send at 16.x (issue 20): the draft written through Sync (AirSync,
// Email, AirSyncBase with an opaque attachment), its Send (Email2), SendMail with opaque Mime, and
// the mailbox Search; libwbxml encodes and decodes each as we do. (Find's page is newer than
// libwbxml 0.11.8, which does not know it.)
TEST(LibwbxmlOracle, TheSimulatedPhonesDraftSendAndSearchRequests) {
  easemu::simulator::outgoing_mail m;
  m.from = "alice@lab.test";
  m.to = "bob@lab.test";
  m.subject = "Draft";
  m.body = "First words";
  m.attachment_name = "notes.txt";
  m.attachment = std::string("bytes\0\x01\xff", 8);
  check_against_libwbxml(easemu::simulator::draft_add_request("2", "1", "c1", m));
  check_against_libwbxml(easemu::simulator::draft_send_request("2", "2", "2:9"));
  check_against_libwbxml(easemu::simulator::send_mail_request("k1", easemu::simulator::mime_of(m)));
  check_against_libwbxml(easemu::simulator::search_request("zebra", 50));
}

// What the server sends of a contact and an appointment (mailbox/pim.hpp), per version: libwbxml
// reads the Contacts, Contacts2 (POOMCONTACTS:, POOMCONTACTS2:), Calendar (POOMCAL:) and
// AirSyncBase pages of our bytes as we wrote them.
TEST(LibwbxmlOracle, CalendarAndContactItemsAsPhonesGetThem) {
  namespace pim = easemu::mailbox::pim;
  const auto data = [](const std::string& inner) {
    auto tree = from_xml("<ApplicationData xmlns=\"AirSync:\" xmlns:contacts=\"Contacts:\" xmlns:contacts2=\"Contacts2:\" "
                         "xmlns:calendar=\"Calendar:\" xmlns:airsyncbase=\"AirSyncBase:\">" + inner + "</ApplicationData>");
    EXPECT_TRUE(tree);
    return tree ? *tree : element(tag("AirSync:ApplicationData"));
  };
  const auto contact = pim::from_device(
      pim::item_class::contacts,
      data("<contacts:FileAs>Funk, Don</contacts:FileAs><contacts:FirstName>Don</contacts:FirstName>"
           "<contacts:LastName>Funk</contacts:LastName><contacts:Email1Address>don@example.test</contacts:Email1Address>"
           "<contacts2:NickName>Donnie</contacts2:NickName><contacts2:IMAddress>don@im.example.test</contacts2:IMAddress>"
           "<contacts:Children><contacts:Child>Ann</contacts:Child></contacts:Children>"
           "<airsyncbase:Body><airsyncbase:Type>1</airsyncbase:Type><airsyncbase:Data>notes</airsyncbase:Data></airsyncbase:Body>"),
      protocol_version::v14_1);
  const auto event = pim::from_device(
      pim::item_class::calendar,
      data("<calendar:Subject>Review</calendar:Subject><calendar:StartTime>20261210T090000Z</calendar:StartTime>"
           "<calendar:EndTime>20261210T100000Z</calendar:EndTime><calendar:UID>040000008200E000</calendar:UID>"
           "<airsyncbase:Location><airsyncbase:DisplayName>Room 4</airsyncbase:DisplayName></airsyncbase:Location>"
           "<calendar:Attendees><calendar:Attendee><calendar:Email>bob@lab.test</calendar:Email><calendar:Name>Bob</calendar:Name>"
           "<calendar:AttendeeStatus>3</calendar:AttendeeStatus><calendar:AttendeeType>1</calendar:AttendeeType>"
           "</calendar:Attendee></calendar:Attendees><calendar:Categories><calendar:Category>Team</calendar:Category></calendar:Categories>"
           "<airsyncbase:Body><airsyncbase:Type>1</airsyncbase:Type><airsyncbase:Data>agenda</airsyncbase:Data></airsyncbase:Body>"),
      protocol_version::v16_1);
  ASSERT_TRUE(contact.properties) << contact.error;
  ASSERT_TRUE(event.properties) << event.error;
  // Not 16.x: libwbxml 0.11.8 predates AirSyncBase:Location (unit/mailbox/pim_test.cpp covers it).
  for (const auto v : {protocol_version::v2_5, protocol_version::v12_1, protocol_version::v14_1}) {
    element sync(tag("AirSync:Sync"));
    auto& commands = sync.add(tag("AirSync:Collections")).add(tag("AirSync:Collection")).add(tag("AirSync:Commands"));
    auto& c = commands.add(tag("AirSync:Add"));
    c.add(tag("AirSync:ServerId"), "8:1");
    c.add(pim::to_device(pim::item_class::contacts, *contact.properties, v));
    auto& e = commands.add(tag("AirSync:Add"));
    e.add(tag("AirSync:ServerId"), "7:2");
    e.add(pim::to_device(pim::item_class::calendar, *event.properties, v));
    SCOPED_TRACE(std::string(to_string(v)));
    check_against_libwbxml(sync);
  }
}

// libwbxml's names for the entries of the map, read from what wbxml2xml writes for each token.
TEST(LibwbxmlOracle, NameMapEntriesAreWhatLibwbxmlDecodes) {
  element root(tag("AirSync:Sync"));
  for (const auto& d : libwbxml_names) {
    const tag_info* t = find_tag(d.page, d.token);
    ASSERT_NE(t, nullptr) << "map entry for " << token_string({d.page, d.token})
                          << ", which our table does not have";
    EXPECT_NE(t->name, d.libwbxml) << "map entry for " << token_string({d.page, d.token})
                                   << " names no difference";
    EXPECT_TRUE(libwbxml_knows({d.page, d.token})) << token_string({d.page, d.token});
    root.add(tag_id{d.page, d.token});
  }
  const auto ours = encode(root);
  ASSERT_TRUE(ours) << ours.error().message();
  const auto decoded = libwbxml_decode(*ours);
  ASSERT_TRUE(decoded.ok) << decoded.message;
  libwbxml_output written;
  std::string error;
  ASSERT_TRUE(rewrite_with_our_names(decoded.out, written, error)) << error;
  ASSERT_EQ(written.names.size(), std::size(libwbxml_names) + 1) << decoded.out;
  for (std::size_t k = 0; k < std::size(libwbxml_names); ++k) {
    const auto& d = libwbxml_names[k];
    EXPECT_EQ(written.names[k + 1].name, d.libwbxml) << token_string({d.page, d.token});
    EXPECT_EQ(written.names[k + 1].page, d.page) << token_string({d.page, d.token});
  }
}

// The tokens and pages the oracle skips really are unknown to libwbxml 0.11.8. When this fails
// after a libwbxml upgrade, shrink the skip list so those tags are compared too.
TEST(LibwbxmlOracle, SkippedTokensAreUnknownToLibwbxml) {
  for (const auto& t : all_tags()) {
    EXPECT_NE(t.page, airnotify_page) << "our table now has AirNotify tags: compare them too";
  }
  element root(tag("AirSync:Sync"));
  for (const auto id : missing_in_libwbxml) root.add(id);
  std::size_t skipped = std::size(missing_in_libwbxml);
  for (const auto& t : all_tags()) {
    if (t.page > last_libwbxml_page) {
      root.add(tag_id{t.page, t.token});
      ++skipped;
    }
  }
  const auto ours = encode(root);
  ASSERT_TRUE(ours) << ours.error().message();
  const auto decoded = libwbxml_decode(*ours);
  ASSERT_TRUE(decoded.ok) << decoded.message;
  std::size_t unknown = 0;
  for (auto at = decoded.out.find("<unknown"); at != std::string::npos;
       at = decoded.out.find("<unknown", at + 1)) {
    ++unknown;
  }
  EXPECT_EQ(unknown, skipped) << decoded.out;
}

// Drops what libwbxml cannot carry from a generated tree: tags it lacks, and empty text or
// opaque, which it writes as an empty element (<X/>), the same XML as no content at all.
bool keep_for_libwbxml(element& e) {
  if (!libwbxml_knows(e.tag)) return false;
  if (e.kind != content_kind::none && e.value.empty()) e.kind = content_kind::none;
  std::erase_if(e.children, [](element& c) { return !keep_for_libwbxml(c); });
  return true;
}

// Generated trees: random nesting, page mixes and text that the hand-written documents miss.
TEST(LibwbxmlOracle, GeneratedTreesAgree) {
  std::mt19937 rng(20241125);
  easemu::test::tree_gen_options options;
  options.max_depth = 4;
  options.max_children = 4;
  int checked = 0;
  for (int i = 0; checked < 40 && i < 400; ++i) {
    element tree = easemu::test::random_tree(rng, options);
    if (!keep_for_libwbxml(tree)) continue;
    SCOPED_TRACE("generated tree #" + std::to_string(i) + " (seed 20241125)");
    check_against_libwbxml(tree);
    if (HasFatalFailure() || HasNonfatalFailure()) return;
    ++checked;
  }
  EXPECT_EQ(checked, 40);
}

}  // namespace
