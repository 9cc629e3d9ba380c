// End-to-end: the device list (GET /api/v1/devices) and its persistence in the data dir.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "easemu/client/http_client.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/admin_client.hpp"
#include "support/eas_client.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::client;

// A Windows Phone of alice's (User=alice) with no Content-Type and, unless a test gives one, no
// body; `login` signs in, so another mailbox's owner can use it too.
eas_client wp_phone(const test_server& s, const std::string& device_id, const std::string& login = "alice@lab.test") {
  return {.port = s.https_port, .login = login, .device_id = device_id, .device_type = "WP", .version = "14.0",
          .content_type = "", .user_agent = "MSFT-WP/7.0.7004"};
}

boost::json::array devices(const test_server& server, bool tls = true) {
  auto r = admin_request(server, "GET", "/api/v1/devices");
  r.tls = tls;
  auto res = send(tls ? server.https_port : server.http_port, r);
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.header("Content-Type"), "application/json");
  return boost::json::parse(res.body).as_object().at("devices").as_array();
}

TEST(Devices, EveryDeviceThatReachesACommandIsListed) {
  test_server server;
  EXPECT_EQ(devices(server).size(), 0u);
  wp_phone(server, "Wp7Device0001").post("FolderSync");
  wp_phone(server, "wp7device0001").post("FolderSync");  // the same device, other letter case
  wp_phone(server, "OtherDevice", "bob@lab.test").post("FolderSync");
  for (bool tls : {true, false}) {
    auto list = devices(server, tls);
    ASSERT_EQ(list.size(), 2u);
    const auto& alice = list[0].as_object();
    EXPECT_EQ(alice.at("mailbox").as_string(), "alice@lab.test");
    EXPECT_EQ(alice.at("device_id").as_string(), "Wp7Device0001");  // case of the first contact
    EXPECT_EQ(alice.at("device_type").as_string(), "WP");
    EXPECT_EQ(alice.at("user_agent").as_string(), "MSFT-WP/7.0.7004");
    EXPECT_EQ(alice.at("protocol_version").as_string(), "14.0");
    EXPECT_EQ(list[1].as_object().at("mailbox").as_string(), "bob@lab.test");
  }
}

TEST(Devices, UnauthenticatedOrUnversionedRequestsRecordNothing) {
  test_server server;
  auto wrong = wp_phone(server, "Ghost");
  wrong.password = "nope";
  EXPECT_EQ(wrong.post("FolderSync").status, 401);
  EXPECT_EQ(devices(server).size(), 0u);
}

TEST(Devices, AdminApiNeedsTheToken) {
  test_server server;
  client_request r;
  r.target = "/api/v1/devices";
  auto none = send(server.https_port, r);
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.body.find("\"error\""), std::string::npos);
  r.headers.emplace_back("Authorization", "Bearer wrong");
  EXPECT_EQ(send(server.https_port, r).status, 401);
}

TEST(Devices, RestartWithTheSameDataDirKeepsDevices) {
  temp_dir data;
  {
    test_server first({"--data-dir", data.path().string()});
    wp_phone(first, "PersistentPhone").post("FolderSync");
    EXPECT_EQ(first.stop(), 0);
  }
  test_server second({"--data-dir", data.path().string()});
  auto list = devices(second);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].as_object().at("device_id").as_string(), "PersistentPhone");
}

}  // namespace

namespace {

TEST(Journal, RecordsDecodedExchangesWithSecretsRedacted) {
  test_server server;
  auto phone = wp_phone(server, "JournalPhone");
  const std::string folder_sync_0("\x03\x01\x6a\x00\x00\x07\x56\x52\x03\x30\x00\x01\x01", 13);  // SyncKey 0
  EXPECT_EQ(phone.post_bytes("FolderSync", folder_sync_0).status, 200);
  // ItemOperations Fetch with a document-library password (14.1).
  phone.version = "14.1";
  const auto fetch = phone.post("ItemOperations",
                                "<ItemOperations xmlns=\"ItemOperations:\"><Fetch><Store>DocumentLibrary</Store>"
                                "<Options><UserName>LAB\\alice</UserName><Password>TopSecret9</Password></Options>"
                                "</Fetch></ItemOperations>");
  EXPECT_EQ(fetch.status, 200);

  auto q = admin_request(server, "GET", "/api/v1/journal?user=alice%40lab.test&device=JournalPhone");
  q.tls = true;
  auto res = send(server.https_port, q);
  ASSERT_EQ(res.status, 200) << res.body;
  auto entries = boost::json::parse(res.body).as_object().at("entries").as_array();
  ASSERT_EQ(entries.size(), 2u);
  const auto& last = entries[0].as_object();
  EXPECT_EQ(last.at("command").as_string(), "ItemOperations");
  EXPECT_EQ(last.at("eas_status").as_int64(), 1);
  EXPECT_NE(std::string(last.at("response_xml").as_string()).find("<Status>9</Status>"), std::string::npos);
  const std::string request_xml(last.at("request_xml").as_string());
  EXPECT_NE(request_xml.find("<Password>***</Password>"), std::string::npos) << request_xml;
  EXPECT_EQ(res.body.find("TopSecret9"), std::string::npos);
  const auto& first = entries[1].as_object();
  EXPECT_EQ(first.at("command").as_string(), "FolderSync");
  EXPECT_EQ(first.at("protocol_version").as_string(), "14.0");
  EXPECT_NE(std::string(first.at("request_xml").as_string()).find("<SyncKey>0</SyncKey>"), std::string::npos);
  EXPECT_NE(std::string(first.at("response_xml").as_string()).find("<DisplayName>Inbox</DisplayName>"), std::string::npos);
  EXPECT_EQ(first.at("eas_status").as_int64(), 1);
  EXPECT_EQ(first.at("http_status").as_int64(), 200);
  EXPECT_EQ(server.log().find("TopSecret9"), std::string::npos);
}

}  // namespace

namespace {

TEST(LabFile, AnEditedLabFileIsAppliedToTheDataDir) {
  temp_dir data;
  temp_dir conf;
  const auto lab = (conf / "lab.yaml").string();
  write_file(lab,
             "mailboxes:\n"
             "  - {address: alice@lab.test, password: Passw0rd}\n"
             "  - {address: bob@lab.test, password: Passw0rd}\n"
             "policies:\n"
             "  - Name: My WP7 Policy\n"
             "    AllowNonProvisionableDevices: $false\n"
             "    MaxInactivityTimeDeviceLock: unlimited\n"
             "exchange_commands: |\n"
             "  Set-CASMailbox -Identity alice -ActiveSyncMailboxPolicy \"My WP7 Policy\"\n");
  {
    test_server first({"--data-dir", data.path().string(), "--config", lab});
    wp_phone(first, "AlicePhone").post("FolderSync");
    wp_phone(first, "BobPhone", "bob@lab.test").post("FolderSync");
    EXPECT_EQ(devices(first).size(), 2u);
  }
  // Bob leaves the lab file: his mailbox and his phone's partnership go, alice's stays.
  write_file(lab, "mailboxes:\n  - {address: alice@lab.test, password: Passw0rd}\n");
  test_server second({"--data-dir", data.path().string(), "--config", lab});
  auto list = devices(second);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].as_object().at("device_id").as_string(), "AlicePhone");
  EXPECT_EQ(wp_phone(second, "BobPhone", "bob@lab.test").post("FolderSync").status, 401);
}

}  // namespace
