// The settings table and Exchange's cmdlet value syntax.
#include "easemu/provisioning/policy.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "easemu/wbxml/code_pages.hpp"

namespace {

using namespace easemu::provisioning;
using easemu::protocol_version;

TEST(Settings, TableIsConsistent) {
  std::set<std::string> names;
  int sent = 0;
  for (const auto& s : all_settings()) {
    EXPECT_TRUE(names.insert(std::string(s.name)).second) << s.name;
    if (!s.alias.empty()) EXPECT_TRUE(names.insert(std::string(s.alias)).second) << s.alias;
    EXPECT_LE(s.min, s.max) << s.name;
    if (s.default_value != null_value && s.kind != setting_kind::name_list && s.kind != setting_kind::hash_list) {
      EXPECT_GE(s.default_value, s.min) << s.name;
      EXPECT_LE(s.default_value, s.max) << s.name;
    }
    if (s.sent()) {
      ++sent;
      // Every document setting is an element of code page 14 (MS-ASWBXML), with its versions.
      const auto* t = easemu::wbxml::find_tag(14, s.name);
      ASSERT_NE(t, nullptr) << s.name;
      EXPECT_EQ(t->first_version, s.since) << s.name;
    }
    EXPECT_EQ(&info(s.id), &s);
  }
  // MS-ASPROV 2.2.2: 12 settings since 12.0 and 30 more since 12.1 (with the two list containers).
  EXPECT_EQ(sent, 42);
  EXPECT_EQ(find_setting("passwordenabled"), find_setting("DevicePasswordEnabled"));
  EXPECT_EQ(find_setting("IsDefaultPolicy")->id, setting::IsDefault);
  EXPECT_EQ(find_setting("NoSuchThing"), nullptr);
}

TEST(Policy, NewPolicyIsPermissiveWithoutAnp) {
  const policy p;
  for (const auto& s : all_settings()) EXPECT_FALSE(p.is_requirement(s.id)) << s.name;
  EXPECT_FALSE(p.flag(setting::AllowNonProvisionableDevices));
  EXPECT_TRUE(policy::builtin_default().flag(setting::AllowNonProvisionableDevices));
  EXPECT_EQ(policy::builtin_default().name, "Default");
}

struct conversion {
  const char* parameter;
  const char* text;
  setting id;
  std::int64_t expected;
};

class Conversion : public ::testing::TestWithParam<conversion> {};

TEST_P(Conversion, ReadsExchangeSyntax) {
  policy p;
  const auto& c = GetParam();
  EXPECT_EQ(p.set_parameter(c.parameter, c.text), "");
  EXPECT_EQ(p.get(c.id).number, c.expected);
  // What the store keeps reads back to the same value.
  policy q;
  EXPECT_EQ(q.set_parameter(info(c.id).name, to_cmdlet_text(c.id, p.get(c.id))), "");
  EXPECT_EQ(q.get(c.id), p.get(c.id));
}

INSTANTIATE_TEST_SUITE_P(
    Exchange, Conversion,
    ::testing::Values(conversion{"DevicePasswordEnabled", "$true", setting::DevicePasswordEnabled, 1},
                      conversion{"PasswordEnabled", "$FALSE", setting::DevicePasswordEnabled, 0},
                      conversion{"AllowCamera", "false", setting::AllowCamera, 0},
                      conversion{"MinDevicePasswordLength", "$null", setting::MinDevicePasswordLength, null_value},
                      conversion{"MinPasswordLength", "8", setting::MinDevicePasswordLength, 8},
                      conversion{"MaxInactivityTimeDeviceLock", "unlimited", setting::MaxInactivityTimeDeviceLock, null_value},
                      conversion{"MaxInactivityTimeLock", "00:15:00", setting::MaxInactivityTimeDeviceLock, 900},
                      conversion{"MaxDevicePasswordFailedAttempts", "Unlimited", setting::MaxDevicePasswordFailedAttempts, null_value},
                      conversion{"MaxDevicePasswordFailedAttempts", "8", setting::MaxDevicePasswordFailedAttempts, 8},
                      conversion{"DevicePasswordExpiration", "90", setting::DevicePasswordExpiration, 90},
                      conversion{"DevicePasswordExpiration", "30.00:00:00", setting::DevicePasswordExpiration, 30},
                      conversion{"DevicePasswordExpiration", "unlimited", setting::DevicePasswordExpiration, null_value},
                      conversion{"MaxAttachmentSize", "10MB", setting::MaxAttachmentSize, 10485760},
                      conversion{"MaxAttachmentSize", "1024 KB", setting::MaxAttachmentSize, 1048576},
                      conversion{"MaxAttachmentSize", "Unlimited", setting::MaxAttachmentSize, null_value},
                      conversion{"AllowBluetooth", "HandsfreeOnly", setting::AllowBluetooth, 1},
                      conversion{"AllowBluetooth", "disable", setting::AllowBluetooth, 0},
                      conversion{"MaxCalendarAgeFilter", "TwoWeeks", setting::MaxCalendarAgeFilter, 4},
                      conversion{"MaxEmailAgeFilter", "OneWeek", setting::MaxEmailAgeFilter, 3},
                      conversion{"MaxEmailBodyTruncationSize", "Unlimited", setting::MaxEmailBodyTruncationSize, -1},
                      conversion{"MaxEmailBodyTruncationSize", "5120", setting::MaxEmailBodyTruncationSize, 5120},
                      conversion{"RequireEncryptionSMIMEAlgorithm", "RC240bit", setting::RequireEncryptionSMIMEAlgorithm, 4},
                      conversion{"DevicePolicyRefreshInterval", "1.00:00:00", setting::DevicePolicyRefreshInterval, 86400},
                      conversion{"DevicePolicyRefreshInterval", "00:00:05", setting::DevicePolicyRefreshInterval, 5}));

TEST(Policy, RefusesWhatExchangeRefuses) {
  policy p;
  EXPECT_EQ(p.set_parameter("MinDevicePasswordLength", "17"),
            "Cannot bind parameter 'MinDevicePasswordLength'. The value '17' is out of range; it must be 1 to 16.");
  EXPECT_NE(p.set_parameter("MaxInactivityTimeDeviceLock", "02:00:00").find("out of range"), std::string::npos);
  EXPECT_NE(p.set_parameter("AllowCamera", "maybe").find("System.Boolean"), std::string::npos);
  EXPECT_NE(p.set_parameter("AllowBluetooth", "Sometimes").find("Disable, HandsfreeOnly, Allow"), std::string::npos);
  EXPECT_NE(p.set_parameter("MaxAttachmentSize", "10 parsecs").find("size"), std::string::npos);
  EXPECT_EQ(p.set_parameter("Frobnicate", "1"),
            "A parameter cannot be found that matches parameter name 'Frobnicate'.");
  EXPECT_NE(p.set_parameter("ApprovedApplicationList", "xyz").find("hexadecimal"), std::string::npos);
  EXPECT_EQ(p, policy());  // nothing changed
}

TEST(Policy, TheWp7LineBuildsThePolicyAndRoundTrips) {
  // The parameters of the New-ActiveSyncMailboxPolicy line.
  auto p = policy_from_parameters({{"Name", "My WP7 Policy"},
                                   {"AllowNonProvisionableDevices", "$false"},
                                   {"DevicePasswordEnabled", "$false"},
                                   {"MinDevicePasswordLength", "$null"},
                                   {"MaxInactivityTimeDeviceLock", "unlimited"},
                                   {"MaxDevicePasswordFailedAttempts", "unlimited"},
                                   {"AllowSimpleDevicePassword", "$true"},
                                   {"DevicePasswordExpiration", "unlimited"},
                                   {"DevicePasswordHistory", "0"},
                                   {"AllowStorageCard", "$true"},
                                   {"AllowIrDA", "$true"},
                                   {"AllowDesktopSync", "$true"},
                                   {"AllowRemoteDesktop", "$true"},
                                   {"AllowInternetSharing", "$true"}});
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->name, "My WP7 Policy");
  EXPECT_EQ(p->to_parameters(), (std::vector<std::pair<std::string, std::string>>{{"Name", "My WP7 Policy"}}));
  auto strict = policy_from_parameters({{"Name", "Strict"}, {"RequireDeviceEncryption", "$true"},
                                        {"MaxInactivityTimeLock", "00:05:00"}, {"UnapprovedInROMApplicationList", "a.exe,b.exe"}});
  ASSERT_TRUE(strict);
  const auto params = strict->to_parameters();
  EXPECT_EQ(params, (std::vector<std::pair<std::string, std::string>>{{"Name", "Strict"},
                                                                        {"MaxInactivityTimeDeviceLock", "00:05:00"},
                                                                        {"RequireDeviceEncryption", "$true"},
                                                                        {"UnapprovedInROMApplicationList", "a.exe,b.exe"}}));
  EXPECT_EQ(*policy_from_parameters(params), *strict);
  EXPECT_FALSE(policy_from_parameters({{"AllowCamera", "$true"}}));  // no name
}

