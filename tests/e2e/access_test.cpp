// End-to-end: Allow/Block/Quarantine (PROVISIONING.md 5.1) configured with Exchange's cmdlets
// through the admin API, seen by real clients over TLS.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <functional>
#include <string>

#include "easemu/client/http_client.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/admin_client.hpp"
#include "support/eas_client.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::client;
namespace wbxml = easemu::wbxml;
namespace json = boost::json;
using wbxml::tag;

// A phone of `user` whose User-Agent names its type.
client_response eas(const test_server& s, const std::string& user, const std::string& device, const std::string& type,
                    const std::string& cmd, const std::string& version, const std::string& xml) {
  return eas_client{.port = s.https_port, .user = user, .device_id = device, .device_type = type, .version = version,
                    .user_agent = type + "-agent/1.0"}
      .post(cmd, xml);
}

const std::string folder_sync = "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>";
const std::string device_information =
    "<Settings xmlns=\"Settings:\"><DeviceInformation><Set><Model>Lab model</Model><OS>Lab OS 1.0</OS></Set>"
    "</DeviceInformation></Settings>";

json::object device(const test_server& s, const std::string& id) {
  const auto results = exchange(s, "Get-ActiveSyncDevice");
  for (const auto& d : results.at(0).at("output").as_array()) {
    if (d.at("DeviceId") == id.c_str()) return d.as_object();
  }
  return {};
}

// The subjects a Sync of the Inbox brings a device (initial key, then one GetChanges).
std::vector<std::string> inbox_subjects(const test_server& s, const std::string& user, const std::string& dev,
                                        std::string& key) {
  if (key.empty()) {
    auto first = eas(s, user, dev, "iPhone", "Sync", "14.1",
                     "<Sync xmlns=\"AirSync:\"><Collections><Collection><SyncKey>0</SyncKey><CollectionId>1</CollectionId>"
                     "</Collection></Collections></Sync>");
    const auto x = wbxml::to_xml(*wbxml::decode(first.body));
    const auto at = x.find("<SyncKey>");
    key = x.substr(at + 9, x.find('<', at + 9) - at - 9);
  }
  auto r = eas(s, user, dev, "iPhone", "Sync", "14.1",
               "<Sync xmlns=\"AirSync:\"><Collections><Collection><SyncKey>" + key +
                   "</SyncKey><CollectionId>1</CollectionId><GetChanges/><WindowSize>100</WindowSize>"
                   "</Collection></Collections></Sync>");
  std::vector<std::string> subjects;
  auto tree = wbxml::decode(r.body);
  if (!tree) return subjects;
  const auto x = wbxml::to_xml(*tree);
  const auto k = x.find("<SyncKey>");
  if (k != std::string::npos) key = x.substr(k + 9, x.find('<', k + 9) - k - 9);
  std::function<void(const wbxml::element&)> walk = [&](const wbxml::element& e) {
    if (e.tag == tag("Email:Subject")) subjects.push_back(e.value);
    for (const auto& c : e.children) walk(c);
  };
  walk(*tree);
  return subjects;
}

