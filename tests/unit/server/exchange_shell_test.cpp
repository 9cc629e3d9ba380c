// The Exchange Management Shell executor over an in-memory store: policies, CAS mailboxes and
// device cmdlets, with Exchange's identities and PowerShell-like errors.
#include "easemu/server/exchange_shell.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "easemu/provisioning/policy.hpp"
#include "shell_fixture.hpp"

namespace {

using namespace easemu;
using server::shell_result;
using easemu::test::Shell;

TEST_F(Shell, TheIssuesTwoLinesConfigureThePolicyAndTheMailbox) {
  const auto results = run(
      "New-ActiveSyncMailboxPolicy -Name \"My WP7 Policy\" -AllowNonProvisionableDevices $false -DevicePasswordEnabled $false "
      "-MinDevicePasswordLength $null -MaxInactivityTimeDeviceLock unlimited -MaxDevicePasswordFailedAttempts unlimited "
      "-AllowSimpleDevicePassword $true -DevicePasswordExpiration unlimited -DevicePasswordHistory 0 -AllowStorageCard $true "
      "-AllowIrDA $true -AllowDesktopSync $true -AllowRemoteDesktop $true -AllowInternetSharing $true\n"
      "Set-CASMailbox -Identity alice -ActiveSyncEnabled $true -ActiveSyncMailboxPolicy \"My WP7 Policy\"\n");
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].ok) << results[0].error;
  EXPECT_TRUE(results[1].ok) << results[1].error;
  const auto& created = results[0].output.at(0).as_object();
  EXPECT_EQ(created.at("Name"), "My WP7 Policy");
  EXPECT_EQ(created.at("AllowNonProvisionableDevices"), "False");
  EXPECT_EQ(created.at("MaxInactivityTimeDeviceLock"), "Unlimited");
  // alice now gets it; bob keeps the default.
  EXPECT_EQ(prov->policy_for("alice@lab.test")->name, "My WP7 Policy");
  EXPECT_FALSE(prov->policy_for("alice@lab.test")->flag(provisioning::setting::AllowNonProvisionableDevices));
  EXPECT_EQ(prov->policy_for("bob@lab.test")->name, "Default");
  const auto cas = one("Get-CASMailbox alice");
  EXPECT_EQ(cas.output.at(0).at("ActiveSyncMailboxPolicy"), "My WP7 Policy");
}

TEST_F(Shell, NewPolicyDefaultsPerCmdletAndGetUsesEachVersionsNames) {
  ASSERT_TRUE(one("New-ActiveSyncMailboxPolicy Old").ok);
  ASSERT_TRUE(one("New-MobileDeviceMailboxPolicy -Name New -PasswordEnabled $true -MaxInactivityTimeLock 00:10:00").ok);
  const auto old_one = one("Get-ActiveSyncMailboxPolicy -Identity old").output.at(0).as_object();
  EXPECT_EQ(old_one.at("AllowNonProvisionableDevices"), "False");
  EXPECT_TRUE(old_one.contains("DevicePasswordEnabled"));
  const auto new_one = one("Get-MobileDeviceMailboxPolicy New").output.at(0).as_object();
  EXPECT_EQ(new_one.at("AllowNonProvisionableDevices"), "True");  // the 2013+ cmdlet's default
  EXPECT_EQ(new_one.at("PasswordEnabled"), "True");
  EXPECT_EQ(new_one.at("MaxInactivityTimeLock"), "00:10:00");
  EXPECT_EQ(one("Get-ActiveSyncMailboxPolicy").output.size(), 3u);
}

TEST_F(Shell, SetRenameRemoveAndDefault) {
  ASSERT_TRUE(one("New-ActiveSyncMailboxPolicy -Name P1").ok);
  ASSERT_TRUE(one("Set-CASMailbox bob -ActiveSyncMailboxPolicy P1").ok);
  ASSERT_TRUE(one("Set-ActiveSyncMailboxPolicy P1 -Name Renamed -AllowCamera:$false").ok);
  EXPECT_EQ(prov->policy_for("bob@lab.test")->name, "Renamed");  // the assignment follows
  EXPECT_FALSE(prov->policy_for("bob@lab.test")->flag(provisioning::setting::AllowCamera));
  ASSERT_TRUE(one("Set-ActiveSyncMailboxPolicy Renamed -IsDefaultPolicy $true").ok);
  EXPECT_EQ(prov->policy_for("alice@lab.test")->name, "Renamed");  // the only default now
  EXPECT_FALSE(one("Remove-ActiveSyncMailboxPolicy Renamed -Confirm:$false").ok);  // it is the default
  ASSERT_TRUE(one("Set-ActiveSyncMailboxPolicy Default -IsDefaultPolicy $true").ok);
  ASSERT_TRUE(one("Remove-ActiveSyncMailboxPolicy Renamed -Confirm:$false").ok);
  EXPECT_EQ(prov->policy_for("bob@lab.test")->name, "Default");
  // -WhatIf changes nothing.
  const auto what_if = one("New-ActiveSyncMailboxPolicy Ghost -WhatIf");
  EXPECT_TRUE(what_if.ok);
  EXPECT_FALSE(one("Get-ActiveSyncMailboxPolicy Ghost").ok);
}

