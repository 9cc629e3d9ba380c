// TEMPORARY (removed in the next commit): the built-in profiles as the C++ data they were before
// they became phone/profiles/*.yaml, compared field by field with what builtin_profiles() now
// loads from the embedded YAML.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "easemu/phone/profile.hpp"

namespace easemu::phone {

namespace {

using provisioning::setting;
using enum protocol_version;

common::result<setting, std::string> document_setting(std::string_view name) {
  const auto* s = provisioning::find_setting(name);
  if (s == nullptr || !s->sent()) return "bad setting " + std::string(name);
  return s->id;
}

// One profile's support lists, element names separated by spaces.
struct support_lists {
  std::string_view enforced;
  std::string_view ignored;
  std::string_view cannot_enforce;
  support others;
};

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto start = text.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    text.remove_prefix(start);
    const auto end = text.find(' ');
    out.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end);
  }
  return out;
}

void apply(device_profile& p, const support_lists& lists) {
  p.others = lists.others;
  const std::pair<std::string_view, support> groups[] = {
      {lists.enforced, support::enforced}, {lists.ignored, support::ignored}, {lists.cannot_enforce, support::cannot_enforce}};
  for (const auto& [names, how] : groups) {
    for (const auto name : words(names)) {
      auto s = document_setting(name);
      // A broken built-in table is a programming error; phone_test catches it first.
      if (!s) throw std::logic_error("built-in profile " + p.name + ": " + s.error());
      if (!p.support_of.emplace(*s, how).second) {
        throw std::logic_error("built-in profile " + p.name + ": " + std::string(name) + " listed twice");
      }
    }
  }
}

// PROVISIONING.md 4.1: the 12 settings Microsoft lists for Windows Phone 7 (PasswordRequired,
// MinPasswordLength, IdleTimeoutFrequencyValue, DeviceWipeThreshold, AllowSimplePassword,
// PasswordExpiration, PasswordHistory, DisableRemovableStorage, DisableIrDA, DisableDesktopSync,
// BlockRemoteDesktop, BlockInternetSharing) as the elements they stand for.
constexpr std::string_view wp7_enforced =
    "DevicePasswordEnabled MinDevicePasswordLength MaxInactivityTimeDeviceLock MaxDevicePasswordFailedAttempts "
    "AllowSimpleDevicePassword DevicePasswordExpiration DevicePasswordHistory AllowStorageCard AllowIrDA "
    "AllowDesktopSync AllowRemoteDesktop AllowInternetSharing";

