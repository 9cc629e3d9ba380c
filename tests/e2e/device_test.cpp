// End-to-end: simulated phones add an account on the real server (simulator/device_flow.hpp and
// `easemu device`), the profile x policy matrix (`easemu matrix`) and the offline policy check
// (`easemu policy check`). Expected values are written by hand from PROVISIONING.md 2.4, 2.5 and
// 6 and docs/device-profiles.md, not taken from the code under test.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "easemu/simulator/device_flow.hpp"
#include "easemu/client/http_client.hpp"
#include "easemu/common/base64.hpp"
#include "easemu/phone/profile.hpp"
#include "support/admin_client.hpp"
#include "support/eas_client.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::client;
using namespace easemu::simulator;
namespace phone = easemu::phone;
namespace json = boost::json;

const std::string exe = EASEMU_EXE;

std::string lab_ca(const test_server& s) {
  client_request r;
  r.tls = false;
  r.target = "/certsrv/ca.pem";
  return send(s.http_port, r).body;
}

// A 2010 SP1 lab (PROVISIONING.md 2.2: a partial acknowledgement is not 139 there): alice has a
// policy WP7 cannot fully enforce.
std::string lab_2010(bool anp) {
  return std::string(
             "lab:\n  exchange_version: 2010SP1\n"
             "mailboxes:\n  - address: alice@lab.test\n    password: Passw0rd\n    policy: Strict\n"
             "  - address: bob@lab.test\n    password: Passw0rd\n"
             "policies:\n  - Name: Strict\n    RequireDeviceEncryption: $true\n    DevicePasswordEnabled: $true\n"
             "    AllowNonProvisionableDevices: ") +
         (anp ? "$true" : "$false") + "\n";
}

flow_options phone_options(const test_server& s, const phone::device_profile& profile, const std::string& user,
                           const std::string& device_id = "", std::string ca = "") {
  flow_options f;
  f.profile = profile;
  f.server = "https://mail.lab.test:" + std::to_string(s.https_port);
  f.resolve = {{"mail.lab.test", "127.0.0.1"}};
  f.user = user;
  f.password = "Passw0rd";
  f.device_id = device_id;
  f.extra_ca_pem = ca == "none" ? std::string() : (ca.empty() ? lab_ca(s) : ca);
  f.ping_hold = std::chrono::seconds(1);
  return f;
}

flow_result run_phone(const test_server& s, const std::string& profile, const std::string& user = "alice@lab.test",
                      const std::string& device_id = "", std::string ca = "") {
  return run_device_flow(phone_options(s, *phone::find_profile(profile), user, device_id, std::move(ca)));
}

const flow_step* find_step(const flow_result& r, const std::string& name, std::size_t nth = 0) {
  for (const auto& s : r.steps) {
    if (s.name == name && nth-- == 0) return &s;
  }
  return nullptr;
}

std::string step_names(const flow_result& r) {
  std::string out;
  for (const auto& s : r.steps) {
    out += s.name + " " + std::to_string(s.http_status) + "/" + std::to_string(s.eas_status) + (s.ok ? "" : " !") + " " +
           s.note + "\n";
  }
  return out;
}

class DeviceFlow : public ::testing::Test {
 protected:
  std::vector<std::string> lab(const std::string& text) {
    const auto path = (dir / ("lab" + std::to_string(++files) + ".yaml")).string();
    write_file(path, text);
    return {"--config", path};
  }
  temp_dir dir;
  int files = 0;
};

TEST_F(DeviceFlow, Wp7WithTheDemoPolicySyncs) {
  test_server server;  // the demo lab, alice on its WP7 policy: Microsoft's twelve WP7 settings
  {
    const auto res =
        admin(server, "POST", "/api/v1/exchange", "Set-CASMailbox -Identity alice -ActiveSyncMailboxPolicy WP7", "text/plain");
    ASSERT_EQ(res.status, 200) << res.body;
  }
  const auto r = run_phone(server, "wp7", "alice@lab.test", "WP7DEMO01");
  EXPECT_TRUE(r.syncing) << step_names(r);
  EXPECT_FALSE(r.partial);
  EXPECT_FALSE(r.screen.error);
  ASSERT_TRUE(r.version);
  EXPECT_EQ(*r.version, easemu::protocol_version::v14_0);  // WP7's highest
  // A fresh phone: FolderSync says 142, the phone provisions (ack 1), then everything works.
  const auto* first = find_step(r, "FolderSync");
  ASSERT_NE(first, nullptr) << step_names(r);
  EXPECT_EQ(first->eas_status, 142);
  const auto* ack = find_step(r, "Provision (acknowledge 1)");
  ASSERT_NE(ack, nullptr) << step_names(r);
  EXPECT_EQ(ack->http_status, 200);
  const auto* settings = find_step(r, "Settings (DeviceInformation)");  // below 14.1
  ASSERT_NE(settings, nullptr) << step_names(r);
  EXPECT_EQ(settings->eas_status, 1);
  const auto* again = find_step(r, "FolderSync", 1);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->eas_status, 1);
  EXPECT_NE(find_step(r, "Sync (initial)"), nullptr);
  const auto* changes = find_step(r, "Sync (GetChanges)");
  ASSERT_NE(changes, nullptr);
  EXPECT_EQ(changes->note, "8 message(s)");  // the demo Inbox
  const auto* ping = find_step(r, "Ping");
  ASSERT_NE(ping, nullptr);
  EXPECT_TRUE(ping->ok) << ping->note;
  EXPECT_EQ(ping->note, "held open 1 s");
  // The server saw the phone as the profile describes it (DeviceInformation by Settings).
  const auto d = device_json(server, "WP7DEMO01");
  EXPECT_EQ(d.at("device_type"), "WP");
  EXPECT_EQ(d.at("model"), "HD7 T9292");
  EXPECT_EQ(d.at("policy_application_status"), "AppliedInFull");
  EXPECT_EQ(d.at("policy_applied"), "WP7");
}

// The demo lab's Strict policy reproduces the field failure with no lab file at all.
TEST_F(DeviceFlow, Wp7WithTheDemoStrictPolicyShows86000C2B) {
  test_server server;
  ASSERT_EQ(admin(server, "POST", "/api/v1/exchange", "Set-CASMailbox -Identity alice -ActiveSyncMailboxPolicy Strict",
                  "text/plain")
                .status,
            200);
  const auto r = run_phone(server, "wp7", "alice@lab.test", "WP7DEMO02");
  EXPECT_FALSE(r.syncing) << step_names(r);
  EXPECT_EQ(r.screen.code_text(), "86000C2B");
}

