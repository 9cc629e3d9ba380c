// End-to-end provisioning over TLS against the real server: policy download, acknowledgement,
// the policy-key gate on the next command (the Windows Phone 7 case under Exchange 2010 SP1 and
// 2013), HTTP 449 for 12.1, a policy change, remote wipe, and keys that survive a restart.
#include <gtest/gtest.h>

#include <boost/json.hpp>

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

std::string lab_file(const char* exchange, bool anp) {
  return std::string("lab:\n  exchange_version: ") + exchange +
         "\nmailboxes:\n  - address: alice@lab.test\n    password: Passw0rd\n    policy: Strict\n"
         "  - address: bob@lab.test\n    password: Passw0rd\n"
         "policies:\n  - Name: Strict\n    RequireDeviceEncryption: $true\n    DevicePasswordEnabled: $true\n"
         "    AllowNonProvisionableDevices: " + (anp ? "$true" : "$false") + "\n";
}

// One simulated phone: alice's Windows Phone 7, plain query, X-MS-PolicyKey when it holds a key.
struct phone : eas_client {
  explicit phone(const test_server& s)
      : eas_client{.port = s.https_port, .device_id = "WP7DEVICE01", .device_type = "WP",
                   .user_agent = "MSFT-WP/7.10.8107"} {}

  // The FolderSync status (1: through the gate, the hierarchy came), or the HTTP status when there
  // is no body.
  std::string folder_sync() const {
    const auto r = post("FolderSync", "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>");
    if (r.body.empty()) return "HTTP " + std::to_string(r.status);
    auto tree = tree_of(r);
    if (!tree) return "undecodable";
    return folder_status(std::stoi(std::string(tree->child_text(wbxml::tag("FolderHierarchy:Status"), "0"))));
  }

  static std::string folder_status(int status) {
    return "<FolderSync xmlns=\"FolderHierarchy:\"><Status>" + std::to_string(status) + "</Status></FolderSync>";
  }

  std::string download() {
    std::string info = version == "14.1" || version == "16.1"
                           ? "<settings:DeviceInformation><settings:Set><settings:Model>Lumia 800</settings:Model>"
                             "<settings:OS>Windows Phone 7.5</settings:OS></settings:Set></settings:DeviceInformation>"
                           : "";
    auto r = post("Provision", "<Provision xmlns=\"Provision:\" xmlns:settings=\"Settings:\">" + info +
                                   "<Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType></Policy>"
                                   "</Policies></Provision>");
    return xml_of(r);
  }

  std::string acknowledge(const std::string& temporary, int status) {
    return xml_of(post("Provision", "<Provision xmlns=\"Provision:\"><Policies><Policy><PolicyType>"
                                    "MS-EAS-Provisioning-WBXML</PolicyType><PolicyKey>" + temporary +
                                    "</PolicyKey><Status>" + std::to_string(status) +
                                    "</Status></Policy></Policies></Provision>"));
  }
};

std::string between(const std::string& s, const std::string& open, const std::string& close) {
  const auto a = s.find(open);
  if (a == std::string::npos) return {};
  const auto b = s.find(close, a + open.size());
  return s.substr(a + open.size(), b - a - open.size());
}

std::string folder_status(int status) { return phone::folder_status(status); }

class Provisioning : public ::testing::Test {
 protected:
  std::vector<std::string> lab(const char* exchange, bool anp) {
    const auto path = (dir / (std::string(exchange) + (anp ? "-anp" : "") + ".yaml")).string();
    write_file(path, lab_file(exchange, anp));
    return {"--config", path, "--data-dir", (dir / "data").string()};
  }
  temp_dir dir;
};

TEST_F(Provisioning, PartialAcknowledgementOn2010Gives144ThenAnpLetsItSync) {
  test_server server(lab("2010SP1", false));
  phone wp7{server};
  EXPECT_EQ(wp7.folder_sync(), folder_status(141));  // no key, ANP off
  wp7.policy_key = "0";
  EXPECT_EQ(wp7.folder_sync(), folder_status(142));  // never provisioned
  const auto phase1 = wp7.download();
  const auto temporary = between(phase1, "<PolicyKey>", "</PolicyKey>");
  ASSERT_FALSE(temporary.empty()) << phase1;
  EXPECT_NE(phase1.find("<RequireDeviceEncryption>1</RequireDeviceEncryption>"), std::string::npos);
  // Windows Phone 7 cannot encrypt: Status 2. Exchange 2010 answers without a key.
  const auto ack = wp7.acknowledge(temporary, 2);
  EXPECT_EQ(ack, "<Provision xmlns=\"Provision:\"><Status>1</Status><Policies><Policy><PolicyType>"
                 "MS-EAS-Provisioning-WBXML</PolicyType><Status>1</Status></Policy></Policies></Provision>");
  wp7.policy_key = temporary;  // WP7 goes on with the temporary key: 86000C2B
  EXPECT_EQ(wp7.folder_sync(), folder_status(144));
  wp7.policy_key.reset();
  EXPECT_EQ(wp7.folder_sync(), folder_status(141));
  auto d = device_json(server, "WP7DEVICE01");
  EXPECT_EQ(d["policy_application_status"], "PartiallyApplied");
  EXPECT_EQ(d["model"], "Lumia 800");

  // The same lab with AllowNonProvisionableDevices $true: the partial ack gets a key and syncs.
  server.stop();
  test_server lenient(lab("2010SP1", true));
  phone again{lenient};
  again.policy_key = "0";
  const auto t2 = between(again.download(), "<PolicyKey>", "</PolicyKey>");
  const auto permanent = between(again.acknowledge(t2, 2), "<PolicyKey>", "</PolicyKey>");
  ASSERT_FALSE(permanent.empty());
  again.policy_key = permanent;
  EXPECT_EQ(again.folder_sync(), folder_status(1));  // through the gate
}