std::vector<device_profile> make_builtins() {
  std::vector<device_profile> out;

  {
    device_profile p;
    p.name = "wp7";
    p.display_name = "Windows Phone 7.0";
    // WP7 also talks to Exchange 2003 (2.5) and 2007 (12.x); 14.0 is its highest.
    p.versions = {v2_5, v12_0, v12_1, v14_0};
    p.device_type = "WP";
    p.user_agent = "MSFT-WP/7.0.7004";
    p.device_os = "Windows Phone7.0";
    p.model = "HD7 T9292";
    p.friendly_name = "Windows Phone";
    p.os_language = "English";
    p.mobile_operator = "Lab Mobile";
    p.device_information_in_settings = true;
    p.tls_min = p.tls_max = tls_version::v1_0;
    apply(p, {wp7_enforced, "", "", support::cannot_enforce});
    // PROVISIONING.md 2.5: WP7 acknowledges what it could apply and keeps using the temporary
    // key when Exchange 2010 answers without one, so its next command fails with 144.
    p.react = {partial_reaction::ack_partial, true, wipe_kind::full};
    p.style = error_style::windows_nexus;
    p.notes = "EX13 mobile-device-mailbox-policies help: only 12 settings; SURFACEHUB error codes";
    out.push_back(std::move(p));
  }
  {
    device_profile p = out.back();
    p.name = "wp75";
    p.display_name = "Windows Phone 7.5 (7.10)";
    // PROVISIONING.md 2.5: a WP 7.5 device logs protocolVersion 141 (tine20 issue #3626).
    p.versions = {v2_5, v12_0, v12_1, v14_0, v14_1};
    p.user_agent = "MSFT-WP/7.10.7720";
    p.device_os = "Windows Phone7.10.7720";
    p.model = "Lumia 800";
    p.device_information_in_provision = true;  // a 14.1 client must (status 165 otherwise)
    // No public list for 7.5 (PROVISIONING.md 4.1): WP7's twelve.
    p.notes = "WP7's list (Microsoft documents only WP7 and WP8); EAS 14.1 per tine20 #3626";
    out.push_back(std::move(p));
  }
  {
    device_profile p;
    p.name = "wp8";
    p.display_name = "Windows Phone 8";
    p.versions = {v2_5, v12_0, v12_1, v14_0, v14_1};
    p.device_type = "WP8";
    p.user_agent = "MSFT-WP/8.0.10211";
    p.device_os = "Windows Phone8.0.10211";
    p.model = "Lumia 920";
    p.friendly_name = "Windows Phone";
    p.os_language = "English";
    p.mobile_operator = "Lab Mobile";
    p.device_information_in_provision = true;
    p.device_information_in_settings = true;
    p.tls_min = tls_version::v1_0;
    p.tls_max = tls_version::v1_2;
    // PROVISIONING.md 4.1 (EX13 mobile-phone-and-tablet-features); DevicePasswordHistory is not
    // listed there but is part of the same password policy engine (4.2 "?": taken as enforced).
    apply(p, {"AllowSimpleDevicePassword AlphanumericDevicePasswordRequired DevicePasswordEnabled "
              "DevicePasswordExpiration DevicePasswordHistory MaxDevicePasswordFailedAttempts "
              "MaxInactivityTimeDeviceLock MinDevicePasswordComplexCharacters MinDevicePasswordLength "
              "RequireDeviceEncryption",
              "", "", support::cannot_enforce});
    p.react = {partial_reaction::ack_partial, true, wipe_kind::full};
    p.style = error_style::windows_nexus;
    p.notes = "EX13 mobile-phone-and-tablet-features help: WP8 list; same EAS stack and codes as WP7";
    out.push_back(std::move(p));
  }
  {
    device_profile p;
    p.name = "wm65";
    p.display_name = "Windows Mobile 6.5";
    p.versions = {v2_5, v12_0, v12_1};
    p.device_type = "PocketPC";
    p.user_agent = "MSFT-PPC/5.2.5082";
    p.device_os = "Windows CE 5.2.21234";
    p.model = "Touch Pro2";
    p.friendly_name = "Pocket PC";
    p.os_language = "English";
    p.mobile_operator = "Lab Mobile";
    p.base64_query = true;
    p.device_information_in_settings = true;
    p.tls_min = p.tls_max = tls_version::v1_0;
    // PROVISIONING.md 4.1: the 12.1 element set was designed for Windows Mobile 6.x.
    apply(p, {"", "", "", support::enforced});
    p.react = {partial_reaction::ack_partial, false, wipe_kind::full};
    p.style = error_style::windows_nexus;
    p.notes = "MS-ASPROV element descriptions (designed for Windows Mobile 6.x): supports all 12.1 elements";
    out.push_back(std::move(p));
  }
  {
    device_profile p;
    p.name = "ios";
    p.display_name = "iPhone (iOS Mail)";
    p.versions = {v2_5, v12_0, v12_1, v14_0, v14_1, v16_0, v16_1};
    p.device_type = "iPhone";
    p.user_agent = "Apple-iPhone14C2/2001.88";
    p.device_os = "iOS 16.0 20A362";
    p.model = "iPhone14C2";
    p.friendly_name = "iPhone";
    p.os_language = "en";
    p.mobile_operator = "Lab Mobile";
    p.device_information_in_provision = true;
    p.device_information_in_settings = true;
    // PROVISIONING.md 4.1/4.2: the password family works (Y* taken as Y); encryption is always
    // on in current hardware; PasswordRecoveryEnabled does not work. Features an iPhone does not
    // have are accepted (MS-ASPROV 3.1.5.1.1: what the client lacks counts as enforced), and so
    // is every "?" cell: iOS parses the whole document and reports it applied.
    apply(p, {"DevicePasswordEnabled MinDevicePasswordLength AlphanumericDevicePasswordRequired "
              "MinDevicePasswordComplexCharacters AllowSimpleDevicePassword MaxInactivityTimeDeviceLock "
              "MaxDevicePasswordFailedAttempts DevicePasswordExpiration DevicePasswordHistory RequireDeviceEncryption "
              "AllowCamera AllowBrowser",
              "", "PasswordRecoveryEnabled", support::ignored});
    p.react = {partial_reaction::ack_partial, false, wipe_kind::full};
    p.style = error_style::ios;
    p.notes = "sysadminlab.net iPhone OS 4 and EAS policies; joedj/ExchangePolicyCleaner; '?' taken as accepted";
    out.push_back(std::move(p));
  }
  {
    device_profile p;
    p.name = "android";
    p.display_name = "Android (stock AOSP Exchange client)";
    p.versions = {v2_5, v12_0, v12_1, v14_0, v14_1};
    p.device_type = "Android";
    p.user_agent = "Android/10-EAS-2.0";
    p.device_os = "Android 10";
    p.model = "Pixel 3";
    p.friendly_name = "Pixel 3";
    p.os_language = "English";
    p.mobile_operator = "Lab Mobile";
    // AOSP EasOperation/EasProvision: in Provision at 14.1, with Settings at 12.1/14.0.
    p.device_information_in_provision = true;
    p.device_information_in_settings = true;
    // PROVISIONING.md 4.1 (AOSP ProvisionParser.parseProvisionDocWbxml); the hardware-dependent
    // items (AllowCamera, RequireDeviceEncryption, RequireStorageCardEncryption) as on a phone
    // with DPM camera control, encryption and no removable storage.
    apply(p, {"DevicePasswordEnabled MinDevicePasswordLength AlphanumericDevicePasswordRequired "
              "MaxInactivityTimeDeviceLock MaxDevicePasswordFailedAttempts DevicePasswordExpiration "
              "DevicePasswordHistory MinDevicePasswordComplexCharacters AllowCamera RequireDeviceEncryption "
              "RequireStorageCardEncryption AttachmentsEnabled MaxAttachmentSize RequireManualSyncWhenRoaming "
              "MaxCalendarAgeFilter MaxEmailAgeFilter",
              "AllowSimpleDevicePassword PasswordRecoveryEnabled AllowDesktopSync "
              "AllowSMIMEEncryptionAlgorithmNegotiation AllowSMIMESoftCerts AllowRemoteDesktop",
              "", support::cannot_enforce});
    // PROVISIONING.md 2.4: applies the supported part and acknowledges Status 2; an ack reply
    // without a PolicyKey means provisioning failed.
    p.react = {partial_reaction::ack_partial, false, wipe_kind::full};
    p.style = error_style::android;
    p.notes = "AOSP adapter/ProvisionParser.java, eas/EasProvision.java (LineageOS android_packages_apps_Exchange)";
    out.push_back(std::move(p));
  }
  {
    device_profile p;
    p.name = "outlook-mobile";
    p.display_name = "Outlook for iOS and Android (simulation)";
    // Simulation only: the real app reaches on-premises Exchange through Microsoft's cloud.
    p.versions = {v16_0, v16_1};
    p.device_type = "Outlook";
    p.user_agent = "Outlook-iOS-Android/1.0";
    p.device_os = "Android 10";
    p.model = "Outlook for iOS and Android";
    p.friendly_name = "Outlook for iOS and Android";
    p.os_language = "en";
    p.mobile_operator = "";
    p.device_information_in_provision = true;
    // PROVISIONING.md 4.1 (secure-outlook-for-ios-and-android); the rest is accepted.
    apply(p, {"DevicePasswordEnabled MinDevicePasswordLength RequireDeviceEncryption AllowBluetooth", "", "",
              support::ignored});
    p.react = {partial_reaction::ack_partial, false, wipe_kind::account_only};
    p.style = error_style::outlook;
    p.notes = "EX13 secure-outlook-for-ios-and-android: four settings, account-only wipe; simulation only";
    out.push_back(std::move(p));
  }
  {
    device_profile p;
    p.name = "outlook-desktop";
    p.display_name = "Outlook desktop (EAS account)";
    p.versions = {v14_0, v14_1, v16_0, v16_1};
    p.device_type = "WindowsOutlook15";
    p.user_agent = "Outlook/15.0 (15.0.4420.1017; MSI; x86)";
    p.device_os = "Windows 10.0.19045";
    p.model = "Outlook for Windows";
    p.friendly_name = "Outlook";
    p.os_language = "English";
    // Never provisions, never sends a key: Exchange lets it in only with
    // AllowNonProvisionableDevices (PROVISIONING.md 2.1, first row).
    p.provisions = false;
    p.sends_policy_key = false;
    apply(p, {"", "", "", support::ignored});
    p.react = {partial_reaction::ack_ok_anyway, false, wipe_kind::none};
    p.style = error_style::outlook;
    p.notes = "a non-provisioning client (PROVISIONING.md 2.1)";
    out.push_back(std::move(p));
  }
  return out;
}