TEST_F(DeviceFlow, Wp7StrictPolicyWithoutAnpShows86000C2B) {
  test_server server(lab(lab_2010(false)));
  const auto r = run_phone(server, "wp7", "alice@lab.test", "WP7STRICT1");
  EXPECT_FALSE(r.syncing) << step_names(r);
  EXPECT_EQ(r.unenforceable, std::vector<std::string>{"RequireDeviceEncryption"});
  EXPECT_EQ(r.ack_status, 2);
  // The acknowledgement reply has no key; WP7 keeps the temporary one and FolderSync gets 144.
  const auto* refused = find_step(r, "FolderSync", 1);
  ASSERT_NE(refused, nullptr) << step_names(r);
  EXPECT_EQ(refused->http_status, 200);
  EXPECT_EQ(refused->eas_status, 144);
  EXPECT_EQ(r.steps.back().name, "FolderSync");
  EXPECT_EQ(r.steps.back().eas_status, 144);
  EXPECT_EQ(r.outcome.kind, phone::outcome_kind::eas_status);
  EXPECT_EQ(r.outcome.status, 144);
  EXPECT_TRUE(r.screen.error);
  EXPECT_EQ(r.screen.code_text(), "86000C2B");
  EXPECT_NE(r.screen.message.find("requires that certain security policies be enforced"), std::string::npos);
  EXPECT_EQ(find_step(r, "Sync (initial)"), nullptr);
}

TEST_F(DeviceFlow, Wp7StrictPolicyWithAnpSyncsPartiallyApplied) {
  test_server server(lab(lab_2010(true)));
  const auto r = run_phone(server, "wp7", "alice@lab.test", "WP7ANP0001");
  EXPECT_TRUE(r.syncing) << step_names(r);
  EXPECT_TRUE(r.partial);
  EXPECT_EQ(r.unenforceable, std::vector<std::string>{"RequireDeviceEncryption"});
  EXPECT_EQ(r.ack_status, 2);
  EXPECT_FALSE(r.screen.error);
  EXPECT_EQ(device_json(server, "WP7ANP0001").at("policy_application_status"), "PartiallyApplied");
}

TEST_F(DeviceFlow, Wm65Gets449AndReprovisions) {
  test_server server(lab(lab_2010(false)));  // wm65 enforces everything, even the strict policy
  const auto r = run_phone(server, "wm65", "alice@lab.test", "WM65DEVICE01");
  ASSERT_TRUE(r.version);
  EXPECT_EQ(*r.version, easemu::protocol_version::v12_1);
  ASSERT_GE(r.steps.size(), 5u) << step_names(r);
  // Below 14.0 the provisioning request travels as HTTP 449 (PROVISIONING.md 1.8, 6).
  const auto* first = find_step(r, "FolderSync");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->http_status, 449);
  EXPECT_EQ(first->eas_status, 0);
  const auto at = std::find_if(r.steps.begin(), r.steps.end(), [](const flow_step& s) { return s.name == "FolderSync"; });
  ASSERT_NE(at + 1, r.steps.end());
  EXPECT_EQ((at + 1)->name, "Provision (download)");
  EXPECT_NE(find_step(r, "Provision (acknowledge 1)"), nullptr) << step_names(r);
  const auto* again = find_step(r, "FolderSync", 1);
  ASSERT_NE(again, nullptr) << step_names(r);
  EXPECT_EQ(again->http_status, 200);
  EXPECT_EQ(again->eas_status, 1);
  EXPECT_TRUE(r.syncing) << step_names(r);
  const auto d = device_json(server, "WM65DEVICE01");  // base64 query: the DeviceId as sent
  EXPECT_EQ(d.at("device_type"), "PocketPC");
  EXPECT_EQ(d.at("policy_application_status"), "AppliedInFull");
}

TEST_F(DeviceFlow, UntrustedCertificateIs80072F0DForWp7) {
  test_server server;
  // The lab CA is not among the public roots: the phone without it does not trust the server.
  const auto r = run_phone(server, "wp7", "alice@lab.test", "", "none");
  EXPECT_FALSE(r.syncing);
  EXPECT_TRUE(r.answered);
  EXPECT_EQ(r.outcome.kind, phone::outcome_kind::certificate_untrusted);
  EXPECT_EQ(r.screen.code_text(), "80072F0D");
  ASSERT_FALSE(r.steps.empty());
  EXPECT_EQ(r.steps.front().name, "Certificate mail.lab.test");
  EXPECT_FALSE(r.steps.front().ok);
  EXPECT_EQ(find_step(r, "FolderSync"), nullptr);

  // The server's certificate faults, switched at run time (docs/certificates.md), for a phone that
  // trusts the lab CA.
  const auto ca = lab_ca(server);
  const std::map<std::string, std::pair<phone::outcome_kind, std::string>> faults = {
      {"untrusted-ca", {phone::outcome_kind::certificate_untrusted, "80072F0D"}},
      {"self-signed", {phone::outcome_kind::certificate_untrusted, "80072F0D"}},
      {"expired", {phone::outcome_kind::certificate_expired, "80072F05"}},
      {"wrong-host", {phone::outcome_kind::certificate_name_mismatch, "80072F06"}},
  };
  for (const auto& [mode, expected] : faults) {
    ASSERT_EQ(admin(server, "PUT", "/api/v1/tls", "{\"mode\": \"" + mode + "\"}").status, 200) << mode;
    const auto f = run_phone(server, "wp7", "alice@lab.test", "", ca);
    EXPECT_EQ(f.outcome.kind, expected.first) << mode << "\n" << step_names(f);
    EXPECT_EQ(f.screen.code_text(), expected.second) << mode;
  }
}

TEST_F(DeviceFlow, TlsFloorRefusesWp7ButNotAndroid) {
  test_server server({"--tls-min-version", "1.2"});
  const auto wp7 = run_phone(server, "wp7");
  EXPECT_EQ(wp7.outcome.kind, phone::outcome_kind::tls_version_refused) << step_names(wp7);
  EXPECT_EQ(wp7.screen.code_text(), "80072F7D");
  const auto android = run_phone(server, "android");
  EXPECT_TRUE(android.syncing) << step_names(android);
}

