// End-to-end: POSTs to /Microsoft-Server-ActiveSync before any command is implemented.
#include <gtest/gtest.h>

#include <algorithm>

#include "easemu/client/http_client.hpp"
#include "easemu/common/protocol_version.hpp"
#include "easemu/eas/command.hpp"
#include "support/eas_client.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::client;

// alice's request with its query given whole (plain, base64 or broken), MS-ASProtocolVersion
// unless `version` is empty, and these body bytes.
client_response eas(const test_server& s, const std::string& query, const std::string& version = "14.1",
                    std::string body = {}) {
  return eas_client{.port = s.https_port, .version = version}.post_query(query, std::move(body));
}

// OPTIONS of the EAS endpoint (MS-ASHTTP 2.2.3), signed in as `user`.
client_response options_of(const test_server& s, const std::string& user = "alice@lab.test") {
  client_request r;
  r.method = "OPTIONS";
  r.target = "/Microsoft-Server-ActiveSync";
  r.basic_user = user;
  r.basic_password = "Passw0rd";
  return send(s.https_port, r);
}

const std::string plain_query = "Cmd=FolderSync&User=alice&DeviceId=v140Device&DeviceType=SmartPhone";
// A command whose work has not landed yet.
const std::string unimplemented_query = "Cmd=MeetingResponse&User=alice&DeviceId=v140Device&DeviceType=SmartPhone";
// MS-ASHTTP 2.2.1.1.1.1's example with the command code changed to MeetingResponse (15).
const std::string unimplemented_base64 = "jA8JBAp2MTQwRGV2aWNlAApTbWFydFBob25l";
// MS-ASHTTP 2.2.1.1.1.1's example with the command code changed to FolderSync (9): version 14.0,
// LCID 0x0409, DeviceId v140Device, no policy key, DeviceType SmartPhone.
const std::string base64_query = "jAkJBAp2MTQwRGV2aWNlAApTbWFydFBob25l";

TEST(EasEndpoint, UnimplementedCommandIsStatus137From14) {
  test_server server;
  auto r = eas(server, unimplemented_query, "14.0");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "application/vnd.ms-sync.wbxml");
  EXPECT_EQ(xml_of(r), "<MeetingResponse xmlns=\"MeetingResponse:\"><Status>137</Status></MeetingResponse>");
}

TEST(EasEndpoint, UnimplementedCommandIsHttp501Before14) {
  test_server server;
  EXPECT_EQ(eas(server, unimplemented_query, "12.1").status, 501);
  EXPECT_EQ(eas(server, unimplemented_query, "2.5").status, 501);
}

TEST(EasEndpoint, Base64AndPlainQueriesGiveTheSameAnswer) {
  test_server server;
  auto plain = eas(server, unimplemented_query, "14.0");
  auto b64 = eas(server, unimplemented_base64, "");  // the version is in the query
  EXPECT_EQ(plain.status, b64.status);
  EXPECT_EQ(plain.body, b64.body);
  EXPECT_EQ(xml_of(b64), "<MeetingResponse xmlns=\"MeetingResponse:\"><Status>137</Status></MeetingResponse>");
  // The same device in both forms: FolderSync answers alike (a body status without a body: 10).
  auto plain_fs = eas(server, plain_query, "14.0");
  auto b64_fs = eas(server, base64_query, "");
  EXPECT_EQ(plain_fs.body, b64_fs.body);
  EXPECT_EQ(xml_of(b64_fs), "<FolderSync xmlns=\"FolderHierarchy:\"><Status>10</Status></FolderSync>");
}

TEST(EasEndpoint, VersionGate) {
  test_server server;  // 2010SP1: up to 14.1
  EXPECT_EQ(eas(server, plain_query, "").status, 400);
  EXPECT_EQ(eas(server, plain_query, "99.9").status, 400);
  auto v16 = eas(server, plain_query, "16.1");
  EXPECT_EQ(v16.status, 200);
  EXPECT_EQ(xml_of(v16), "<FolderSync xmlns=\"FolderHierarchy:\"><Status>138</Status></FolderSync>");
}

