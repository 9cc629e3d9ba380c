// End-to-end: mailboxes added and removed at run time (POST and DELETE /api/v1/mailboxes). Logins
// read the stored mailboxes, so a new one adds its account at once; a removed one gets 401 from
// its next request and its held Ping ends.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <future>

#include "support/admin_client.hpp"
#include "support/eas_client.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::client;

const std::string folder_sync0 = "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>";

std::string ping_xml(int heartbeat) {
  return "<Ping xmlns=\"Ping:\"><HeartbeatInterval>" + std::to_string(heartbeat) +
         "</HeartbeatInterval><Folders><Folder><Id>1</Id><Class>Email</Class></Folder></Folders></Ping>";
}

bool listed(const test_server& s, const std::string& address) {
  const auto res = admin(s, "GET", "/api/v1/mailboxes");
  const auto all = boost::json::parse(res.body);
  for (const auto& m : all.at("mailboxes").as_array()) {
    if (m.at("address").as_string() == address) return true;
  }
  return false;
}

TEST(Mailboxes, AMailboxAddedAtRunTimeLogsInAtOnce) {
  test_server server;
  const eas_client carol{.port = server.https_port, .user = "carol", .password = "Carol-pw1", .device_id = "C1"};
  EXPECT_EQ(carol.post("FolderSync", folder_sync0).status, 401);  // not a lab mailbox yet

  const auto added = admin(server, "POST", "/api/v1/mailboxes",
                           R"({"address": "Carol@Lab.test", "password": "Carol-pw1", "display_name": "Carol Lab"})",
                           "application/json");
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(boost::json::parse(added.body).at("address").as_string(), "carol@lab.test");
  EXPECT_TRUE(listed(server, "carol@lab.test"));

  const auto fs = carol.post("FolderSync", folder_sync0);
  ASSERT_EQ(fs.status, 200);
  EXPECT_EQ(status_of(fs), "1");
  const eas_client wrong{.port = server.https_port, .user = "carol", .password = "nope", .device_id = "C1"};
  EXPECT_EQ(wrong.post("FolderSync", folder_sync0).status, 401);

  EXPECT_EQ(admin(server, "POST", "/api/v1/mailboxes", R"({"address": "carol@lab.test", "password": "x"})",
                  "application/json").status, 409);
  EXPECT_EQ(admin(server, "POST", "/api/v1/mailboxes", R"({"address": "no-at-sign", "password": "x"})",
                  "application/json").status, 400);
  EXPECT_EQ(admin(server, "POST", "/api/v1/mailboxes", R"({"address": "dave@lab.test"})", "application/json").status, 400);
  EXPECT_EQ(admin(server, "POST", "/api/v1/mailboxes", R"({"address": "dave@lab.test", "password": "x", "policy": "Nope"})",
                  "application/json").status, 400);
}

TEST(Mailboxes, ARemovedMailboxGets401AndItsHeldPingEnds) {
  test_server server({"--heartbeat-min", "1"});
  const eas_client alice{.port = server.https_port, .device_id = "A1", .timeout = std::chrono::seconds(40)};
  ASSERT_EQ(alice.post("FolderSync", folder_sync0).status, 200);

  auto held = std::async(std::launch::async, [&] { return alice.post("Ping", ping_xml(30)); });
  ASSERT_TRUE(wait_for_waiting_requests(server, 1));
  const auto removed = admin(server, "DELETE", "/api/v1/mailboxes/alice%40lab.test");
  ASSERT_EQ(removed.status, 200) << removed.body;
  // The held Ping ends long before its 30 s heartbeat.
  ASSERT_EQ(held.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(xml_of(held.get()), "<Ping xmlns=\"Ping:\"><Status>1</Status></Ping>");
  EXPECT_EQ(alice.post("FolderSync", folder_sync0).status, 401);
  EXPECT_FALSE(listed(server, "alice@lab.test"));
  EXPECT_EQ(admin(server, "DELETE", "/api/v1/mailboxes/alice%40lab.test").status, 404);
  // Others are untouched.
  const eas_client bob{.port = server.https_port, .user = "bob", .device_id = "B1"};
  EXPECT_EQ(bob.post("FolderSync", folder_sync0).status, 200);
}

}  // namespace