TEST_F(DeviceFlow, AutodiscoverFindsTheServerThroughPinnedNames) {
  test_server server;
  flow_options f;
  f.profile = *phone::find_profile("ios");
  f.server = "https://mail.lab.test:" + std::to_string(server.https_port);  // gives the port
  f.autodiscover = true;
  f.resolve = {{"lab.test", "127.0.0.1"}, {"mail.lab.test", "127.0.0.1"}};
  f.user = "bob@lab.test";
  f.password = "Passw0rd";
  f.extra_ca_pem = lab_ca(server);
  f.ping_hold = std::chrono::seconds(0);
  const auto r = run_device_flow(f);
  EXPECT_TRUE(r.syncing) << step_names(r);
  const auto* ad = find_step(r, "Autodiscover lab.test");
  ASSERT_NE(ad, nullptr) << step_names(r);
  EXPECT_EQ(ad->http_status, 200);
  EXPECT_EQ(r.eas_url, "https://mail.lab.test:" + std::to_string(server.https_port) + "/Microsoft-Server-ActiveSync");
  EXPECT_EQ(find_step(r, "Ping"), nullptr);  // --ping-hold 0
}

TEST_F(DeviceFlow, PendingRemoteWipeIsAcknowledgedAndReported) {
  test_server server;
  ASSERT_TRUE(run_phone(server, "android", "bob@lab.test", "ANDWIPE01").syncing);
  ASSERT_EQ(admin(server, "POST", "/api/v1/devices/ANDWIPE01/wipe").status, 200);
  const auto r = run_phone(server, "android", "bob@lab.test", "ANDWIPE01");
  EXPECT_EQ(r.outcome.kind, phone::outcome_kind::wiped) << step_names(r);
  EXPECT_FALSE(r.syncing);
  EXPECT_NE(find_step(r, "Provision (RemoteWipe acknowledged)"), nullptr) << step_names(r);
  EXPECT_TRUE(device_json(server, "ANDWIPE01").at("wipe_ack_time").is_string());
}

// ---- the command line ----

TEST(DeviceCli, ExitCodesOutputJsonAndJunit) {
  temp_dir dir;
  test_server server;
  write_file(dir / "ca.pem", lab_ca(server));
  const std::string base = exe + " device --server https://127.0.0.1:" + std::to_string(server.https_port) +
                           " --user alice@lab.test --password Passw0rd --ping-hold 1 --ca " +
                           shell_quote((dir / "ca.pem").string());
  auto ok = run(base + " --profile wp7 --device-id CLIWP7 --junit " + shell_quote((dir / "report.xml").string()));
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("FolderSync"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("is syncing."), std::string::npos) << ok.out;
  const auto report = read_file(dir / "report.xml");
  EXPECT_NE(report.find("<testsuite name=\"easemu device wp7\""), std::string::npos) << report;
  EXPECT_NE(report.find("failures=\"0\""), std::string::npos) << report;
  EXPECT_NE(report.find("name=\"outcome\""), std::string::npos);

  auto j = run(base + " --profile wp7 --json");
  EXPECT_EQ(j.exit_code, 0) << j.err;
  const auto doc = json::parse(j.out).as_object();
  EXPECT_EQ(doc.at("profile"), "wp7");
  EXPECT_EQ(doc.at("protocol_version"), "14.0");
  EXPECT_EQ(doc.at("syncing"), true);
  EXPECT_GE(doc.at("steps").as_array().size(), 8u);

  // The phone shows an error: 1 (here: the lab CA is not installed, 80072F0D).
  auto untrusted = run(exe + " device --server https://127.0.0.1:" + std::to_string(server.https_port) +
                       " --user alice@lab.test --password Passw0rd --profile wp7");
  EXPECT_EQ(untrusted.exit_code, 1);
  EXPECT_NE(untrusted.out.find("Error code: 80072F0D"), std::string::npos) << untrusted.out;

  // Usage errors and nothing answering: 2.
  EXPECT_EQ(run(base + " --profile nokia3310").exit_code, 2);
  EXPECT_EQ(run(exe + " device --user a@lab.test --password x --profile wp7").exit_code, 2);  // no --server
  const auto port = server.https_port;
  server.stop();
  auto closed = run(exe + " device --server https://127.0.0.1:" + std::to_string(port) +
                    " --user alice@lab.test --password Passw0rd --profile wp7");
  EXPECT_EQ(closed.exit_code, 2) << closed.out;
}

// The phone installs the CA as the .cer (DER) it opens from a download or a mail, or as the chain
// (.p7b); PEM stays accepted.
TEST(DeviceCli, CaAcceptsDerAndPkcs7AsWellAsPem) {
  temp_dir dir;
  test_server server;
  const auto download = [&](const std::string& target) {
    client_request r;
    r.tls = false;
    r.target = target;
    return send(server.http_port, r).body;
  };
  write_file(dir / "certnew.cer", download("/certsrv/ca.cer"));
  const auto p7b = download("/certsrv/ca-chain.p7b");
  write_file(dir / "certnew.p7b", p7b);
  // The chain saved as Base 64 text (`openssl pkcs7 -outform PEM`).
  const auto b64 = easemu::common::base64_encode(p7b);
  std::string p7b_pem = "-----BEGIN PKCS7-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) p7b_pem += b64.substr(i, 64) + "\n";
  write_file(dir / "certnew-b64.p7b", p7b_pem + "-----END PKCS7-----\n");
  write_file(dir / "junk.cer", "not a certificate");
  const std::string base = exe + " device --server https://127.0.0.1:" + std::to_string(server.https_port) +
                           " --user alice@lab.test --password Passw0rd --ping-hold 0 --profile wp7 --ca ";
  for (const char* file : {"certnew.cer", "certnew.p7b", "certnew-b64.p7b"}) {
    auto r = run(base + shell_quote((dir / file).string()));
    EXPECT_EQ(r.exit_code, 0) << file << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find("is syncing."), std::string::npos) << file << "\n" << r.out;
  }
  auto junk = run(base + shell_quote((dir / "junk.cer").string()));
  EXPECT_EQ(junk.exit_code, 2) << junk.out << junk.err;
  EXPECT_NE(junk.err.find("no certificate in it"), std::string::npos) << junk.err;
}

