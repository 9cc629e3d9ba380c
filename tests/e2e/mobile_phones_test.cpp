// Issue 19, point 4: the user's own Mobile Phones page (Exchange 2010 OWA, Options, Phone) over
// TLS: sign-in with the mailbox's credentials, only the user's own devices, Start/Stop Logging,
// Retrieve Log (a text attachment in the user's own Inbox, fetched here by the phone's Sync with
// MIME), Wipe Device and Remove; the canary against forged forms; logging turning itself off
// after 72 hours, shown with the test clock.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <regex>
#include <string>

#include "easemu/common/text.hpp"
#include "easemu/mailbox/message.hpp"
#include "support/admin_client.hpp"
#include "support/eas_client.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::client;
namespace wbxml = easemu::wbxml;
namespace json = boost::json;
using wbxml::tag;

constexpr const char* page = "/owa/mobile-phones";
const std::string folder_sync = "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>";

client_response browse(const test_server& s, const std::string& method, const std::string& target, const std::string& user,
                       const std::string& password, const std::string& form = {}, bool tls = true) {
  client_request r;
  r.method = method;
  r.target = target;
  r.tls = tls;
  r.basic_user = user;
  r.basic_password = password;
  if (!form.empty()) {
    r.body = form;
    r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  }
  return send(tls ? s.https_port : s.http_port, r);
}

client_response alice_page(const test_server& s) { return browse(s, "GET", page, "alice@lab.test", "Passw0rd"); }
client_response alice_post(const test_server& s, const std::string& form) {
  return browse(s, "POST", page, "alice@lab.test", "Passw0rd", form);
}

std::string header(const client_response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (easemu::common::iequals(n, name)) return v;
  }
  return {};
}

std::string canary_of(const std::string& html) {
  std::smatch m;
  if (!std::regex_search(html, m, std::regex("name=\"canary\" value=\"([0-9a-f]+)\""))) return {};
  return m[1];
}

// The attachment of the newest message whose subject starts with `subject`, as alice's phone
// gets it: a Sync of the Inbox with MIME (MS-ASCMD 2.2.3.110.3, MIMESupport 2).
std::string log_in_inbox(const test_server& s, const std::string& device, const std::string& subject) {
  const eas_client phone{.port = s.https_port, .device_id = device};
  const auto sync = [&](const std::string& key, const std::string& extra) {
    return tree_of(phone.post("Sync", "<Sync xmlns=\"AirSync:\" xmlns:airsyncbase=\"AirSyncBase:\"><Collections><Collection><SyncKey>" +
                                          key + "</SyncKey><CollectionId>1</CollectionId>" + extra +
                                          "</Collection></Collections></Sync>"));
  };
  const auto first = sync("0", "");
  if (!first) return "(no Sync answer)";
  const auto x = wbxml::to_xml(*first);
  const auto at = x.find("<SyncKey>");
  const auto key = x.substr(at + 9, x.find('<', at + 9) - at - 9);
  const auto mail = sync(key, "<WindowSize>200</WindowSize><Options><MIMESupport>2</MIMESupport><airsyncbase:BodyPreference>"
                              "<airsyncbase:Type>4</airsyncbase:Type></airsyncbase:BodyPreference></Options>");
  if (!mail) return "(no Sync answer)";
  std::string found = "(no message '" + subject + "')";
  std::string newest;  // DateReceived of the message read
  std::function<void(const wbxml::element&)> walk = [&](const wbxml::element& e) {
    if (e.tag == tag("AirSync:ApplicationData") && e.child_text(tag("Email:Subject")).starts_with(subject)) {
      const auto* body = e.child(tag("AirSyncBase:Body"));
      const std::string received(e.child_text(tag("Email:DateReceived")));
      if (body != nullptr && received > newest) {
        newest = received;
        const std::string mime(body->child_text(tag("AirSyncBase:Data")));
        const auto props = easemu::mailbox::parse_message(mime);
        if (props) {
          for (std::size_t i = 0; i < props->attachments.size(); ++i) {
            if (props->attachments[i].file_name.starts_with("EASMailboxLog_")) {
              found = easemu::mailbox::attachment_content(mime, i).value_or("(attachment unreadable)");
            }
          }
        }
      }
    }
    for (const auto& c : e.children) walk(c);
  };
  walk(*mail);
  return found;
}

bool logging_on(const test_server& s) {
  return exchange(s, "Get-CASMailbox alice").at(0).at("output").at(0).at("ActiveSyncDebugLogging") == true;
}