// Issue 18 changed this test: while rules exist, a new device is in DeviceDiscovery until it has
// sent DeviceInformation (Exchange's evaluation order; MS-ASCMD 3.1.5.2), then the rule decides.
// Before, the rule blocked the first request, so the phone was never recorded with its DeviceOS.
TEST(DeviceAccess, ABlockRuleOnDeviceTypeBlocksWindowsPhones) {
  test_server server;
  const auto rule = exchange(server, "New-ActiveSyncDeviceAccessRule -QueryString WP -Characteristic DeviceType -AccessLevel Block");
  EXPECT_EQ(rule.at(0).at("output").at(0).at("Identity"), "WP (DeviceType)");
  // Not yet reported: DeviceDiscovery, where FolderSync runs (PROVISIONING.md 5.1).
  EXPECT_EQ(status_of(eas(server, "alice", "WPBLOCKED1", "WP", "FolderSync", "14.0", folder_sync)), "1");
  EXPECT_EQ(device(server, "WPBLOCKED1").at("DeviceAccessState"), "DeviceDiscovery");
  for (const auto& [id, version] : {std::pair{"WPBLOCKED1", "14.0"}, std::pair{"WPBLOCKED2", "12.1"}}) {
    EXPECT_EQ(status_of(eas(server, "alice", id, "WP", "Settings", version, device_information)), "1") << id;
  }
  // 14.0 reads 129 DeviceIsBlockedForThisUser in the body; 12.1 gets HTTP 403 (PROVISIONING.md 5.1).
  const auto wp = eas(server, "alice", "WPBLOCKED1", "WP", "FolderSync", "14.0", folder_sync);
  EXPECT_EQ(wp.status, 200);
  EXPECT_EQ(status_of(wp), "129");
  EXPECT_FALSE(wp.header("X-MS-ASThrottle").empty());
  const auto old = eas(server, "alice", "WPBLOCKED2", "WP", "FolderSync", "12.1", folder_sync);
  EXPECT_EQ(old.status, 403);
  // Provision too: a blocked device cannot get a policy.
  const auto prov = eas(server, "alice", "WPBLOCKED1", "WP", "Provision", "14.0",
                        "<Provision xmlns=\"Provision:\"><Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType>"
                        "</Policy></Policies></Provision>");
  EXPECT_EQ(status_of(prov), "129");
  // Other device types are not touched.
  EXPECT_EQ(status_of(eas(server, "alice", "IPHONE1", "iPhone", "Settings", "14.1", device_information)), "1");
  const auto iphone = eas(server, "alice", "IPHONE1", "iPhone", "FolderSync", "14.1", folder_sync);
  EXPECT_EQ(status_of(iphone), "1");
  // Exchange's view of it.
  const auto d = device(server, "WPBLOCKED1");
  EXPECT_EQ(d.at("DeviceAccessState"), "Blocked");
  EXPECT_EQ(d.at("DeviceAccessStateReason"), "DeviceRule");
  EXPECT_EQ(d.at("DeviceAccessControlRule"), "WP (DeviceType)");
  EXPECT_EQ(device(server, "IPHONE1").at("DeviceAccessState"), "Allowed");
  // The user's allowed list beats the rule; removing the rule lets the others in.
  exchange(server, "Set-CASMailbox -Identity alice -ActiveSyncAllowedDeviceIDs @{Add='WPBLOCKED1'}");
  EXPECT_EQ(status_of(eas(server, "alice", "WPBLOCKED1", "WP", "FolderSync", "14.0", folder_sync)), "1");
  EXPECT_EQ(device(server, "WPBLOCKED1").at("DeviceAccessStateReason"), "Individual");
  exchange(server, "Remove-ActiveSyncDeviceAccessRule -Identity 'WP (DeviceType)'");
  EXPECT_EQ(status_of(eas(server, "alice", "WPBLOCKED2", "WP", "FolderSync", "14.0", folder_sync)), "1");
  EXPECT_TRUE(exchange(server, "Get-ActiveSyncDeviceAccessRule").at(0).at("output").as_array().empty());
}

TEST(DeviceAccess, TheBlockedListBeatsTheAllowedListAndRules) {
  test_server server;
  exchange(server,
           "New-ActiveSyncDeviceAccessRule -QueryString iPhone -Characteristic DeviceType -AccessLevel Allow\n"
           "Set-CASMailbox -Identity alice -ActiveSyncBlockedDeviceIDs 'LOST1','LOST2' -ActiveSyncAllowedDeviceIDs 'LOST1'");
  EXPECT_EQ(status_of(eas(server, "alice", "lost1", "iPhone", "FolderSync", "14.1", folder_sync)), "129");
  const auto mailbox = exchange(server, "Get-CASMailbox alice").at(0).at("output").at(0);
  EXPECT_EQ(mailbox.at("ActiveSyncBlockedDeviceIDs").as_array().size(), 2u);
  EXPECT_EQ(device(server, "lost1").at("DeviceAccessStateReason"), "Individual");
  // $null clears the list.
  exchange(server, "Set-CASMailbox -Identity alice -ActiveSyncBlockedDeviceIDs $null");
  EXPECT_EQ(status_of(eas(server, "alice", "lost1", "iPhone", "FolderSync", "14.1", folder_sync)), "1");
}