TEST(DeviceCli, StrictPolicyShows86000C2BAndTheUnenforcedSetting) {
  temp_dir dir;
  write_file(dir / "lab.yaml", lab_2010(false));
  test_server server({"--config", (dir / "lab.yaml").string()});
  write_file(dir / "ca.pem", lab_ca(server));
  auto r = run(exe + " device --server https://mail.lab.test:" + std::to_string(server.https_port) +
               " --resolve mail.lab.test:127.0.0.1 --user alice@lab.test --password Passw0rd --profile wp7 --ca " +
               shell_quote((dir / "ca.pem").string()));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  // Issue 19: WP7's own "Outlook error" page, as Microsoft's WP7 article quotes it (the old
  // "Sync problem" and half sentence were not what the phone shows).
  EXPECT_NE(r.out.find("The phone shows:\n"
                       "  Outlook error\n"
                       "  mail.lab.test requires that certain security policies be enforced before you can sync your "
                       "information. Contact a support person or your service provider.\n"
                       "  Last tried 0 seconds ago\n"
                       "  Error code: 86000C2B\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Not enforced: RequireDeviceEncryption"), std::string::npos) << r.out;
}

// Each device's own words for a server certificate from a CA it does not trust (the lab CA not
// installed), as `easemu device` prints them.
TEST(DeviceCli, UntrustedCertificateScreensPerDevice) {
  test_server server;
  const std::string base = exe + " device --server https://mail.lab.test:" + std::to_string(server.https_port) +
                           " --resolve mail.lab.test:127.0.0.1 --user alice@lab.test --password Passw0rd --profile ";
  const std::pair<const char*, const char*> expected[] = {
      {"wp7",
       "The phone shows:\n  Outlook error\n"
       "  There's a problem with the certificate for mail.lab.test. Contact a support person or your service provider.\n"
       "  Last tried 0 seconds ago\n  Error code: 80072F0D\n"},
      {"wm65", "The phone shows:\n  ActiveSync\n"},
      {"ios",
       "The phone shows:\n  Cannot Verify Server Identity\n"
       "  Mail can't verify the identity of \"mail.lab.test\". Review the certificate details to continue.\n"},
      {"android", "The phone shows:\n  Setup could not finish\n  Can't connect to mail.lab.test: its certificate is not trusted.\n"},
      {"outlook-mobile", "The phone shows:\n  Connection not secure\n"},
  };
  for (const auto& [profile, screen] : expected) {
    auto r = run(base + profile);
    EXPECT_EQ(r.exit_code, 1) << profile << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find(screen), std::string::npos) << profile << "\n" << r.out;
  }
}

// ---- easemu matrix ----

TEST(Matrix, AllProfilesAgainstThreePoliciesMatchTheTable) {
  temp_dir dir;
  write_file(dir / "lab.yaml",
             "lab:\n  exchange_version: 2010SP1\n"
             "mailboxes:\n  - address: alice@lab.test\n    password: Passw0rd\n    policy: Strict\n"
             "policies:\n"
             "  - Name: Strict\n    RequireDeviceEncryption: $true\n    DevicePasswordEnabled: $true\n"
             "    AllowNonProvisionableDevices: $false\n"
             "  - Name: NoCamera\n    AllowCamera: $false\n    AllowNonProvisionableDevices: $true\n");
  test_server server({"--config", (dir / "lab.yaml").string()});
  write_file(dir / "ca.pem", lab_ca(server));
  const auto start = std::chrono::steady_clock::now();
  auto r = run(exe + " matrix --server https://127.0.0.1:" + std::to_string(server.https_port) + " --admin-token " +
               server.admin_token + " --user alice@lab.test --password Passw0rd --ping-hold 1 --ca " +
               shell_quote((dir / "ca.pem").string()) + " --policies Default,Strict,NoCamera --json");
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_LT(took, std::chrono::seconds(60));
  // By hand, from docs/device-profiles.md against Exchange 2010 SP1 (which offers up to 14.1):
  // Default asks nothing; Strict needs encryption with ANP $false (WP7's 86000C2B story; Outlook
  // desktop never provisions: 141); NoCamera is lenient (ANP $true), so phones that cannot block
  // the camera sync with the policy partially applied. Outlook mobile speaks only 16.x: 138.
  const std::map<std::string, std::vector<std::string>> expected = {
      {"wp7", {"syncs", "rejected (86000C2B)", "partial"}},
      {"wp75", {"syncs", "rejected (86000C2B)", "partial"}},
      {"wp8", {"syncs", "syncs", "partial"}},
      {"wm65", {"syncs", "syncs", "syncs"}},
      {"ios", {"syncs", "syncs", "syncs"}},
      {"android", {"syncs", "syncs", "syncs"}},
      {"outlook-mobile", {"rejected (status 138)", "rejected (status 138)", "rejected (status 138)"}},
      {"outlook-desktop", {"syncs", "rejected (status 141)", "syncs"}},
  };
  const auto doc = json::parse(r.out).as_object();
  std::map<std::string, std::vector<std::string>> got;
  std::map<std::string, std::string> responsible;
  std::set<std::string> device_ids;
  for (const auto& row : doc.at("rows").as_array()) {
    const std::string profile(row.at("profile").as_string());
    for (const auto& c : row.at("cells").as_array()) {
      got[profile].emplace_back(c.at("cell").as_string());
      std::string names;
      for (const auto& s : c.at("responsible").as_array()) names += (names.empty() ? "" : ",") + std::string(s.as_string());
      responsible[profile + "/" + std::string(c.at("policy").as_string())] = names;
      device_ids.insert(std::string(c.at("device_id").as_string()));
    }
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(device_ids.size(), 24u);  // each flow its own device
  EXPECT_EQ(responsible["wp7/Strict"], "RequireDeviceEncryption");
  EXPECT_EQ(responsible["wp7/NoCamera"], "AllowCamera");
  EXPECT_EQ(responsible["wp8/NoCamera"], "AllowCamera");
  EXPECT_EQ(responsible["wp8/Strict"], "");
  EXPECT_EQ(responsible["outlook-desktop/Strict"], "AllowNonProvisionableDevices");
  // The mailbox has its own policy again.
  auto shell = run(exe + " exchange --server http://127.0.0.1:" + std::to_string(server.http_port) + " --admin-token " +
                   server.admin_token + " 'Get-CASMailbox -Identity alice'");
  EXPECT_NE(shell.out.find("ActiveSyncMailboxPolicy            : Strict"), std::string::npos) << shell.out;

  auto md = run(exe + " matrix --server https://127.0.0.1:" + std::to_string(server.https_port) + " --admin-token " +
                server.admin_token + " --user alice@lab.test --password Passw0rd --ping-hold 0 --ca " +
                shell_quote((dir / "ca.pem").string()) + " --profiles wp7 --policies Strict --markdown");
  EXPECT_EQ(md.exit_code, 0) << md.err;
  EXPECT_EQ(md.out, "| Profile | Strict |\n|---|---|\n| `wp7` | rejected (86000C2B)<br>RequireDeviceEncryption |\n");
}

// ---- easemu policy check (offline) ----

TEST(PolicyCheck, Wp7AgainstCmdletTextAndYaml) {
  auto strict = run(exe + " policy check --profile wp7 --exchange "
                          "'New-ActiveSyncMailboxPolicy -Name \"Enc\" -RequireDeviceEncryption $true -DevicePasswordEnabled $true'");
  EXPECT_EQ(strict.exit_code, 1) << strict.out << strict.err;
  EXPECT_NE(strict.out.find("cannot enforce  RequireDeviceEncryption = 1"), std::string::npos) << strict.out;
  EXPECT_NE(strict.out.find("enforced        DevicePasswordEnabled = 1"), std::string::npos) << strict.out;
  EXPECT_NE(strict.out.find("Error code: 86000C2B"), std::string::npos) << strict.out;
  EXPECT_NE(strict.out.find("relax RequireDeviceEncryption"), std::string::npos) << strict.out;

  // With ANP $true the partial acknowledgement is accepted.
  auto lenient = run(exe + " policy check --profile wp7 --json --exchange "
                           "'New-ActiveSyncMailboxPolicy -Name Enc -RequireDeviceEncryption $true "
                           "-AllowNonProvisionableDevices $true'");
  EXPECT_EQ(lenient.exit_code, 0) << lenient.out << lenient.err;
  const auto doc = json::parse(lenient.out).as_object();
  EXPECT_EQ(doc.at("syncs"), true);
  EXPECT_EQ(doc.at("partial"), true);
  EXPECT_EQ(doc.at("ack_status"), 2);
  EXPECT_EQ(doc.at("unenforceable").as_array(), json::array({"RequireDeviceEncryption"}));

  // Exchange 2013 refuses the partial ack: 139 (WP7's 86000C26, PROVISIONING.md 2.4).
  auto e2013 = run(exe + " policy check --profile wp7 --exchange-version 2013 --exchange "
                         "'New-ActiveSyncMailboxPolicy -Name Enc -RequireDeviceEncryption $true'");
  EXPECT_EQ(e2013.exit_code, 1);
  EXPECT_NE(e2013.out.find("Error code: 86000C26"), std::string::npos) << e2013.out;

  // A YAML policy file: Android cannot switch off Bluetooth (docs/device-profiles.md).
  temp_dir dir;
  write_file(dir / "p.yaml", "Name: NoBluetooth\nAllowBluetooth: Disable\nAllowCamera: $false\n");
  auto android = run(exe + " policy check --profile android --json --policy " + shell_quote((dir / "p.yaml").string()));
  EXPECT_EQ(android.exit_code, 1) << android.out << android.err;
  const auto a = json::parse(android.out).as_object();
  EXPECT_EQ(a.at("unenforceable").as_array(), json::array({"AllowBluetooth"}));
  EXPECT_EQ(a.at("smallest_fix").as_array(), json::array({"AllowBluetooth"}));

  // Usage errors.
  EXPECT_EQ(run(exe + " policy check --profile wp7").exit_code, 2);
  EXPECT_EQ(run(exe + " policy check --profile nosuch --exchange 'New-ActiveSyncMailboxPolicy -Name X'").exit_code, 2);
  EXPECT_EQ(run(exe + " policy check --profile wp7 --exchange 'New-ActiveSyncMailboxPolicy -Name X -Bogus 1'").exit_code, 2);
}

}  // namespace