TEST(MobilePhones, SignInOnlyOverTlsWithTheMailboxPassword) {
  test_server server;
  const auto anonymous = browse(server, "GET", page, "", "");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_NE(header(anonymous, "WWW-Authenticate").find("Basic realm="), std::string::npos);
  EXPECT_EQ(browse(server, "GET", page, "alice@lab.test", "wrong").status, 401);
  // Plain HTTP never takes credentials: the browser is sent to the HTTPS page.
  const auto plain = browse(server, "GET", page, "", "", {}, false);
  EXPECT_EQ(plain.status, 302);
  EXPECT_TRUE(header(plain, "Location").starts_with("https://")) << header(plain, "Location");
  EXPECT_EQ(browse(server, "GET", "/owa/", "alice@lab.test", "Passw0rd").status, 302);

  const auto ok = alice_page(server);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(header(ok, "X-Content-Type-Options"), "nosniff");
  EXPECT_NE(header(ok, "Content-Security-Policy").find("form-action 'self'"), std::string::npos);
  EXPECT_NE(header(ok, "Content-Security-Policy").find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(header(ok, "Cache-Control"), "no-store");
  EXPECT_NE(ok.body.find("Mobile Phones"), std::string::npos);
  EXPECT_NE(ok.body.find("No phones have synced"), std::string::npos) << ok.body;
  EXPECT_EQ(browse(server, "PUT", page, "alice@lab.test", "Passw0rd").status, 405);
}

TEST(MobilePhones, TheUserSeesOnlyTheirDevicesAndFormsNeedTheCanary) {
  test_server server;
  ASSERT_EQ(status_of(eas_client{.port = server.https_port, .device_id = "ALICEWP7", .device_type = "WP"}.post("FolderSync", folder_sync)), "1");
  ASSERT_EQ(status_of(eas_client{.port = server.https_port, .user = "bob", .device_id = "BOBPHONE"}.post("FolderSync", folder_sync)), "1");
  const auto listed = alice_page(server);
  ASSERT_EQ(listed.status, 200);
  EXPECT_NE(listed.body.find("ALICEWP7"), std::string::npos) << listed.body;
  EXPECT_EQ(listed.body.find("BOBPHONE"), std::string::npos) << listed.body;
  for (const char* button : {"Start Logging", "Retrieve Log", "Wipe Device", "Remove"}) {
    EXPECT_NE(listed.body.find(button), std::string::npos) << button;
  }
  const auto canary = canary_of(listed.body);
  ASSERT_FALSE(canary.empty()) << listed.body;

  // A forged form (no canary, another user's canary) changes nothing.
  EXPECT_EQ(alice_post(server, "action=start_logging&device=ALICEWP7").status, 403);
  const auto bob_canary = canary_of(browse(server, "GET", page, "bob@lab.test", "Passw0rd").body);
  ASSERT_FALSE(bob_canary.empty());
  EXPECT_NE(bob_canary, canary);
  EXPECT_EQ(alice_post(server, "action=start_logging&device=ALICEWP7&canary=" + bob_canary).status, 403);
  EXPECT_FALSE(logging_on(server));
  // bob's phone is not alice's to act on; a form of another type is refused.
  EXPECT_EQ(alice_post(server, "action=remove&device=BOBPHONE&canary=" + canary).status, 404);
  EXPECT_EQ(browse(server, "POST", page, "alice@lab.test", "Passw0rd").status, 415);
  EXPECT_EQ(alice_post(server, "action=explode&device=ALICEWP7&canary=" + canary).status, 400);

  // Wipe Device asks first, then requests the wipe (the phone's next request gets it).
  const auto ask = alice_post(server, "action=wipe&device=ALICEWP7&canary=" + canary);
  EXPECT_EQ(ask.status, 200);
  EXPECT_NE(ask.body.find("confirm"), std::string::npos);
  EXPECT_TRUE(device_json(server, "ALICEWP7").at("wipe_status").is_null());
  const auto wiped = alice_post(server, "action=wipe&device=ALICEWP7&confirm=yes&canary=" + canary);
  EXPECT_EQ(wiped.status, 303);
  EXPECT_EQ(header(wiped, "Location"), "/owa/mobile-phones?done=wipe");
  EXPECT_NE(alice_page(server).body.find("Wipe pending"), std::string::npos);
  EXPECT_EQ(device_json(server, "ALICEWP7").at("wipe_status"), "requested");
  const auto next = eas_client{.port = server.https_port, .device_id = "ALICEWP7", .device_type = "WP"}.post("FolderSync", folder_sync);
  EXPECT_EQ(status_of(next), "140") << xml_of(next);  // MS-ASCMD 2.2.2: RemoteWipeRequested

  // Remove: the partnership is gone, bob's stays.
  EXPECT_EQ(alice_post(server, "action=remove&device=ALICEWP7&canary=" + canary).status, 303);
  EXPECT_EQ(alice_page(server).body.find("ALICEWP7"), std::string::npos);
  EXPECT_TRUE(device_json(server, "ALICEWP7").empty());
  EXPECT_FALSE(device_json(server, "BOBPHONE").empty());
}

TEST(MobilePhones, TheLogCoversOnlyTheLoggingTimeAndLoggingEndsAfter72Hours) {
  test_server server({"--test-clock"});
  const eas_client phone{.port = server.https_port, .device_id = "ALICELOG", .device_type = "WP"};
  // Before logging: this FolderSync is not in the log.
  ASSERT_EQ(status_of(phone.post("FolderSync", folder_sync)), "1");
  const auto canary = canary_of(alice_page(server).body);
  ASSERT_FALSE(canary.empty());
  EXPECT_EQ(alice_post(server, "action=start_logging&device=ALICELOG&canary=" + canary).status, 303);
  EXPECT_TRUE(logging_on(server));
  EXPECT_NE(alice_page(server).body.find("Stop Logging"), std::string::npos);
  // While logging: a Settings request with its headers.
  phone.post("Settings", "<Settings xmlns=\"Settings:\"><UserInformation><Get/></UserInformation></Settings>");
  EXPECT_EQ(alice_post(server, "action=retrieve_log&device=ALICELOG&canary=" + canary).status, 303);
  const auto log = log_in_inbox(server, "READER1", "Exchange ActiveSync Mailbox Log");
  EXPECT_TRUE(log.starts_with("Log Entry: 1\nRequestTime : \n\t")) << log;
  EXPECT_NE(log.find("Cmd=Settings"), std::string::npos) << log;
  EXPECT_EQ(log.find("Cmd=FolderSync"), std::string::npos) << log;
  EXPECT_EQ(log.find("Log Entry: 2"), std::string::npos) << log;
  EXPECT_NE(log.find("ServerName : \n\tmail.lab.test\n"), std::string::npos) << log;
  EXPECT_NE(log.find("RequestHeader : \n\tPOST /Microsoft-Server-ActiveSync/default.eas?Cmd=Settings&User=alice@lab.test"
                     "&DeviceId=ALICELOG&DeviceType=WP HTTP/1.1\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("\tAuthorization: (removed)\n"), std::string::npos) << log;
  EXPECT_NE(log.find("RequestBody : \n\t<Settings xmlns=\"Settings:\">"), std::string::npos) << log;
  EXPECT_NE(log.find("ResponseHeader : \n\tHTTP/1.1 200 OK\n"), std::string::npos) << log;
  EXPECT_NE(log.find("ResponseBody : \n\t<Settings xmlns=\"Settings:\">"), std::string::npos) << log;
  EXPECT_NE(log.find("ResponseTime : \n\t"), std::string::npos) << log;
  EXPECT_EQ(log.find("Passw0rd"), std::string::npos);
  EXPECT_EQ(log.find("Basic "), std::string::npos);

  // 73 hours later Exchange has turned logging off by itself: later requests are not logged.
  const auto moved = admin(server, "POST", "/api/v1/clock", "{\"advance_seconds\": 262800}", "application/json");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(json::parse(moved.body).at("offset_seconds").as_int64(), 262800);
  EXPECT_FALSE(logging_on(server));
  EXPECT_NE(alice_page(server).body.find("Logging: <b>off</b>"), std::string::npos);
  ASSERT_EQ(status_of(phone.post("FolderSync", folder_sync)), "1");
  EXPECT_EQ(alice_post(server, "action=retrieve_log&device=ALICELOG&canary=" + canary).status, 303);
  const auto later = log_in_inbox(server, "READER2", "Exchange ActiveSync Mailbox Log");
  EXPECT_NE(later.find("Cmd=Settings"), std::string::npos) << later;
  EXPECT_EQ(later.find("Cmd=FolderSync"), std::string::npos) << later;
}

TEST(MobilePhones, TheClockMovesOnlyOnATestClockServer) {
  test_server server;
  EXPECT_EQ(admin(server, "POST", "/api/v1/clock", "{\"advance_seconds\": 60}", "application/json").status, 403);
  EXPECT_EQ(admin(server, "GET", "/api/v1/clock").status, 200);
  test_server clocked({"--test-clock"});
  EXPECT_EQ(admin(clocked, "POST", "/api/v1/clock", "{\"advance_seconds\": -5}", "application/json").status, 400);
  EXPECT_EQ(admin(clocked, "POST", "/api/v1/clock", "nonsense", "application/json").status, 400);
}

}  // namespace