TEST(DeviceAccess, QuarantineShowsOnlyTheNoticeUntilTheDeviceIsAllowed) {
  test_server server;
  exchange(server,
           "Set-ActiveSyncOrganizationSettings -DefaultAccessLevel Quarantine -UserMailInsert 'Call the lab desk on 1234' "
           "-AdminMailRecipients bob@lab.test");
  EXPECT_EQ(exchange(server, "Get-ActiveSyncOrganizationSettings").at(0).at("output").at(0).at("DefaultAccessLevel"),
            "Quarantine");
  // A quarantined device may list folders and sync, but sees only the notice.
  EXPECT_EQ(status_of(eas(server, "alice", "NEWPHONE", "iPhone", "FolderSync", "14.1", folder_sync)), "1");
  std::string key;
  const auto seen = inbox_subjects(server, "alice", "NEWPHONE", key);
  ASSERT_EQ(seen.size(), 1u) << seen.size();
  EXPECT_EQ(seen[0], "Your device is waiting for access to your mailbox");
  EXPECT_EQ(device(server, "NEWPHONE").at("DeviceAccessState"), "Quarantined");
  EXPECT_EQ(device(server, "NEWPHONE").at("DeviceAccessStateReason"), "Global");
  // Sending is refused while quarantined (MailSubmissionFailed from 14.0).
  const auto send_mail = eas(server, "alice", "NEWPHONE", "iPhone", "SendMail", "14.1",
                             "<SendMail xmlns=\"ComposeMail:\"><ClientId>1</ClientId><SaveInSentItems/>"
                             "<Mime>RnJvbTogYWxpY2VAbGFiLnRlc3QNClRvOiBib2JAbGFiLnRlc3QNClN1YmplY3Q6IHgNCg0KeA==</Mime>"
                             "</SendMail>");
  EXPECT_EQ(status_of(send_mail), "120");
  // The administrator got a notice naming the device (bob's device is quarantined too, but
  // its notice and the admin notice are both in his Inbox: allow his phone first).
  exchange(server, "Set-CASMailbox -Identity bob -ActiveSyncAllowedDeviceIDs 'BOBPHONE'");
  std::string bob_key;
  const auto bob = inbox_subjects(server, "bob", "BOBPHONE", bob_key);
  EXPECT_NE(std::find_if(bob.begin(), bob.end(),
                         [](const std::string& s) { return s.find("Quarantined device: alice@lab.test") == 0; }),
            bob.end());
  // Allowed by the administrator: the next Sync brings the whole Inbox.
  exchange(server, "Set-CASMailbox -Identity alice -ActiveSyncAllowedDeviceIDs @{Add='NEWPHONE'}");
  const auto all = inbox_subjects(server, "alice", "NEWPHONE", key);
  EXPECT_EQ(all.size(), 8u);  // the demo Inbox; the notice it already has
  EXPECT_EQ(device(server, "NEWPHONE").at("DeviceAccessState"), "Allowed");
}

TEST(DeviceAccess, BadParametersAreRefusedWithExchangesWords) {
  test_server server;
  const auto res = admin(server, "POST", "/api/v1/exchange",
                         "New-ActiveSyncDeviceAccessRule -QueryString WP -Characteristic Colour -AccessLevel Block",
                         "text/plain");
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body.find("Cannot bind parameter 'Characteristic'"), std::string::npos) << res.body;
  EXPECT_NE(admin(server, "POST", "/api/v1/exchange", "Set-ActiveSyncOrganizationSettings -DefaultAccessLevel Maybe",
                  "text/plain")
                .body.find("DefaultAccessLevel"),
            std::string::npos);
}

}  // namespace

