#include "easemu/wbxml/code_pages.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace {

using namespace easemu::wbxml;
using easemu::protocol_version;

TEST(CodePages, EveryPageFrom0To25IsListedInOrder) {
  ASSERT_EQ(all_pages().size(), 26u);
  for (std::size_t i = 0; i < all_pages().size(); ++i) EXPECT_EQ(all_pages()[i].number, i);
  EXPECT_EQ(find_page(0)->name, "AirSync");
  EXPECT_EQ(find_page(14)->name, "Provision");
  EXPECT_EQ(find_page(25)->name, "Find");
  EXPECT_EQ(find_page(26), nullptr);
}

TEST(CodePages, TokensAndNamesAreUniquePerPage) {
  std::set<std::pair<int, int>> tokens;
  std::set<std::pair<int, std::string>> names;
  for (const auto& t : all_tags()) {
    EXPECT_GE(t.token, 0x05) << t.name;
    EXPECT_LE(t.token, 0x3F) << t.name;
    EXPECT_TRUE(tokens.insert({t.page, t.token}).second) << t.name;
    EXPECT_TRUE(names.insert({t.page, std::string(t.name)}).second) << t.name;
    if (!t.alias.empty()) {
      EXPECT_TRUE(names.insert({t.page, std::string(t.alias)}).second) << t.alias;
    }
    EXPECT_LE(t.first_version, t.last_version) << t.name;
  }
}

TEST(CodePages, TagCountsPerPageMatchMsAswbxml) {
  // Counts of the MS-ASWBXML 2.1.2.1.x tables plus the legacy tokens we also decode.
  std::map<int, int> count;
  for (const auto& t : all_tags()) ++count[t.page];
  EXPECT_EQ(count[0], 37);   // AirSync 0x05-0x29
  EXPECT_EQ(count[3], 0);    // AirNotify is reserved
  EXPECT_EQ(count[5], 8);    // Move
  EXPECT_EQ(count[13], 9);   // Ping
  EXPECT_EQ(count[14], 55);  // Provision 0x05-0x3B
  EXPECT_EQ(count[17], 40);  // AirSyncBase 0x05-0x2D without 0x09
}

TEST(CodePages, LookupByTokenAndName) {
  const auto* t = find_tag(14, 0x0D);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->name, "EASProvisionDoc");
  EXPECT_EQ(t->first_version, protocol_version::v12_0);
  EXPECT_EQ(find_tag(14, std::string_view("PolicyKey"))->token, 0x09);
  EXPECT_EQ(find_tag(0, 0x04), nullptr);   // global token range
  EXPECT_EQ(find_tag(17, 0x09), nullptr);  // a gap in AirSyncBase
  EXPECT_EQ(find_tag(3, 0x05), nullptr);   // AirNotify has no tags
  EXPECT_EQ(find_tag(0, std::string_view("sync")), nullptr);  // XML names are case-sensitive
}

TEST(CodePages, AliasesResolveToTheSpecSpelling) {
  EXPECT_EQ(find_tag(18, std::string_view("SmtpAddress")), find_tag(18, std::string_view("SMTPAddress")));
  EXPECT_EQ(find_tag(11, std::string_view("CheckCrl"))->name, "CheckCRL");
  EXPECT_EQ(find_tag(14, std::string_view("DeviceEncryptionEnabled"))->token, 0x10);
  EXPECT_EQ(find_tag(21, std::string_view("ForwardeeEmail"))->name, "Email");
}

TEST(CodePages, BinaryElementsAreTheOpaqueOnes) {
  // MS-ASWBXML / PROTOCOL.md 2.6: exactly these carry OPAQUE content.
  std::set<std::string> binary;
  for (const auto& t : all_tags()) {
    if (t.binary()) binary.insert(std::string(find_page(t.page)->name) + ":" + std::string(t.name));
  }
  EXPECT_EQ(binary, (std::set<std::string>{
                        "ComposeMail:Mime", "Email2:ConversationId", "Email2:ConversationIndex",
                        "Search:ConversationId", "ItemOperations:ConversationId",
                        "ResolveRecipients:Data", "GAL:Data", "AirSyncBase:Content"}));
}

TEST(CodePages, VersionsFollowTheSpecTables) {
  const auto* wait = find_tag(tag("AirSync:Wait"));
  EXPECT_FALSE(wait->in_version(protocol_version::v12_0));
  EXPECT_TRUE(wait->in_version(protocol_version::v12_1));
  const auto* location = find_tag(tag("Calendar:Location"));
  EXPECT_TRUE(location->in_version(protocol_version::v14_1));
  EXPECT_FALSE(location->in_version(protocol_version::v16_0));  // airsyncbase:Location in 16.0
  EXPECT_TRUE(find_tag(tag("Provision:AccountOnlyRemoteWipe"))->in_version(protocol_version::v16_1));
  EXPECT_FALSE(find_tag(tag("Provision:AccountOnlyRemoteWipe"))->in_version(protocol_version::v16_0));
  EXPECT_TRUE(find_tag(tag("AirSync:NotifyGUID"))->legacy());
}

TEST(CodePages, CompileTimeTagIds) {
  static_assert(tag("AirSync:Sync") == tag_id{0, 0x05});
  static_assert(tag("FolderHierarchy:FolderSync") == tag_id{7, 0x16});
  static_assert(tag("Find:Picture") == tag_id{25, 0x22});
  SUCCEED();
}

TEST(CodePages, NamespacesInAnyCaseWithOrWithoutColon) {
  EXPECT_EQ(find_page_by_namespace("AirSync:")->number, 0);
  EXPECT_EQ(find_page_by_namespace("AirSync")->number, 0);
  EXPECT_EQ(find_page_by_namespace("airsyncbase:")->number, 17);
  EXPECT_EQ(find_page_by_namespace("Gal:")->number, 16);  // libwbxml's spelling of GAL
  EXPECT_EQ(find_page_by_namespace("POOMMAIL:")->number, 2);
  EXPECT_EQ(find_page_by_namespace("urn:unknown"), nullptr);
  EXPECT_EQ(find_page_by_namespace(""), nullptr);
}

}  // namespace
