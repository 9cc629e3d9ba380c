#include "easemu/eas/command.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace {

using namespace easemu;
using namespace easemu::eas;

TEST(CommandTable, EveryCodeOfTheSpecTable) {
  // MS-ASHTTP 2.2.1.1.1.1.2 (Find = 23 from grommunio-sync).
  const std::pair<int, const char*> codes[] = {
      {0, "Sync"},
      {1, "SendMail"},
      {2, "SmartForward"},
      {3, "SmartReply"},
      {4, "GetAttachment"},
      {9, "FolderSync"},
      {10, "FolderCreate"},
      {11, "FolderDelete"},
      {12, "FolderUpdate"},
      {13, "MoveItems"},
      {14, "GetItemEstimate"},
      {15, "MeetingResponse"},
      {16, "Search"},
      {17, "Settings"},
      {18, "Ping"},
      {19, "ItemOperations"},
      {20, "Provision"},
      {21, "ResolveRecipients"},
      {22, "ValidateCert"},
      {23, "Find"},
  };
  std::set<int> known;
  for (const auto& [code, name] : codes) {
    const command_info* c = find_command(static_cast<std::uint8_t>(code));
    ASSERT_NE(c, nullptr) << code;
    EXPECT_EQ(c->name, name);
    known.insert(code);
  }
  for (int code = 0; code < 256; ++code) {
    if (known.count(code) == 0) {
      EXPECT_EQ(find_command(static_cast<std::uint8_t>(code)), nullptr) << code;
    }
  }
}

TEST(CommandTable, LegacyCommandsHaveNoCode) {
  for (const char* name :
       {"GetHierarchy", "CreateCollection", "DeleteCollection", "MoveCollection"}) {
    const command_info* c = find_command(name);
    ASSERT_NE(c, nullptr) << name;
    EXPECT_FALSE(c->code.has_value()) << name;
    EXPECT_TRUE(c->has(command_flags::legacy)) << name;
    EXPECT_TRUE(c->supported_in(protocol_version::v2_5)) << name;
    EXPECT_FALSE(c->supported_in(protocol_version::v14_0)) << name;
  }
}

TEST(CommandTable, LookupByNameIgnoresCase) {
  EXPECT_EQ(find_command("Sync"), &info(command_id::sync));
  EXPECT_EQ(find_command("sync"), &info(command_id::sync));
  EXPECT_EQ(find_command("SYNC"), &info(command_id::sync));
  EXPECT_EQ(find_command("itemoperations"), &info(command_id::item_operations));
  EXPECT_EQ(find_command(""), nullptr);
  EXPECT_EQ(find_command("Syn"), nullptr);
  EXPECT_EQ(find_command("Syncs"), nullptr);
  EXPECT_EQ(find_command("Options"), nullptr);       // OPTIONS is a method, not a command
  EXPECT_EQ(find_command("Autodiscover"), nullptr);  // a separate endpoint
  EXPECT_EQ(find_command("Notify"), nullptr);
  for (const auto& c : commands) {
    EXPECT_EQ(find_command(c.name), &c);
    EXPECT_EQ(&info(c.id), &c);
  }
}

struct range_case {
  command_id id;
  protocol_version first;
  protocol_version last;
};

class CommandVersions : public ::testing::TestWithParam<range_case> {};

TEST_P(CommandVersions, SupportedExactlyInItsRange) {
  const auto& p = GetParam();
  const auto& c = info(p.id);
  EXPECT_EQ(c.first, p.first) << c.name;
  EXPECT_EQ(c.last, p.last) << c.name;
  for (auto v : all_protocol_versions) {
    EXPECT_EQ(c.supported_in(v), p.first <= v && v <= p.last) << c.name << " " << to_string(v);
  }
}

using V = protocol_version;
INSTANTIATE_TEST_SUITE_P(
    MsAsCmd, CommandVersions,
    ::testing::Values(range_case{command_id::sync, V::v2_5, V::v16_1},
                      range_case{command_id::send_mail, V::v2_5, V::v16_1},
                      range_case{command_id::get_attachment, V::v2_5, V::v12_1},
                      range_case{command_id::get_hierarchy, V::v2_5, V::v12_1},
                      range_case{command_id::create_collection, V::v2_5, V::v2_5},
                      range_case{command_id::folder_sync, V::v2_5, V::v16_1},
                      range_case{command_id::settings, V::v12_0, V::v16_1},
                      range_case{command_id::item_operations, V::v12_0, V::v16_1},
                      range_case{command_id::ping, V::v2_5, V::v16_1},
                      range_case{command_id::provision, V::v2_5, V::v16_1},
                      range_case{command_id::find, V::v16_1, V::v16_1}));

// What the policy_key and long_poll flags drive (the provisioning gate, the handlers that may
// answer later) is tested on the pipeline: tests/unit/server/pipeline_test.cpp.

TEST(CommandTable, RequestBodyByVersion) {
  const auto& send_mail = info(command_id::send_mail);
  EXPECT_EQ(request_body(send_mail, V::v2_5), body_kind::mime);
  EXPECT_EQ(request_body(send_mail, V::v12_1), body_kind::mime);
  EXPECT_EQ(request_body(send_mail, V::v14_0), body_kind::wbxml);
  EXPECT_EQ(request_body(info(command_id::smart_reply), V::v16_1), body_kind::wbxml);
  EXPECT_EQ(request_body(info(command_id::get_attachment), V::v12_1), body_kind::none);
  EXPECT_EQ(request_body(info(command_id::get_hierarchy), V::v2_5), body_kind::none);
  EXPECT_EQ(request_body(info(command_id::sync), V::v2_5), body_kind::wbxml);
  EXPECT_EQ(request_body(info(command_id::provision), V::v14_1), body_kind::wbxml);
}