namespace {

// Issue 8: Set-CASMailbox -ActiveSyncDebugLogging and Get-ActiveSyncDeviceStatistics -GetMailboxLog,
// with the log mailed as an attachment, the way OWA's "Retrieve Log" works.
TEST(MailboxLog, DebugLoggingRecordsHeadersAndTheLogIsMailed) {
  test_server server;
  exchange(server, "Set-CASMailbox -Identity alice -ActiveSyncDebugLogging $true");
  EXPECT_EQ(exchange(server, "Get-CASMailbox alice").at(0).at("output").at(0).at("ActiveSyncDebugLogging"), true);
  ASSERT_EQ(status_of(eas(server, "alice", "LOGGED1", "iPhone", "FolderSync", "14.1", folder_sync)), "1");
  const auto stats = exchange(server, "Get-ActiveSyncDeviceStatistics -Mailbox alice -GetMailboxLog");
  const auto& devices = stats.at(0).at("output").as_array();
  ASSERT_EQ(devices.size(), 1u);
  const std::string log(devices.at(0).at("MailboxLogReport").as_string());
  EXPECT_NE(log.find("Command     : FolderSync (EAS 14.1)"), std::string::npos) << log;
  EXPECT_NE(log.find("<FolderSync xmlns=\"FolderHierarchy:\">"), std::string::npos) << log;
  EXPECT_NE(log.find("MS-ASProtocolVersion: 14.1"), std::string::npos) << log;
  EXPECT_NE(log.find("Authorization: (removed)"), std::string::npos) << log;
  EXPECT_EQ(log.find("Passw0rd"), std::string::npos);
  EXPECT_EQ(log.find("Basic "), std::string::npos);

  // Mailed to bob: his phone finds the message with the log attached.
  exchange(server, "Get-ActiveSyncDeviceStatistics -Mailbox alice -GetMailboxLog -NotificationEmailAddresses bob@lab.test");
  std::string key;
  const auto subjects = inbox_subjects(server, "bob", "BOBREADER", key);  // key 0, then the whole Inbox
  EXPECT_NE(std::find(subjects.begin(), subjects.end(), "Exchange ActiveSync Mailbox Logs: alice@lab.test"), subjects.end());
  // Logging off: later requests carry no headers in the log.
  exchange(server, "Set-CASMailbox -Identity alice -ActiveSyncDebugLogging $false");
  eas(server, "alice", "LOGGED2", "iPhone", "FolderSync", "14.1", folder_sync);
  const auto quiet = exchange(server, "Get-ActiveSyncDeviceStatistics -Identity LOGGED2 -GetMailboxLog");
  const std::string quiet_log(quiet.at(0).at("output").at(0).at("MailboxLogReport").as_string());
  EXPECT_NE(quiet_log.find("Command     : FolderSync"), std::string::npos);
  EXPECT_EQ(quiet_log.find("RequestHeader"), std::string::npos) << quiet_log;
}

}  // namespace

namespace {

// Issue 8's REST side of the device list, and the Prometheus page.
TEST(AdminApi, OneDeviceCanBeReadAndRemovedAndMetricsCountRequests) {
  test_server server;
  ASSERT_EQ(status_of(eas(server, "alice", "RESTDEV", "iPhone", "FolderSync", "14.1", folder_sync)), "1");
  const auto one = admin(server, "GET", "/api/v1/devices/restdev");
  ASSERT_EQ(one.status, 200) << one.body;
  const auto d = json::parse(one.body);
  EXPECT_EQ(d.at("device_id"), "RESTDEV");
  EXPECT_EQ(d.at("access_state"), "Allowed");
  EXPECT_EQ(admin(server, "GET", "/api/v1/devices/nope").status, 404);
  EXPECT_TRUE(json::parse(admin(server, "GET", "/api/v1/devices?mailbox=bob@lab.test").body).at("devices").as_array().empty());

  // Metrics need no token and name no user or device.
  client_request m;
  m.tls = false;
  m.target = "/metrics";
  const auto page = send(server.http_port, m);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.header("Content-Type").find("version=0.0.4"), std::string::npos);
  EXPECT_NE(page.body.find("easemu_eas_requests_total{command=\"FolderSync\",http_status=\"200\",eas_status=\"1\"} 1"),
            std::string::npos)
      << page.body;
  EXPECT_NE(page.body.find("easemu_devices{access_state=\"Allowed\"} 1"), std::string::npos);
  EXPECT_EQ(page.body.find("RESTDEV"), std::string::npos);
  EXPECT_EQ(page.body.find("alice"), std::string::npos);