namespace {

// One shell line's result.
json::value exchange_output(const test_server& s, const std::string& line, int expected_status = 200) {
  return exchange(s, line, expected_status).at(0);
}

// Issue 8: the filter people paste, verbatim, over phones that reported themselves.
TEST(DeviceManagement, GetActiveSyncDeviceFilterSelectsTheWindowsPhones) {
  test_server server;
  ASSERT_TRUE(run_phone(server, "wp7", "alice@lab.test", "FILTERWP7").syncing);
  ASSERT_TRUE(run_phone(server, "ios", "alice@lab.test", "FILTERIOS").syncing);
  const auto wp = exchange_output(server, "Get-ActiveSyncDevice -Filter {DeviceOS -like \"*Windows Phone7.0\"}");
  ASSERT_EQ(wp.at("output").as_array().size(), 1u) << wp;
  EXPECT_EQ(wp.at("output").at(0).at("DeviceId"), "FILTERWP7");
  const auto not_wp = exchange_output(server, "Get-MobileDevice -Mailbox alice -Filter {-not (DeviceType -eq 'WP')}");
  ASSERT_EQ(not_wp.at("output").as_array().size(), 1u);
  EXPECT_EQ(not_wp.at("output").at(0).at("DeviceId"), "FILTERIOS");
  const auto both = exchange_output(server, "Get-ActiveSyncDevice -Filter \"DeviceType -eq 'WP' -or DeviceModel -like 'iPhone*'\"");
  EXPECT_EQ(both.at("output").as_array().size(), 2u) << both;
  // What the phone did shows in its statistics: a successful sync, its Ping's heartbeat, one folder.
  const auto stats = exchange_output(server, "Get-ActiveSyncDeviceStatistics -Identity FILTERWP7").at("output").at(0);
  EXPECT_TRUE(stats.at("LastSuccessSync").is_string()) << stats;
  EXPECT_TRUE(stats.at("LastPingHeartbeat").is_number()) << stats;
  EXPECT_GE(stats.at("LastPingHeartbeat").to_number<int>(), 60);
  EXPECT_EQ(stats.at("NumberOfFoldersSynced").to_number<int>(), 1);
  const auto bad = exchange_output(server, "Get-ActiveSyncDevice -Filter {Colour -eq 'red'}", 400);
  EXPECT_NE(std::string(bad.at("error").as_string()).find("Colour"), std::string::npos) << bad;
}

// Issue 8: a rule blocking DeviceType WP blocks a WP7, which shows 129 as its own code.
TEST(DeviceManagement, ABlockRuleStopsTheSimulatedWp7) {
  test_server server;
  exchange_output(server, "New-ActiveSyncDeviceAccessRule -QueryString WP -Characteristic DeviceType -AccessLevel Block");
  const auto r = run_phone(server, "wp7", "alice@lab.test", "BLOCKEDWP7");
  EXPECT_FALSE(r.syncing) << step_names(r);
  EXPECT_EQ(r.screen.code_text(), "86000C1C");  // 0x86000C00 + (129 - 101)
  EXPECT_TRUE(run_phone(server, "android", "alice@lab.test", "ANDROIDOK").syncing);
}

// Issue 20: what the user does once the account syncs, each phone its own way. ios and
// outlook-mobile at 16.1 write a draft with an attachment into Drafts, send it with email2:Send
// (MS-ASEMAIL 2.2.2.69) and search with Find (MS-ASCMD 2.2.1.2); at 16.0 they still send from
// Drafts but search with Search (Find is 16.1 only); the other phones use SendMail (WBXML from
// 14.0, a message/rfc822 body before) and Search.
class UserActions : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new temp_dir;
    write_file(*dir_ / "lab.yaml", "lab:\n  exchange_version: 2019\n");
    server_ = new test_server({"--config", (*dir_ / "lab.yaml").string()});
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  // `from` sends a message with `subject` to `to`, then searches for `search`.
  static flow_result act(const phone::device_profile& p, const std::string& from, const std::string& to,
                         const std::string& subject, const std::string& search) {
    auto f = phone_options(*server_, p, from);
    f.ping_hold = std::chrono::seconds(0);
    if (!to.empty()) {
      outgoing_mail m;
      m.to = to;
      m.subject = subject;
      m.body = "Words for " + subject;
      m.attachment_name = "notes.txt";
      m.attachment = "attached bytes";
      f.send = m;
    }
    f.search = search;
    return run_device_flow(f);
  }
  static std::vector<std::string> user_steps(const flow_result& r) {
    std::vector<std::string> out;
    bool after_sync = false;
    for (const auto& st : r.steps) {
      if (after_sync) out.push_back(st.name + (st.ok ? "" : " !"));
      if (st.name == "Sync (GetChanges)") after_sync = true;
    }
    return out;
  }
  static const phone::device_profile& builtin(const std::string& name) { return *phone::find_profile(name); }
  static phone::device_profile only(const std::string& name, easemu::protocol_version v) {
    auto p = builtin(name);
    p.versions = {v};
    return p;
  }
  static temp_dir* dir_;
  static test_server* server_;
};
temp_dir* UserActions::dir_ = nullptr;
test_server* UserActions::server_ = nullptr;

