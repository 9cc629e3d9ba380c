// End-to-end: Exchange Management Shell lines from the lab file, `easemu exchange` and
// POST /api/v1/exchange configure a running server, and phones see the change.
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

const std::string exe = EASEMU_EXE;

const char* wp7_lines =
    "  New-ActiveSyncMailboxPolicy -Name \"My WP7 Policy\" -AllowNonProvisionableDevices $false "
    "-DevicePasswordEnabled $false -MinDevicePasswordLength $null -MaxInactivityTimeDeviceLock unlimited "
    "-MaxDevicePasswordFailedAttempts unlimited -AllowSimpleDevicePassword $true -DevicePasswordExpiration unlimited "
    "-DevicePasswordHistory 0 -AllowStorageCard $true -AllowIrDA $true -AllowDesktopSync $true -AllowRemoteDesktop "
    "$true -AllowInternetSharing $true\n"
    "  Set-CASMailbox -Identity alice -ActiveSyncEnabled $true -ActiveSyncMailboxPolicy \"My WP7 Policy\"\n";

// FolderSync from a phone that never provisions: 141 when the policy wants provisioning, 1 (the
// hierarchy) when it does not.
std::string folder_sync_without_key(const test_server& s, const std::string& user) {
  const eas_client phone{
      .port = s.https_port, .user = user, .device_id = "NOPROV1", .device_type = "Legacy", .version = "14.0"};
  const auto res = phone.post("FolderSync", "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>");
  const auto back = tree_of(res);
  return back ? status_of(*back) : "HTTP " + std::to_string(res.status);
}

TEST(ExchangeShell, LabFileLinesThenTheCliThenTheApi) {
  temp_dir dir;
  const auto lab = (dir / "lab.yaml").string();
  write_file(lab, std::string("exchange_commands: |\n") + wp7_lines);
  test_server server({"--config", lab});
  EXPECT_EQ(folder_sync_without_key(server, "alice"), "141");  // My WP7 Policy: ANP $false
  EXPECT_EQ(folder_sync_without_key(server, "bob"), "1");    // Default: ANP $true

  const auto base = "--server http://127.0.0.1:" + std::to_string(server.http_port) + " --admin-token " + server.admin_token;
  auto set = run(exe + " exchange " + base +
                 " 'Set-ActiveSyncMailboxPolicy -Identity \"My WP7 Policy\" -AllowNonProvisionableDevices $true'");
  EXPECT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(folder_sync_without_key(server, "alice"), "1");
  auto get = run(exe + " exchange " + base, "Get-ActiveSyncMailboxPolicy 'My WP7 Policy'\n");  // lines on stdin
  EXPECT_EQ(get.exit_code, 0) << get.err;
  EXPECT_NE(get.out.find("AllowNonProvisionableDevices"), std::string::npos) << get.out;
  EXPECT_NE(get.out.find(": True"), std::string::npos);
  auto bad = run(exe + " exchange " + base + " 'Set-CASMailbox alice -Frobnicate 1'");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("A parameter cannot be found that matches parameter name 'Frobnicate'."), std::string::npos)
      << bad.err;

  auto api = admin_request(server, "POST", "/api/v1/exchange",
                           "Set-CASMailbox bob -ActiveSyncEnabled $false\nGet-CASMailbox bob", "text/plain");
  auto ok = send(server.http_port, api);
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto json = boost::json::parse(ok.body);
  EXPECT_EQ(json.at("results").at(1).at("output").at(0).at("ActiveSyncEnabled"), false);
  EXPECT_EQ(folder_sync_without_key(server, "bob"), "126");  // UserDisabledForSync
  api.body = "Get-ActiveSyncMailboxPolicy Nope";
  auto failed = send(server.http_port, api);
  EXPECT_EQ(failed.status, 400);
  EXPECT_EQ(boost::json::parse(failed.body).at("results").at(0).at("ok"), false);
  api.headers[0].second = "Bearer wrong";
  EXPECT_EQ(send(server.http_port, api).status, 401);
}

TEST(ExchangeShell, ABadLabFileLineStopsTheStart) {
  temp_dir dir;
  const auto lab = (dir / "lab.yaml").string();
  write_file(lab, "exchange_commands: |\n  New-ActiveSyncMailboxPolicy -Name P -AllowCamera perhaps\n");
  test_server server({"--config", lab}, false);
  EXPECT_EQ(server.stop(false), 1);
  EXPECT_NE(server.log().find("exchange_commands: New-ActiveSyncMailboxPolicy -Name P -AllowCamera perhaps: Cannot bind "
                              "parameter 'AllowCamera'"),
            std::string::npos)
      << server.log();
}

TEST(ExchangeShell, RunTimeChangesSurviveARestartUntilTheLabFileChanges) {
  temp_dir dir;
  const auto lab = (dir / "lab.yaml").string();
  write_file(lab, std::string("exchange_commands: |\n") + wp7_lines);
  const std::vector<std::string> args = {"--config", lab, "--data-dir", (dir / "data").string()};
  {
    test_server server(args);
    EXPECT_EQ(folder_sync_without_key(server, "alice"), "141");
    auto set = run(exe + " exchange --server http://127.0.0.1:" + std::to_string(server.http_port) + " --admin-token " +
                   server.admin_token + " 'Set-ActiveSyncMailboxPolicy \"My WP7 Policy\" -AllowNonProvisionableDevices $true'");
    ASSERT_EQ(set.exit_code, 0) << set.err;
    EXPECT_EQ(folder_sync_without_key(server, "alice"), "1");
  }
  {
    test_server server(args);  // the same lab file: the run-time change stays
    EXPECT_EQ(folder_sync_without_key(server, "alice"), "1");
    EXPECT_NE(server.log().find("lab file unchanged"), std::string::npos);
  }
  write_file(lab, std::string("# edited\nexchange_commands: |\n") + wp7_lines + "  Set-CASMailbox bob -ActiveSyncEnabled $true\n");
  test_server server(args);  // an edited lab file is the desired state again
  EXPECT_EQ(folder_sync_without_key(server, "alice"), "141");
}

}  // namespace