  // Removing the partnership: gone from the list; the phone's next request makes a new one.
  const auto removed = admin(server, "DELETE", "/api/v1/devices/RESTDEV?mailbox=alice@lab.test");
  EXPECT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(admin(server, "GET", "/api/v1/devices/RESTDEV").status, 404);
  EXPECT_EQ(admin(server, "PUT", "/api/v1/devices/RESTDEV").status, 405);
}

}  // namespace

namespace {

// POST /api/v1/reset: what the lab file says again, whatever was changed at run time.
TEST(AdminApi, ResetReturnsTheLabToItsFileState) {
  temp_dir dir;
  write_file(dir / "lab.yaml",
             "mailboxes:\n  - address: alice@lab.test\n    password: Passw0rd\n    policy: Lab\n"
             "policies:\n  - Name: Lab\n    AllowNonProvisionableDevices: $true\n  - Name: Other\n"
             "exchange_commands: |\n  New-ActiveSyncDeviceAccessRule -QueryString Blackberry -Characteristic DeviceType -AccessLevel Block\n"
             "faults:\n  - match: {command: Search}\n    action: {eas_status: 3}\n");
  test_server server({"--config", (dir / "lab.yaml").string()});
  exchange(server,
           "New-ActiveSyncDeviceAccessRule -QueryString WP -Characteristic DeviceType -AccessLevel Quarantine\n"
           "Set-ActiveSyncOrganizationSettings -DefaultAccessLevel Block\n"
           "Set-CASMailbox -Identity alice -ActiveSyncMailboxPolicy Other");
  const auto fault = admin(server, "POST", "/api/v1/faults", R"({"action": {"http_status": 503}})", "application/json");
  ASSERT_EQ(fault.status, 201);

  const auto reset = admin(server, "POST", "/api/v1/reset");
  ASSERT_EQ(reset.status, 200) << reset.body;
  const auto rules = exchange(server, "Get-ActiveSyncDeviceAccessRule").at(0).at("output");
  ASSERT_EQ(rules.as_array().size(), 1u) << rules;
  EXPECT_EQ(rules.at(0).at("Identity"), "Blackberry (DeviceType)");
  EXPECT_EQ(exchange(server, "Get-ActiveSyncOrganizationSettings").at(0).at("output").at(0).at("DefaultAccessLevel"), "Allow");
  EXPECT_EQ(exchange(server, "Get-CASMailbox alice").at(0).at("output").at(0).at("ActiveSyncMailboxPolicy"), "Lab");
  const auto faults = json::parse(admin(server, "GET", "/api/v1/faults").body);
  const auto& list = faults.is_array() ? faults.as_array() : faults.at("faults").as_array();
  ASSERT_EQ(list.size(), 1u) << faults;
  EXPECT_EQ(list.at(0).at("source"), "lab file");
  EXPECT_EQ(admin(server, "GET", "/api/v1/reset").status, 405);
}

}  // namespace

namespace {

// The admin clients verify an https:// server with --ca (issue 8: --server URL --admin-token T [--ca FILE]).
TEST(AdminApi, TheCliClientsVerifyTheServerWithTheirCa) {
  test_server server;
  temp_dir dir;
  client_request ca;
  ca.tls = false;
  ca.target = "/certsrv/ca.pem";
  write_file(dir / "lab-ca.pem", send(server.http_port, ca).body);
  const auto base = std::string(EASEMU_EXE) + " exchange --server https://127.0.0.1:" + std::to_string(server.https_port) +
                    " --admin-token " + server.admin_token + " --ca ";
  const auto good = run(base + shell_quote((dir / "lab-ca.pem").string()) + " Get-ActiveSyncOrganizationSettings");
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_NE(good.out.find("DefaultAccessLevel"), std::string::npos);
  // The public roots do not vouch for the lab's certificate.
  const auto bad = run(base + "/etc/ssl/certs/ca-certificates.crt Get-ActiveSyncOrganizationSettings");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("certificate verify failed"), std::string::npos) << bad.err;
}

}  // namespace