TEST_F(UserActions, IosAt161WritesADraftSendsItAndBobFindsItWithOutlookMobile) {
  const auto sent = act(builtin("ios"), "alice@lab.test", "bob@lab.test", "Ibisword draft", "");
  ASSERT_TRUE(sent.syncing) << step_names(sent);
  ASSERT_EQ(sent.version, easemu::protocol_version::v16_1);
  EXPECT_EQ(user_steps(sent), (std::vector<std::string>{"Sync (Drafts)", "Sync (draft Add)", "Sync (draft Send)"}))
      << step_names(sent);
  EXPECT_TRUE(sent.sent);
  EXPECT_FALSE(sent.user_action_failed);
  // The server gave the draft a ServerId in Drafts and the attachment a FileReference under it;
  // the Send's answer deleted the draft from Drafts.
  const auto* add = find_step(sent, "Sync (draft Add)");
  ASSERT_NE(add, nullptr);
  EXPECT_NE(add->note.find("attachment "), std::string::npos) << add->note;
  EXPECT_EQ(find_step(sent, "Sync (draft Send)")->note, "sent; the draft left Drafts");

  // bob's Inbox has the message with the attachment's bytes as the phone wrote them.
  const eas_client bob{.port = server_->https_port, .user = "bob", .device_id = "BOBCHECK", .version = "16.1"};
  const auto sync = [&](const std::string& key) {
    return tree_of(bob.post("Sync", "<Sync xmlns=\"AirSync:\"><Collections><Collection><SyncKey>" + key +
                                        "</SyncKey><CollectionId>1</CollectionId><WindowSize>512</WindowSize></Collection>"
                                        "</Collections></Sync>"));
  };
  sync("0");
  const auto inbox = sync("1");
  ASSERT_TRUE(inbox.has_value());
  std::string file_reference;
  for (const auto& add : inbox->child(easemu::wbxml::tag("AirSync:Collections"))->child(easemu::wbxml::tag("AirSync:Collection"))
                             ->child(easemu::wbxml::tag("AirSync:Commands"))->children) {
    const auto* data = add.child(easemu::wbxml::tag("AirSync:ApplicationData"));
    if (data == nullptr || data->child_text(easemu::wbxml::tag("Email:Subject")) != "Ibisword draft") continue;
    const auto* atts = data->child(easemu::wbxml::tag("AirSyncBase:Attachments"));
    ASSERT_NE(atts, nullptr);
    file_reference = atts->child(easemu::wbxml::tag("AirSyncBase:Attachment"))->child_text(easemu::wbxml::tag("AirSyncBase:FileReference"));
  }
  ASSERT_FALSE(file_reference.empty()) << "no Ibisword draft with an attachment in bob's Inbox";
  const auto fetched = tree_of(bob.post(
      "ItemOperations", "<ItemOperations xmlns=\"ItemOperations:\" xmlns:airsyncbase=\"AirSyncBase:\"><Fetch><Store>Mailbox</Store>"
                        "<airsyncbase:FileReference>" + file_reference + "</airsyncbase:FileReference></Fetch></ItemOperations>"));
  ASSERT_TRUE(fetched.has_value());
  const auto* props = fetched->child(easemu::wbxml::tag("ItemOperations:Response"))
                          ->child(easemu::wbxml::tag("ItemOperations:Fetch"))
                          ->child(easemu::wbxml::tag("ItemOperations:Properties"));
  ASSERT_NE(props, nullptr);
  EXPECT_EQ(props->child_text(easemu::wbxml::tag("ItemOperations:Data")), easemu::common::base64_encode("attached bytes"));

  const auto found = act(builtin("outlook-mobile"), "bob@lab.test", "", "", "ibisword");
  EXPECT_EQ(user_steps(found), (std::vector<std::string>{"Find"})) << step_names(found);
  EXPECT_EQ(found.found, 1) << step_names(found);
  EXPECT_EQ(act(builtin("outlook-mobile"), "bob@lab.test", "", "", "nosuchwordanywhere").found, 0);
}