TEST(EasEndpoint, MalformedRequestsGetTheProtocolsErrors) {
  test_server server;
  EXPECT_EQ(eas(server, "Cmd=Bogus&User=a&DeviceId=x&DeviceType=y").status, 501);
  EXPECT_EQ(eas(server, "Cmd=Sync&User=a&DeviceType=y").status, 400);
  EXPECT_EQ(eas(server, "%%%").status, 400);
  auto bad_wbxml = eas(server, plain_query, "14.1", "\x03\x01\x6a\x00\x45\x7f");
  EXPECT_EQ(bad_wbxml.status, 200);
  EXPECT_EQ(xml_of(bad_wbxml), "<FolderSync xmlns=\"FolderHierarchy:\"><Status>102</Status></FolderSync>");
  EXPECT_EQ(eas(server, plain_query, "12.1", "garbage").status, 400);
  // The server keeps serving.
  EXPECT_EQ(eas(server, unimplemented_query, "12.1").status, 501);
}

TEST(EasEndpoint, OptionsListsCommandsOfTheAdvertisedVersions) {
  temp_dir dir;
  write_file(dir / "lab.yaml", "lab:\n  exchange_version: 2019\n");
  test_server server({"--config", (dir / "lab.yaml").string()});
  auto res = options_of(server, "bob@lab.test");
  EXPECT_NE(res.header("MS-ASProtocolCommands").find("Find"), std::string::npos) << res.header("MS-ASProtocolCommands");
  EXPECT_NE(res.header("MS-ASProtocolCommands").find("ItemOperations"), std::string::npos);
  test_server old;  // 2010SP1 has no Find
  auto res2 = options_of(old, "bob@lab.test");
  EXPECT_EQ(res2.header("MS-ASProtocolCommands").find("Find"), std::string::npos);
}

}  // namespace

namespace {

TEST(EasEndpoint, AccessLogLineNamesUserDeviceCommandAndVersion) {
  test_server server;
  eas(server, plain_query, "14.0");
  server.stop();
  const auto log = server.log();
  EXPECT_NE(log.find("\"POST /Microsoft-Server-ActiveSync?" + plain_query +
                     "\" 200 user=alice@lab.test device=v140Device type=SmartPhone cmd=FolderSync v=14.0 "),
            std::string::npos)
      << log;
  // The demo passwords are printed once each at start, and no credential ever after.
  std::size_t passwords = 0;
  for (auto p = log.find("Passw0rd"); p != std::string::npos; p = log.find("Passw0rd", p + 1)) ++passwords;
  EXPECT_EQ(passwords, 2u) << log;
  EXPECT_EQ(log.find("Authorization"), std::string::npos);
  EXPECT_EQ(log.find("Basic "), std::string::npos);
}

}  // namespace

namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size() && !s.empty()) {
    const auto comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Issue 20: a server never advertises a command it does not serve. Issue 18: per emulated
// Exchange release, OPTIONS gives Exchange's own lists (MS-ASHTTP 4.3 for 2010, plus 14.1 for
// SP1; MS-ASHTTP 2.2.4.1.2 for a 16.1 server) and every command it lists is posted at every
// advertised version that has it: none answers 137 CommandNotSupported (in the body from 14.0,
// HTTP 501 before), except MeetingResponse until the meetings work serves it. GetHierarchy gives
// the folder list; the EAS 1.0 collection commands and versions 2.0 and 2.1 get HTTP 400
// (docs/configuration.md).
struct advertised_case {
  const char* exchange;
  const char* versions;
  const char* commands;
  const char* build;
};

const char* const commands_2010 =
    "Sync,SendMail,SmartForward,SmartReply,GetAttachment,GetHierarchy,CreateCollection,DeleteCollection,"
    "MoveCollection,FolderSync,FolderCreate,FolderDelete,FolderUpdate,MoveItems,GetItemEstimate,"
    "MeetingResponse,Search,Settings,Ping,ItemOperations,Provision,ResolveRecipients,ValidateCert";
const char* const commands_2019 =
    "Sync,SendMail,SmartForward,SmartReply,GetAttachment,GetHierarchy,CreateCollection,DeleteCollection,"
    "MoveCollection,FolderSync,FolderCreate,FolderDelete,FolderUpdate,MoveItems,GetItemEstimate,"
    "MeetingResponse,Search,Settings,Ping,ItemOperations,Provision,ResolveRecipients,ValidateCert,Find";

class EasAdvertised : public ::testing::TestWithParam<advertised_case> {};

TEST_P(EasAdvertised, EveryAdvertisedCommandIsServedAtEveryVersion) {
  temp_dir dir;
  write_file(dir / "lab.yaml", std::string("lab:\n  exchange_version: ") + GetParam().exchange + "\n");
  test_server server({"--config", (dir / "lab.yaml").string()});
  const auto options = options_of(server);
  ASSERT_EQ(options.status, 200);
  EXPECT_EQ(options.header("MS-ASProtocolVersions"), GetParam().versions);
  EXPECT_EQ(options.header("MS-ASProtocolCommands"), GetParam().commands);
  EXPECT_EQ(options.header("MS-Server-ActiveSync"), GetParam().build);
  const auto versions = split_commas(options.header("MS-ASProtocolVersions"));
  const auto commands = split_commas(options.header("MS-ASProtocolCommands"));
  int posted = 0;
  for (const auto& name : commands) {
    const auto* row = easemu::eas::find_command(name);
    ASSERT_NE(row, nullptr) << name;
    if (row->id == easemu::eas::command_id::meeting_response) continue;
    for (const auto& v : versions) {
      const auto res = eas_client{.port = server.https_port, .device_id = "ADV" + v, .version = v}.post(name);
      const auto version = easemu::parse_protocol_version(v);
      if (!version) {
        // 2.0 and 2.1: listed as Exchange lists them, not emulated.
        EXPECT_TRUE(v == "2.0" || v == "2.1") << v;
        EXPECT_EQ(res.status, 400) << name << " at " << v;
        continue;
      }
      if (!row->supported_in(*version)) continue;
      EXPECT_NE(res.status, 501) << name << " at " << v;
      EXPECT_NE(status_of(res), "137") << name << " at " << v << ": " << xml_of(res);
      if (name == "GetHierarchy") {
        EXPECT_EQ(res.status, 200) << v;
        EXPECT_NE(xml_of(res).find("<Folder><DisplayName>Inbox</DisplayName><ServerId>"), std::string::npos) << xml_of(res);
      } else if (name == "CreateCollection" || name == "DeleteCollection" || name == "MoveCollection") {
        EXPECT_EQ(res.status, 400) << name;
      }
      ++posted;
    }
  }
  EXPECT_GE(posted, 60);
}

INSTANTIATE_TEST_SUITE_P(
    Exchange, EasAdvertised,
    ::testing::Values(advertised_case{"2010SP1", "2.0,2.1,2.5,12.0,12.1,14.0,14.1", commands_2010, "14.1"},
                      advertised_case{"2013", "2.0,2.1,2.5,12.0,12.1,14.0,14.1", commands_2010, "15.0"},
                      advertised_case{"2016", "2.5,12.0,12.1,14.0,14.1,16.0", commands_2010, "15.1"},
                      advertised_case{"2019", "2.5,12.0,12.1,14.0,14.1,16.0,16.1", commands_2019, "15.2"}),
    [](const auto& info) { return std::string(info.param.exchange); });

// A lab that narrows the versions advertises them as written, and the commands those have.
TEST(EasEndpoint, LabProtocolVersionsAreAdvertisedAsWritten) {
  temp_dir dir;
  write_file(dir / "lab.yaml", "lab:\n  exchange_version: 2010SP1\n  protocol_versions: [\"14.0\", \"14.1\"]\n");
  test_server server({"--config", (dir / "lab.yaml").string()});
  const auto options = options_of(server);
  EXPECT_EQ(options.header("MS-ASProtocolVersions"), "14.0,14.1");
  // GetAttachment and GetHierarchy end with 12.1, the collection commands with 2.5.
  EXPECT_EQ(options.header("MS-ASProtocolCommands"),
            "Sync,SendMail,SmartForward,SmartReply,FolderSync,FolderCreate,FolderDelete,FolderUpdate,MoveItems,"
            "GetItemEstimate,MeetingResponse,Search,Settings,Ping,ItemOperations,Provision,ResolveRecipients,"
            "ValidateCert");
}

}  // namespace