void expect_same(const device_profile& old, const device_profile& now) {
  SCOPED_TRACE(old.name);
  EXPECT_EQ(old.name, now.name);
  EXPECT_EQ(old.display_name, now.display_name);
  EXPECT_EQ(old.versions, now.versions);
  EXPECT_EQ(old.device_type, now.device_type);
  EXPECT_EQ(old.user_agent, now.user_agent);
  EXPECT_EQ(old.device_os, now.device_os);
  EXPECT_EQ(old.model, now.model);
  EXPECT_EQ(old.friendly_name, now.friendly_name);
  EXPECT_EQ(old.os_language, now.os_language);
  EXPECT_EQ(old.mobile_operator, now.mobile_operator);
  EXPECT_EQ(old.base64_query, now.base64_query);
  EXPECT_EQ(old.device_information_in_provision, now.device_information_in_provision);
  EXPECT_EQ(old.device_information_in_settings, now.device_information_in_settings);
  EXPECT_EQ(old.tls_min, now.tls_min);
  EXPECT_EQ(old.tls_max, now.tls_max);
  EXPECT_EQ(old.provisions, now.provisions);
  EXPECT_EQ(old.sends_policy_key, now.sends_policy_key);
  EXPECT_EQ(old.support_of, now.support_of);
  for (const auto& s : provisioning::all_settings()) {
    EXPECT_EQ(support_for(old, s.id), support_for(now, s.id)) << s.name;
  }
  EXPECT_EQ(old.others, now.others);
  EXPECT_EQ(old.react.on_unenforceable, now.react.on_unenforceable);
  EXPECT_EQ(old.react.keeps_temporary_key, now.react.keeps_temporary_key);
  EXPECT_EQ(old.react.wipe, now.react.wipe);
  EXPECT_EQ(old.trust.public_roots, now.trust.public_roots);
  EXPECT_EQ(old.trust.ca_files, now.trust.ca_files);
  EXPECT_EQ(old.style, now.style);
  EXPECT_EQ(old.notes, now.notes);
  EXPECT_TRUE(old == now);  // and nothing the list above forgot
}

TEST(LegacyBuiltins, TheYamlProfilesAreTheCppDataFieldByField) {
  const auto old = make_builtins();
  const auto now = builtin_profiles();
  ASSERT_EQ(old.size(), now.size());
  for (std::size_t i = 0; i < old.size(); ++i) expect_same(old[i], now[i]);
}

}  // namespace

}  // namespace easemu::phone