TEST_F(UserActions, OutlookMobileAt160SendsFromDraftsAndSearchesWithSearch) {
  const auto r = act(only("outlook-mobile", easemu::protocol_version::v16_0), "bob@lab.test", "alice@lab.test",
                     "Heronword sixteen", "heronword");
  ASSERT_TRUE(r.syncing) << step_names(r);
  EXPECT_EQ(user_steps(r), (std::vector<std::string>{"Sync (Drafts)", "Sync (draft Add)", "Sync (draft Send)", "Search"}))
      << step_names(r);
  EXPECT_TRUE(r.sent);
  EXPECT_GE(r.found.value_or(0), 1);  // bob's Sent Items copy
  // alice has it in her Inbox.
  EXPECT_EQ(act(builtin("ios"), "alice@lab.test", "", "", "heronword").found, 1);
}

TEST_F(UserActions, OtherPhonesUseSendMailAndSearch) {
  // android speaks 14.1 (WBXML SendMail), wm65 12.1 (the message as the body).
  for (const auto& [profile, word] : {std::pair<std::string, std::string>{"android", "Ospreyword"}, {"wm65", "Kestrelword"}}) {
    const auto r = act(builtin(profile), "alice@lab.test", "bob@lab.test", word + " " + profile, "");
    ASSERT_TRUE(r.syncing) << profile << "\n" << step_names(r);
    EXPECT_EQ(user_steps(r), (std::vector<std::string>{"SendMail"})) << profile << "\n" << step_names(r);
    EXPECT_TRUE(r.sent) << profile;
    const auto seen = act(builtin(profile), "bob@lab.test", "", "", word);
    EXPECT_EQ(user_steps(seen), (std::vector<std::string>{"Search"})) << profile << "\n" << step_names(seen);
    EXPECT_EQ(seen.found, 1) << profile << "\n" << step_names(seen);
  }
}

TEST_F(UserActions, ARefusedDraftIsAFailedStepAndTheAccountStillSyncs) {
  // An attachment over the server's limit: the Add's Status 122 (MS-ASCMD 2.2.2 AttachmentIsTooLarge).
  auto f = phone_options(*server_, builtin("ios"), "alice@lab.test");
  f.ping_hold = std::chrono::seconds(0);
  outgoing_mail m;
  m.to = "bob@lab.test";
  m.subject = "too big";
  m.attachment_name = "big.bin";
  m.attachment = std::string(10 * 1024 * 1024 + 1, 'z');
  f.send = m;
  f.timeout = std::chrono::seconds(60);
  const auto r = run_device_flow(f);
  EXPECT_TRUE(r.syncing) << step_names(r);
  EXPECT_FALSE(r.sent);
  EXPECT_TRUE(r.user_action_failed);
  const auto* add = find_step(r, "Sync (draft Add)");
  ASSERT_NE(add, nullptr) << step_names(r);
  EXPECT_FALSE(add->ok);
  EXPECT_EQ(add->eas_status, 122);
}

TEST(DeviceCli, SendToAndSearchAreTheUsersActions) {
  test_server server;
  temp_dir dir;
  write_file(dir / "ca.pem", lab_ca(server));
  write_file(dir / "notes.txt", "lab notes");
  const std::string base = exe + " device --server https://127.0.0.1:" + std::to_string(server.https_port) +
                           " --user alice@lab.test --password Passw0rd --profile ios --ping-hold 0 --send-to bob@lab.test";
  const auto r = run(base + " --ca " + shell_quote((dir / "ca.pem").string()) + " --subject 'Grebeword report' --attach " +
                     shell_quote((dir / "notes.txt").string()) + " --search grebeword --json");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto doc = json::parse(r.out).as_object();
  EXPECT_EQ(doc.at("sent").as_bool(), true);
  EXPECT_EQ(doc.at("found").as_int64(), 1);  // alice's Sent Items copy
  EXPECT_EQ(doc.at("user_action_failed").as_bool(), false);
  // A file that cannot be read is a usage error before anything is sent.
  const auto bad = run(base + " --attach " + shell_quote((dir / "missing").string()));
  EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;
}

// ---- Issue 18: what the device list records per case ----
// Per case, what Exchange has been told when the administrator looks (docs/provisioning.md,
// "What the device list records"): DeviceInformation comes in Settings before FolderSync so that
// the server can decide access with it (MS-ASCMD 3.1.5.2; 14.0 and below), or in the initial
// Provision (MS-ASPROV 2.2.2.53, stored by 3.2.5.1.1; 14.1 and later); while access rules exist
// and it has not come, the device is in DeviceDiscovery, where Provision and Settings run.

const char* const article_filter = "Get-ActiveSyncDevice -Filter {DeviceOS -like \"*Windows Phone7.0\"}";

json::object only_device(const json::value& result) {
  const auto& out = result.at("output").as_array();
  EXPECT_EQ(out.size(), 1u) << result;
  return out.empty() ? json::object{} : out.at(0).as_object();
}

// The article's demo: a WP7 blocked by a DeviceType rule is listed by its filter, Blocked.
TEST(DeviceList, AWp7BlockedByADeviceTypeRuleIsListedByTheArticlesFilter) {
  test_server server;
  exchange_output(server, "New-ActiveSyncDeviceAccessRule -QueryString WP -Characteristic DeviceType -AccessLevel Block");
  const auto r = run_phone(server, "wp7", "alice@lab.test", "ARTICLEWP7");
  EXPECT_FALSE(r.syncing) << step_names(r);
  EXPECT_EQ(r.screen.code_text(), "86000C1C") << step_names(r);
  // DeviceDiscovery let the phone provision and report itself; the FolderSync after it is refused.
  const auto* settings = find_step(r, "Settings (DeviceInformation)");
  ASSERT_NE(settings, nullptr) << step_names(r);
  EXPECT_EQ(settings->eas_status, 1);
  EXPECT_EQ(r.steps.back().name, "FolderSync");
  EXPECT_EQ(r.steps.back().eas_status, 129);
  const auto d = only_device(exchange_output(server, article_filter));
  EXPECT_EQ(d.at("DeviceId"), "ARTICLEWP7");
  EXPECT_EQ(d.at("DeviceOS"), "Windows Phone7.0");
  EXPECT_EQ(d.at("DeviceModel"), "HD7 T9292");
  EXPECT_EQ(d.at("DeviceAccessState"), "Blocked");
  EXPECT_EQ(d.at("DeviceAccessStateReason"), "DeviceRule");
  EXPECT_EQ(d.at("DeviceAccessControlRule"), "WP (DeviceType)");
  // The article's next step, -Filter on the access state, finds the same phone.
  const auto blocked = exchange_output(server, "Get-ActiveSyncDevice -Filter {DeviceAccessState -eq 'Blocked'}");
  EXPECT_EQ(only_device(blocked).at("DeviceId"), "ARTICLEWP7");
}