TEST_F(Shell, ErrorsNameTheProblemLikePowerShell) {
  EXPECT_EQ(one("New-ActiveSyncMailboxPolicy -Name X -Colour blue").error,
            "A parameter cannot be found that matches parameter name 'Colour'.");
  EXPECT_EQ(one("New-ActiveSyncMailboxPolicy -Name X -MinDevicePasswordLength 40").error,
            "Cannot bind parameter 'MinDevicePasswordLength'. The value '40' is out of range; it must be 1 to 16.");
  EXPECT_EQ(one("New-ActiveSyncMailboxPolicy -Name Default").error,
            "A mobile device mailbox policy named 'Default' already exists.");
  EXPECT_EQ(one("Set-CASMailbox -Identity carol -ActiveSyncEnabled $false").error,
            "The operation couldn't be performed because object 'carol' couldn't be found.");
  EXPECT_EQ(one("Set-CASMailbox alice -ActiveSyncMailboxPolicy Nope").error,
            "The operation couldn't be performed because object 'Nope' couldn't be found.");
  EXPECT_NE(one("Get-Mailbox alice").error.find("is not recognized"), std::string::npos);
  EXPECT_NE(one("Set-CASMailbox alice -ActiveSyncEnabled maybe").error.find("System.Boolean"), std::string::npos);
  const auto parse = one("New-ActiveSyncMailboxPolicy -Name \"unclosed");
  EXPECT_FALSE(parse.ok);
  EXPECT_EQ(parse.error.rfind("At line:1 char:", 0), 0u) << parse.error;
  // A failed line does not stop the next one.
  const auto both = run("Set-CASMailbox nobody -ActiveSyncEnabled $false\nNew-ActiveSyncMailboxPolicy Fine");
  ASSERT_EQ(both.size(), 2u);
  EXPECT_FALSE(both[0].ok);
  EXPECT_TRUE(both[1].ok);
}

