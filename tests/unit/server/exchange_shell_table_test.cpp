// The shell's cmdlet table: which names it runs, which parameters each accepts, and the messages
// PowerShell users see when a name or a parameter is not one of them.
#include "easemu/server/exchange_shell.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "shell_fixture.hpp"

namespace {

using namespace easemu;

class ShellTable : public easemu::test::Shell {};

struct accepted_parameters {
  const char* cmdlet;
  std::vector<const char*> parameters;  // besides the common ones (and the policy settings)
};

// Every cmdlet name easemu runs, both twins, with the parameters each accepts.
const std::vector<accepted_parameters> every_cmdlet = {
    {"New-ActiveSyncMailboxPolicy", {"Name"}},
    {"New-MobileDeviceMailboxPolicy", {"Name"}},
    {"Set-ActiveSyncMailboxPolicy", {"Identity", "Name"}},
    {"Set-MobileDeviceMailboxPolicy", {"Identity", "Name"}},
    {"Get-ActiveSyncMailboxPolicy", {"Identity"}},
    {"Get-MobileDeviceMailboxPolicy", {"Identity"}},
    {"Remove-ActiveSyncMailboxPolicy", {"Identity"}},
    {"Remove-MobileDeviceMailboxPolicy", {"Identity"}},
    {"Set-CASMailbox",
     {"Identity", "ActiveSyncMailboxPolicy", "ActiveSyncEnabled", "ActiveSyncAllowedDeviceIDs", "ActiveSyncBlockedDeviceIDs",
      "ActiveSyncDebugLogging"}},
    {"Get-CASMailbox", {"Identity"}},
    {"Get-ActiveSyncDevice",
     {"Identity", "Mailbox", "ShowRecoveryPassword", "GetMailboxLog", "NotificationEmailAddresses", "ActiveSync",
      "OWAforDevices", "Filter"}},
    {"Get-MobileDevice",
     {"Identity", "Mailbox", "ShowRecoveryPassword", "GetMailboxLog", "NotificationEmailAddresses", "ActiveSync",
      "OWAforDevices", "Filter"}},
    {"Clear-ActiveSyncDevice", {"Identity", "AccountOnly", "Cancel", "NotificationEmailAddresses"}},
    {"Clear-MobileDevice", {"Identity", "AccountOnly", "Cancel", "NotificationEmailAddresses"}},
    {"Remove-ActiveSyncDevice", {"Identity"}},
    {"Remove-MobileDevice", {"Identity"}},
    {"Get-ActiveSyncDeviceStatistics",
     {"Identity", "Mailbox", "ShowRecoveryPassword", "GetMailboxLog", "NotificationEmailAddresses", "ActiveSync",
      "OWAforDevices", "Filter"}},
    {"Get-MobileDeviceStatistics",
     {"Identity", "Mailbox", "ShowRecoveryPassword", "GetMailboxLog", "NotificationEmailAddresses", "ActiveSync",
      "OWAforDevices", "Filter"}},
    {"Set-ActiveSyncOrganizationSettings",
     {"Identity", "DefaultAccessLevel", "UserMailInsert", "AdminMailRecipients", "OtaNotificationMailInsert"}},
    {"Get-ActiveSyncOrganizationSettings", {"Identity"}},
    {"New-ActiveSyncDeviceAccessRule", {"QueryString", "Characteristic", "AccessLevel"}},
    {"Set-ActiveSyncDeviceAccessRule", {"Identity", "AccessLevel"}},
    {"Remove-ActiveSyncDeviceAccessRule", {"Identity"}},
    {"Get-ActiveSyncDeviceAccessRule", {"Identity"}},
};

const char* const not_found_prefix = "A parameter cannot be found that matches parameter name";

TEST_F(ShellTable, EveryCmdletRefusesAnUnknownParameterWithExchangesMessage) {
  for (const auto& c : every_cmdlet) {
    EXPECT_EQ(one(std::string(c.cmdlet) + " -Colour blue").error,
              "A parameter cannot be found that matches parameter name 'Colour'.")
        << c.cmdlet;
  }
}

TEST_F(ShellTable, EveryCmdletAcceptsItsOwnAndTheCommonParameters) {
  for (const auto& c : every_cmdlet) {
    for (const char* p : c.parameters) {
      const auto r = one(std::string(c.cmdlet) + " -" + p + " nothing-here");
      EXPECT_EQ(r.error.rfind(not_found_prefix, 0), std::string::npos) << c.cmdlet << " -" << p << ": " << r.error;
    }
    for (const char* p : {"Confirm:$false", "WhatIf", "Verbose", "Debug", "ErrorAction Stop", "WarningAction Stop",
                          "DomainController dc1", "ErrorVariable e"}) {
      const auto r = one(std::string(c.cmdlet) + " -" + p);
      EXPECT_EQ(r.error.rfind(not_found_prefix, 0), std::string::npos) << c.cmdlet << " -" << p << ": " << r.error;
    }
  }
  // The policy cmdlets take every setting, by its 2010 or its 2013 name.
  for (const char* cmdlet : {"New-ActiveSyncMailboxPolicy", "Set-MobileDeviceMailboxPolicy"}) {
    for (const char* setting : {"DevicePasswordEnabled", "PasswordEnabled", "MaxInactivityTimeLock"}) {
      const auto r = one(std::string(cmdlet) + " -" + setting + " nothing-here");
      EXPECT_EQ(r.error.rfind(not_found_prefix, 0), std::string::npos) << cmdlet << " -" << setting << ": " << r.error;
    }
  }
}

TEST_F(ShellTable, ABareArgumentBindsToOneParameterOnly) {
  for (const auto& c : every_cmdlet) {
    EXPECT_EQ(one(std::string(c.cmdlet) + " first second").error,
              "A positional parameter cannot be found that accepts argument 'second'.")
        << c.cmdlet;
  }
  // The bare argument is the Identity (Name for New-*MailboxPolicy); given twice, it has no place.
  EXPECT_EQ(one("Get-CASMailbox alice -Identity bob").error,
            "A positional parameter cannot be found that accepts argument 'alice'.");
  EXPECT_EQ(one("New-MobileDeviceMailboxPolicy P -Name Q").error,
            "A positional parameter cannot be found that accepts argument 'P'.");
  EXPECT_TRUE(one("New-MobileDeviceMailboxPolicy P").ok);
}

TEST_F(ShellTable, AnUnknownCmdletGetsTheListOfWhatEasemuRuns) {
  EXPECT_EQ(one("Get-Mailbox alice").error,
            "The term 'Get-Mailbox' is not recognized as the name of a cmdlet easemu runs (policies: New/Set/Get/Remove-"
            "ActiveSyncMailboxPolicy; Set/Get-CASMailbox; Get/Clear/Remove-ActiveSyncDevice, "
            "Get-ActiveSyncDeviceStatistics, and their MobileDevice twins; Set/Get-ActiveSyncOrganizationSettings; "
            "New/Set/Remove/Get-ActiveSyncDeviceAccessRule).");
}

TEST_F(ShellTable, NamesAreCaseInsensitive) {
  EXPECT_TRUE(one("get-casmailbox ALICE").ok);
  EXPECT_TRUE(one("GET-MOBILEDEVICEMAILBOXPOLICY default").ok);
}

}  // namespace
