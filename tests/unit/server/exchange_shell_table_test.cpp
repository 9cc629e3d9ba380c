// The shell's cmdlet table: which names it runs, which parameters each accepts, and the messages
// PowerShell users see when a name or a parameter is not one of them.
#include "easemu/server/exchange_shell.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "easemu/common/text.hpp"
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
    // Issue 18: each cmdlet's own parameters in the fixture's 2010 SP1 lab (no -Filter on the
    // statistics cmdlet; -ActiveSync and -OWAforDevices are 2013's).
    {"Get-ActiveSyncDevice", {"Identity", "Mailbox", "Filter", "ResultSize"}},
    {"Get-MobileDevice", {"Identity", "Mailbox", "Filter", "ResultSize"}},
    {"Clear-ActiveSyncDevice", {"Identity", "AccountOnly", "Cancel", "NotificationEmailAddresses"}},
    {"Clear-MobileDevice", {"Identity", "AccountOnly", "Cancel", "NotificationEmailAddresses"}},
    {"Remove-ActiveSyncDevice", {"Identity"}},
    {"Remove-MobileDevice", {"Identity"}},
    {"Get-ActiveSyncDeviceStatistics", {"Identity", "Mailbox", "ShowRecoveryPassword", "GetMailboxLog", "NotificationEmailAddresses"}},
    {"Get-MobileDeviceStatistics", {"Identity", "Mailbox", "ShowRecoveryPassword", "GetMailboxLog", "NotificationEmailAddresses"}},
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

TEST_F(ShellTable, TheTableHoldsEachNameOnceAndEveryNameAbove) {
  std::set<std::string> in_table;
  std::size_t entries = 0;
  for (const auto& family : shell->cmdlets()) {
    for (const auto& spec : family.cmdlets) {
      EXPECT_NE(spec.handler, nullptr) << spec.name;
      for (const auto& p : spec.parameters) {
        for (const auto& shared : server::common_cmdlet_parameters()) {
          EXPECT_FALSE(common::iequals(p.name, shared.name)) << spec.name << " lists the common " << p.name;
        }
      }
      for (const auto name : {spec.name, spec.twin}) {
        if (name.empty()) continue;
        ++entries;
        EXPECT_TRUE(in_table.insert(common::ascii_lowercase(name)).second) << name << " twice";
      }
    }
  }
  std::set<std::string> listed;
  for (const auto& c : every_cmdlet) listed.insert(common::ascii_lowercase(c.cmdlet));
  EXPECT_EQ(in_table, listed);
  EXPECT_EQ(entries, every_cmdlet.size());
}

// A cmdlet that exists only in this test: its entry is all it takes to run it.
boost::json::array echo(const server::cmdlet_arguments& args, const server::cmdlet_context& context) {
  return {boost::json::object{{"Message", args.text("Message")},
                              {"Loud", args.flag("Loud")},
                              {"AsTwin", args.as_twin()},
                              {"Mailboxes", context.db.list_mailboxes().size()},
                              {"Requestor", context.requestor}}};
}
constexpr server::cmdlet_parameter_spec echo_parameters[] = {{"Message"}, {"Loud"}};
constexpr server::cmdlet_spec echo_cmdlets[] = {
    {.name = "Test-EasemuEcho", .parameters = echo_parameters, .positional = "Message", .handler = echo}};
constexpr server::cmdlet_spec twin_cmdlets[] = {{.name = "Test-EasemuTwin",
                                                 .twin = "Invoke-EasemuTwin",
                                                 .parameters = echo_parameters,
                                                 .positional = "Message",
                                                 .handler = echo}};

TEST_F(ShellTable, ACmdletRegisteredThroughTheTableIsDispatchedCheckedAndListed) {
  shell->add_cmdlets({"tests", echo_cmdlets});

  const auto named = one("test-easemuecho -Message hello -Loud:$true -WhatIf");
  ASSERT_TRUE(named.ok) << named.error;
  const auto& o = named.output.at(0).as_object();
  EXPECT_EQ(o.at("Message"), "hello");
  EXPECT_EQ(o.at("Loud"), true);
  EXPECT_EQ(o.at("AsTwin"), false);
  EXPECT_EQ(o.at("Mailboxes"), 2);
  EXPECT_EQ(o.at("Requestor"), "test");
  EXPECT_EQ(one("Test-EasemuEcho bare").output.at(0).at("Message"), "bare");  // the positional parameter

  EXPECT_EQ(one("Test-EasemuEcho -Message hi -Colour blue").error,
            "A parameter cannot be found that matches parameter name 'Colour'.");
  EXPECT_EQ(one("Test-EasemuEcho one two").error, "A positional parameter cannot be found that accepts argument 'two'.");
  EXPECT_EQ(one("Test-EasemuEcho one -Message two").error,
            "A positional parameter cannot be found that accepts argument 'one'.");

  const auto unknown = one("Get-Mailbox alice").error;
  EXPECT_NE(unknown.find("; New/Set/Remove/Get-ActiveSyncDeviceAccessRule; tests: Test-EasemuEcho)."), std::string::npos)
      << unknown;
}

TEST_F(ShellTable, ARegisteredTwinRunsTheSameEntryAndSaysSo) {
  shell->add_cmdlets({"", twin_cmdlets});
  EXPECT_EQ(one("Test-EasemuTwin x").output.at(0).at("AsTwin"), false);
  EXPECT_EQ(one("Invoke-EasemuTwin x").output.at(0).at("AsTwin"), true);
  EXPECT_EQ(one("Invoke-EasemuTwin -Colour x").error, "A parameter cannot be found that matches parameter name 'Colour'.");
  // The twins are mentioned once, after the last family that has any.
  const auto unknown = one("Get-Mailbox").error;
  EXPECT_NE(unknown.find("Get-ActiveSyncDeviceStatistics; Set/Get-ActiveSyncOrganizationSettings; "
                         "New/Set/Remove/Get-ActiveSyncDeviceAccessRule; Test-EasemuTwin, and their MobileDevice twins)."),
            std::string::npos)
      << unknown;
}

TEST_F(ShellTable, TheTableRefusesANameItHasAndAnEntryWithoutAHandler) {
  static constexpr server::cmdlet_spec taken[] = {{.name = "Test-Fresh", .twin = "get-mobiledevice", .handler = echo}};
  static constexpr server::cmdlet_spec twice[] = {{.name = "Test-Twice", .handler = echo},
                                                  {.name = "Test-Twice", .handler = echo}};
  static constexpr server::cmdlet_spec no_handler[] = {{.name = "Test-Nothing"}};
  EXPECT_THROW(shell->add_cmdlets({"", taken}), std::invalid_argument);
  EXPECT_THROW(shell->add_cmdlets({"", twice}), std::invalid_argument);
  EXPECT_THROW(shell->add_cmdlets({"", no_handler}), std::invalid_argument);
  EXPECT_NE(one("Test-Fresh").error.find("is not recognized"), std::string::npos);  // nothing was added
}

}  // namespace