TEST_F(Provisioning, PartialAcknowledgementOn2013Is139) {
  test_server server(lab("2013", false));
  phone wp7{server};
  wp7.policy_key = "0";
  const auto temporary = between(wp7.download(), "<PolicyKey>", "</PolicyKey>");
  EXPECT_EQ(wp7.acknowledge(temporary, 2), "<Provision xmlns=\"Provision:\"><Status>139</Status></Provision>");
}

TEST_F(Provisioning, Version121GetsHttp449And403) {
  test_server server(lab("2010SP1", false));
  phone old{server};
  old.version = "12.1";
  old.device_id = "ANDROID121";
  old.policy_key = "0";
  EXPECT_EQ(old.folder_sync(), "HTTP 449");
  old.policy_key.reset();
  EXPECT_EQ(old.folder_sync(), "HTTP 403");  // 141
  old.policy_key = "0";
  const auto temporary = between(old.download(), "<PolicyKey>", "</PolicyKey>");
  old.policy_key = between(old.acknowledge(temporary, 1), "<PolicyKey>", "</PolicyKey>");
  ASSERT_FALSE(old.policy_key->empty());
  EXPECT_EQ(old.folder_sync(), folder_status(1));  // through the gate
}

TEST_F(Provisioning, KeysSurviveARestartAndAPolicyChangeAsksAgain) {
  std::string permanent;
  {
    test_server server(lab("2010SP1", true));
    phone p{server};
    p.policy_key = "0";
    const auto temporary = between(p.download(), "<PolicyKey>", "</PolicyKey>");
    permanent = between(p.acknowledge(temporary, 1), "<PolicyKey>", "</PolicyKey>");
    p.policy_key = permanent;
    EXPECT_EQ(p.folder_sync(), folder_status(1));
  }
  {
    test_server server(lab("2010SP1", true));  // same data dir and lab file
    phone p{server};
    p.policy_key = permanent;
    EXPECT_EQ(p.folder_sync(), folder_status(1));
  }
  // The policy changes (the lab file now also blocks the camera): the key is stale.
  const auto path = (dir / "changed.yaml").string();
  write_file(path, lab_file("2010SP1", true) + "    AllowCamera: $false\n");
  test_server server({"--config", path, "--data-dir", (dir / "data").string()});
  phone p{server};
  p.policy_key = permanent;
  EXPECT_EQ(p.folder_sync(), folder_status(144));
  const auto download = p.download();
  EXPECT_NE(download.find("<AllowCamera>0</AllowCamera>"), std::string::npos);
  p.policy_key = between(p.acknowledge(between(download, "<PolicyKey>", "</PolicyKey>"), 1), "<PolicyKey>", "</PolicyKey>");
  EXPECT_EQ(p.folder_sync(), folder_status(1));
}

TEST_F(Provisioning, RemoteWipeFlow) {
  test_server server(lab("2013", true));
  phone p{server};
  p.policy_key = "0";
  const auto temporary = between(p.download(), "<PolicyKey>", "</PolicyKey>");
  p.policy_key = between(p.acknowledge(temporary, 1), "<PolicyKey>", "</PolicyKey>");
  auto wipe = admin_request(server, "POST", "/api/v1/devices/WP7DEVICE01/wipe");
  auto requested = send(server.http_port, wipe);
  ASSERT_EQ(requested.status, 200) << requested.body;
  EXPECT_EQ(p.folder_sync(), folder_status(140));
  EXPECT_EQ(xml_of(p.post("Provision", "<Provision xmlns=\"Provision:\"/>")),
            "<Provision xmlns=\"Provision:\"><Status>1</Status><RemoteWipe/></Provision>");
  EXPECT_EQ(xml_of(p.post("Provision", "<Provision xmlns=\"Provision:\"><RemoteWipe><Status>1</Status></RemoteWipe>"
                                         "</Provision>")),
            "<Provision xmlns=\"Provision:\"><Status>1</Status></Provision>");
  auto d = device_json(server, "WP7DEVICE01");
  EXPECT_TRUE(d["wipe_request_time"].is_string());
  EXPECT_TRUE(d["wipe_sent_time"].is_string());
  EXPECT_TRUE(d["wipe_ack_time"].is_string());
  // Account-only wipes need EAS 16.1.
  wipe.body = "{\"account_only\": true}";
  EXPECT_EQ(send(server.http_port, wipe).status, 400);
  wipe.target = "/api/v1/devices/NOSUCH/wipe";
  EXPECT_EQ(send(server.http_port, wipe).status, 404);
}

}  // namespace