// Issue 18: cmdlet output and parameters follow lab.exchange_version, from the cmdlet pages'
// "Applicable" lines (Set-ActiveSyncMailboxPolicy, Set-MobileDeviceMailboxPolicy,
// Get-ActiveSyncDeviceStatistics) and PROVISIONING.md 5.2's statistics properties.
TEST_F(Shell, OutputAndParametersFollowTheExchangeVersion) {
  db->record_device_contact("alice@lab.test", "VERDEV1", "WP", "MSFT-WP/7.0.7004", "14.0", 1'000);
  // 2010 SP1 (the fixture's default).
  const auto stats = one("Get-ActiveSyncDeviceStatistics -Mailbox alice");
  ASSERT_TRUE(stats.ok) << stats.error;
  const auto& s2010 = stats.output.at(0).as_object();
  EXPECT_EQ(s2010.at("Identity"), "lab.test/Users/alice/ExchangeActiveSyncDevices/WP\xC2\xA7VERDEV1");
  for (const char* p : {"Guid", "RecoveryPassword", "DeviceEnableOutboundSMS", "StatusNote", "SyncStateUpgradeTime"}) {
    EXPECT_TRUE(s2010.contains(p)) << p;
  }
  EXPECT_EQ(std::string(s2010.at("Guid").as_string()).size(), 36u);
  EXPECT_EQ(s2010.at("DeviceEnableOutboundSMS"), false);
  // The same Guid each time; the 2010 Identity finds the device.
  const auto again = one("Get-ActiveSyncDeviceStatistics -Identity \"lab.test/Users/alice/ExchangeActiveSyncDevices/WP\xC2\xA7VERDEV1\"");
  ASSERT_TRUE(again.ok) << again.error;
  EXPECT_EQ(again.output.at(0).at("Guid"), s2010.at("Guid"));
  // Get-ActiveSyncDeviceStatistics has no -Filter in any release.
  EXPECT_EQ(one("Get-ActiveSyncDeviceStatistics -Mailbox alice -Filter {DeviceOS -like '*'}").error,
            "A parameter cannot be found that matches parameter name 'Filter'.");
  EXPECT_TRUE(one("Get-ActiveSyncDevice -Filter {DeviceType -eq 'WP'}").ok);
  // 2013's parameters are not 2010's.
  EXPECT_EQ(one("Get-ActiveSyncDevice -Mailbox alice -ActiveSync").error,
            "A parameter cannot be found that matches parameter name 'ActiveSync'.");
  const auto policy = one("Get-ActiveSyncMailboxPolicy Default").output.at(0).as_object();
  EXPECT_FALSE(policy.contains("AllowApplePushNotifications"));
  EXPECT_FALSE(policy.contains("AllowGooglePushNotifications"));
  EXPECT_TRUE(policy.contains("MobileOTAUpdateMode"));
  EXPECT_TRUE(policy.contains("AllowMobileOTAUpdate"));
  EXPECT_EQ(one("Set-ActiveSyncMailboxPolicy Default -AllowApplePushNotifications $false").error,
            "A parameter cannot be found that matches parameter name 'AllowApplePushNotifications'.");
  // 2013: the mailbox's form of the Identity, no MobileOTAUpdateMode, -ActiveSync.
  shell->set_exchange_version("2013");
  EXPECT_EQ(one("Get-MobileDeviceStatistics -Mailbox alice").output.at(0).at("Identity"),
            "alice\\ExchangeActiveSyncDevices\\WP\xC2\xA7VERDEV1");
  EXPECT_TRUE(one("Get-MobileDevice -Mailbox alice -ActiveSync").ok);
  const auto p2013 = one("Get-MobileDeviceMailboxPolicy Default").output.at(0).as_object();
  EXPECT_FALSE(p2013.contains("MobileOTAUpdateMode"));
  EXPECT_FALSE(p2013.contains("AllowApplePushNotifications"));
  // Exchange Online has the push notification settings.
  shell->set_exchange_version("online");
  EXPECT_TRUE(one("Get-MobileDeviceMailboxPolicy Default").output.at(0).as_object().contains("AllowApplePushNotifications"));
  EXPECT_TRUE(one("Set-MobileDeviceMailboxPolicy Default -AllowApplePushNotifications $false").ok);
}

TEST_F(Shell, MailboxesByAddressAliasOrDisplayNameAndActiveSyncEnabled) {
  EXPECT_TRUE(one("Set-CASMailbox \"Bob Lab\" -ActiveSyncEnabled $false").ok);
  EXPECT_EQ(one("Get-CASMailbox bob@lab.test").output.at(0).at("ActiveSyncEnabled"), false);
  ASSERT_TRUE(one("Set-CASMailbox bob -ActiveSyncEnabled $true").ok);
  EXPECT_EQ(one("Get-CASMailbox BOB").output.at(0).at("ActiveSyncEnabled"), true);
}

TEST_F(Shell, DeviceCmdletsByDeviceIdOrExchangeIdentity) {
  db->record_device_contact("alice@lab.test", "WP7ABC", "WP", "MSFT-WP/7.10", "14.1", 1'000);
  store::device_provisioning p;
  p.policy_name = "Default";
  p.policy_key = 5;
  p.last_policy_ms = 2'000;
  p.policy_status = 2;
  db->update_device_provisioning("alice@lab.test", "WP7ABC", p);
  const auto stats = one("Get-ActiveSyncDeviceStatistics -Mailbox alice");
  ASSERT_TRUE(stats.ok) << stats.error;
  const auto& d = stats.output.at(0).as_object();
  // Issue 18: the fixture's lab is 2010 SP1, whose Identity is the device's Active Directory path.
  EXPECT_EQ(d.at("Identity"), "lab.test/Users/alice/ExchangeActiveSyncDevices/WP\xC2\xA7WP7ABC");
  EXPECT_EQ(d.at("DevicePolicyApplicationStatus"), "AppliedInFull");
  EXPECT_EQ(d.at("DevicePolicyApplied"), "Default");
  EXPECT_EQ(d.at("Status"), "DeviceOk");
  EXPECT_TRUE(d.at("DeviceWipeRequestTime").is_null());
  ASSERT_TRUE(one("Clear-ActiveSyncDevice -Identity \"alice\\ExchangeActiveSyncDevices\\WP\xC2\xA7WP7ABC\" -Confirm:$false").ok);
  const auto after = one("Get-MobileDeviceStatistics -Identity wp7abc").output.at(0).as_object();
  EXPECT_EQ(after.at("Status"), "DeviceWipePending");
  EXPECT_EQ(after.at("DeviceWipeRequestTime"), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(after.at("LastDeviceWipeRequestor"), "test");
  ASSERT_TRUE(one("Clear-ActiveSyncDevice WP7ABC -Cancel").ok);
  EXPECT_EQ(one("Get-ActiveSyncDeviceStatistics WP7ABC").output.at(0).at("Status"), "DeviceOk");
  // An account-only wipe needs EAS 16.1.
  EXPECT_NE(one("Clear-MobileDevice WP7ABC -AccountOnly").error.find("16.1"), std::string::npos);
  EXPECT_EQ(one("Get-ActiveSyncDevice -Mailbox alice").output.size(), 1u);
  ASSERT_TRUE(one("Remove-ActiveSyncDevice WP7ABC -Confirm:$false").ok);
  EXPECT_FALSE(db->find_device("alice@lab.test", "WP7ABC"));
  EXPECT_FALSE(one("Get-ActiveSyncDeviceStatistics").ok);  // needs -Mailbox or -Identity
}

}  // namespace