TEST(CommandTable, EveryWbxmlResponseHasItsRootAndStatus) {
  using wbxml::tag;
  const std::pair<command_id, response_envelope> expected[] = {
      {command_id::sync, {tag("AirSync:Sync"), tag("AirSync:Status")}},
      {command_id::send_mail, {tag("ComposeMail:SendMail"), tag("ComposeMail:Status")}},
      {command_id::smart_forward, {tag("ComposeMail:SmartForward"), tag("ComposeMail:Status")}},
      {command_id::smart_reply, {tag("ComposeMail:SmartReply"), tag("ComposeMail:Status")}},
      {command_id::folder_sync, {tag("FolderHierarchy:FolderSync"), tag("FolderHierarchy:Status")}},
      {command_id::folder_create, {tag("FolderHierarchy:FolderCreate"), tag("FolderHierarchy:Status")}},
      {command_id::folder_delete, {tag("FolderHierarchy:FolderDelete"), tag("FolderHierarchy:Status")}},
      {command_id::folder_update, {tag("FolderHierarchy:FolderUpdate"), tag("FolderHierarchy:Status")}},
      {command_id::move_items, {tag("Move:MoveItems"), tag("Move:Status")}},
      {command_id::get_item_estimate, {tag("GetItemEstimate:GetItemEstimate"), tag("GetItemEstimate:Status")}},
      {command_id::meeting_response, {tag("MeetingResponse:MeetingResponse"), tag("MeetingResponse:Status")}},
      {command_id::search, {tag("Search:Search"), tag("Search:Status")}},
      {command_id::settings, {tag("Settings:Settings"), tag("Settings:Status")}},
      {command_id::ping, {tag("Ping:Ping"), tag("Ping:Status")}},
      {command_id::item_operations, {tag("ItemOperations:ItemOperations"), tag("ItemOperations:Status")}},
      {command_id::provision, {tag("Provision:Provision"), tag("Provision:Status")}},
      {command_id::resolve_recipients,
       {tag("ResolveRecipients:ResolveRecipients"), tag("ResolveRecipients:Status")}},
      {command_id::validate_cert, {tag("ValidateCert:ValidateCert"), tag("ValidateCert:Status")}},
      {command_id::find, {tag("Find:Find"), tag("Find:Status")}},
  };
  for (const auto& [id, want] : expected) {
    const auto& c = info(id);
    ASSERT_TRUE(c.envelope.has_value()) << c.name;
    EXPECT_EQ(c.envelope->root, want.root) << c.name;
    EXPECT_EQ(c.envelope->status, want.status) << c.name;
  }
  // Answered with the file itself, or with HTTP alone.
  for (auto id : {command_id::get_attachment, command_id::get_hierarchy, command_id::create_collection,
                  command_id::delete_collection, command_id::move_collection}) {
    EXPECT_FALSE(info(id).envelope.has_value()) << info(id).name;
  }
}

TEST(CommandTable, EveryRowCitesItsSection) {
  for (const auto& c : commands) {
    EXPECT_TRUE(c.spec.starts_with("MS-ASCMD 2.2.1.") || c.spec.starts_with("MS-ASHTTP")) << c.name;
  }
}

TEST(ProtocolCommandsHeader, MatchesTheOptionsExampleForOldVersions) {
  // MS-ASHTTP section 4: a 14.0 server that also offers 2.5 lists every command but Find.
  const protocol_version up_to_14[] = {V::v2_5, V::v12_0, V::v12_1, V::v14_0};
  EXPECT_EQ(protocol_commands_header(up_to_14),
            "Sync,SendMail,SmartForward,SmartReply,GetAttachment,GetHierarchy,CreateCollection,"
            "DeleteCollection,MoveCollection,FolderSync,FolderCreate,FolderDelete,FolderUpdate,"
            "MoveItems,GetItemEstimate,MeetingResponse,Search,Settings,Ping,ItemOperations,"
            "Provision,ResolveRecipients,ValidateCert");
}

TEST(ProtocolCommandsHeader, FollowsTheOfferedVersions) {
  const protocol_version modern[] = {V::v14_1, V::v16_0, V::v16_1};
  EXPECT_EQ(protocol_commands_header(modern),
            "Sync,SendMail,SmartForward,SmartReply,FolderSync,FolderCreate,FolderDelete,"
            "FolderUpdate,MoveItems,GetItemEstimate,MeetingResponse,Search,Settings,Ping,"
            "ItemOperations,Provision,ResolveRecipients,ValidateCert,Find");
  const protocol_version only_25[] = {V::v2_5};
  const std::string h = protocol_commands_header(only_25);
  EXPECT_EQ(h.find("Settings"), std::string::npos);
  EXPECT_EQ(h.find("ItemOperations"), std::string::npos);
  EXPECT_NE(h.find("GetAttachment"), std::string::npos);
  EXPECT_EQ(protocol_commands_header({}), "");
}

// MS-ASHTTP 2.2.4.1.2.2: the versions comma-separated, no spaces, as Exchange 2010 SP1 sends them.
TEST(ProtocolVersionsHeader, ListsTheVersionsWithoutSpaces) {
  const protocol_version exchange_2010[] = {V::v2_5, V::v12_0, V::v12_1, V::v14_0, V::v14_1};
  EXPECT_EQ(protocol_versions_header(exchange_2010), "2.5,12.0,12.1,14.0,14.1");
  const protocol_version only_161[] = {V::v16_1};
  EXPECT_EQ(protocol_versions_header(only_161), "16.1");
  EXPECT_EQ(protocol_versions_header({}), "");
}

}  // namespace