// A Quarantine rule: the same, Quarantined; the phone syncs only the notice.
TEST(DeviceList, AWp7QuarantinedByARuleShowsItsDeviceOs) {
  test_server server;
  exchange_output(server, "New-ActiveSyncDeviceAccessRule -QueryString WP -Characteristic DeviceType -AccessLevel Quarantine");
  const auto r = run_phone(server, "wp7", "alice@lab.test", "QUARWP7");
  const auto d = only_device(exchange_output(server, article_filter));
  EXPECT_EQ(d.at("DeviceId"), "QUARWP7");
  EXPECT_EQ(d.at("DeviceAccessState"), "Quarantined") << step_names(r);
  EXPECT_EQ(d.at("DeviceAccessStateReason"), "DeviceRule");
}

// 14.1: DeviceInformation travels in the Provision, so WP7.5 and WP8 blocked by a rule show it.
TEST(DeviceList, Wp75AndWp8BlockedByRulesShowTheirDeviceOs) {
  test_server server;
  exchange_output(server,
                  "New-ActiveSyncDeviceAccessRule -QueryString WP -Characteristic DeviceType -AccessLevel Block\n"
                  "New-ActiveSyncDeviceAccessRule -QueryString WP8 -Characteristic DeviceType -AccessLevel Block");
  const auto wp75 = run_phone(server, "wp75", "alice@lab.test", "BLOCKWP75");
  EXPECT_EQ(wp75.screen.code_text(), "86000C1C") << step_names(wp75);
  const auto wp8 = run_phone(server, "wp8", "alice@lab.test", "BLOCKWP8");
  EXPECT_FALSE(wp8.syncing) << step_names(wp8);
  const auto a = only_device(exchange_output(server, "Get-ActiveSyncDevice -Identity BLOCKWP75"));
  EXPECT_EQ(a.at("DeviceOS"), "Windows Phone7.10.7720");
  EXPECT_EQ(a.at("DeviceModel"), "Lumia 800");
  EXPECT_EQ(a.at("DeviceAccessState"), "Blocked");
  const auto b = only_device(exchange_output(server, "Get-ActiveSyncDevice -Filter {DeviceOS -like 'Windows Phone8*'}"));
  EXPECT_EQ(b.at("DeviceId"), "BLOCKWP8");
  EXPECT_EQ(b.at("DeviceAccessState"), "Blocked");
  EXPECT_EQ(b.at("DeviceAccessControlRule"), "WP8 (DeviceType)");
}

// The mailbox's block list decides before anything (Exchange's step 1): the phone is refused at
// its first request and has reported nothing, so DeviceOS is empty and only DeviceType finds it.
TEST(DeviceList, AWp7OnTheBlockListHasNoDeviceOs) {
  test_server server;
  exchange_output(server, "Set-CASMailbox -Identity alice -ActiveSyncBlockedDeviceIDs 'LISTEDWP7'");
  const auto r = run_phone(server, "wp7", "alice@lab.test", "LISTEDWP7");
  EXPECT_EQ(r.screen.code_text(), "86000C1C") << step_names(r);
  EXPECT_EQ(r.steps.back().name, "FolderSync");  // the first command, refused
  EXPECT_TRUE(exchange_output(server, article_filter).at("output").as_array().empty());
  const auto d = only_device(exchange_output(server, "Get-ActiveSyncDevice -Filter {DeviceType -eq 'WP'}"));
  EXPECT_EQ(d.at("DeviceOS"), "");
  EXPECT_EQ(d.at("DeviceUserAgent"), "MSFT-WP/7.0.7004");
  EXPECT_EQ(d.at("DeviceAccessState"), "Blocked");
  EXPECT_EQ(d.at("DeviceAccessStateReason"), "Individual");
}

// Refused by policy (86000C2B): at 14.0 the phone sends DeviceInformation only once provisioned
// (MS-ASCMD 3.1.5.2), and its Settings carries the temporary key (144): nothing is recorded. At
// 14.1 the refused Provision carried it, and it is recorded. Access is not involved: Allowed.
TEST_F(DeviceFlow, RefusedByPolicyWp7HasNoDeviceOsWp75AndWp8Have) {
  test_server server(lab(lab_2010(false) +
                         "  - Name: NoCamera\n    AllowCamera: $false\n    AllowNonProvisionableDevices: $false\n"));
  const auto wp7 = run_phone(server, "wp7", "alice@lab.test", "POLWP7");
  EXPECT_EQ(wp7.screen.code_text(), "86000C2B") << step_names(wp7);
  const auto* settings = find_step(wp7, "Settings (DeviceInformation)");
  ASSERT_NE(settings, nullptr) << step_names(wp7);
  EXPECT_EQ(settings->eas_status, 144);
  const auto a = only_device(exchange_output(server, "Get-ActiveSyncDevice -Identity POLWP7"));
  EXPECT_EQ(a.at("DeviceOS"), "");
  EXPECT_EQ(a.at("DeviceAccessState"), "Allowed");
  const auto wp75 = run_phone(server, "wp75", "alice@lab.test", "POLWP75");
  EXPECT_EQ(wp75.screen.code_text(), "86000C2B") << step_names(wp75);
  const auto b = only_device(exchange_output(server, "Get-ActiveSyncDevice -Identity POLWP75"));
  EXPECT_EQ(b.at("DeviceOS"), "Windows Phone7.10.7720");
  EXPECT_EQ(b.at("DeviceAccessState"), "Allowed");
  // WP8 encrypts; a policy without the camera refuses it.
  exchange_output(server, "Set-CASMailbox -Identity alice -ActiveSyncMailboxPolicy NoCamera");
  const auto wp8 = run_phone(server, "wp8", "alice@lab.test", "POLWP8");
  EXPECT_FALSE(wp8.syncing) << step_names(wp8);
  const auto c = only_device(exchange_output(server, "Get-ActiveSyncDevice -Identity POLWP8"));
  EXPECT_EQ(c.at("DeviceOS"), "Windows Phone8.0.10211");
  EXPECT_EQ(c.at("DeviceModel"), "Lumia 920");
}

}  // namespace