TEST(Policy, DisplayAsGetActiveSyncMailboxPolicy) {
  policy p;
  EXPECT_EQ(display(setting::MaxInactivityTimeDeviceLock, p.get(setting::MaxInactivityTimeDeviceLock)),
            std::vector<std::string>{"Unlimited"});
  EXPECT_EQ(display(setting::MinDevicePasswordLength, p.get(setting::MinDevicePasswordLength)), std::vector<std::string>{""});
  ASSERT_EQ(p.set_parameter("MaxInactivityTimeDeviceLock", "00:15:00"), "");
  ASSERT_EQ(p.set_parameter("MaxAttachmentSize", "10MB"), "");
  EXPECT_EQ(display(setting::MaxInactivityTimeDeviceLock, p.get(setting::MaxInactivityTimeDeviceLock)),
            std::vector<std::string>{"00:15:00"});
  EXPECT_EQ(display(setting::MaxAttachmentSize, p.get(setting::MaxAttachmentSize)),
            std::vector<std::string>{"10 MB (10,485,760 bytes)"});
  EXPECT_EQ(display(setting::AllowBluetooth, p.get(setting::AllowBluetooth)), std::vector<std::string>{"Allow"});
  EXPECT_EQ(display(setting::AttachmentsEnabled, p.get(setting::AttachmentsEnabled)), std::vector<std::string>{"True"});
}

TEST(Policy, ComplexCharactersCountOnlyWithAlphanumericPasswords) {
  policy p;
  ASSERT_EQ(p.set_parameter("MinDevicePasswordComplexCharacters", "3"), "");
  EXPECT_FALSE(p.is_requirement(setting::MinDevicePasswordComplexCharacters));
  ASSERT_EQ(p.set_parameter("AlphanumericDevicePasswordRequired", "$true"), "");
  EXPECT_TRUE(p.is_requirement(setting::MinDevicePasswordComplexCharacters));
}

}  // namespace
