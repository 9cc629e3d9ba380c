// Device profiles (profile.hpp): the built-ins against PROVISIONING.md 2.4/4, version and TLS
// negotiation, and user profiles in YAML.
#include "easemu/phone/profile.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <set>
#include <string>

namespace {

using namespace easemu::phone;
using easemu::protocol_version;
using easemu::provisioning::setting;
namespace prov = easemu::provisioning;

const device_profile& builtin(std::string_view name) {
  const auto* p = find_profile(name);
  EXPECT_NE(p, nullptr) << name;
  return *p;
}

std::set<std::string> settings_with(const device_profile& p, support how) {
  std::set<std::string> out;
  for (const auto& s : prov::all_settings()) {
    if (s.sent() && support_for(p, s.id) == how) out.emplace(s.name);
  }
  return out;
}

// The Exchange 2016 OPTIONS header (PROVISIONING.md 6, EXDC Constants.cs).
constexpr const char* exchange2016_versions = "2.0,2.1,2.5,12.0,12.1,14.0,14.1";

TEST(Profiles, BuiltinsAreTheEightTheIssueNames) {
  std::set<std::string> names;
  for (const auto& p : builtin_profiles()) {
    EXPECT_TRUE(names.insert(p.name).second) << "duplicate " << p.name;
    EXPECT_FALSE(p.versions.empty()) << p.name;
    EXPECT_TRUE(std::is_sorted(p.versions.begin(), p.versions.end())) << p.name;
    EXPECT_LE(p.tls_min, p.tls_max) << p.name;
    EXPECT_FALSE(p.device_type.empty()) << p.name;
    EXPECT_FALSE(p.user_agent.empty()) << p.name;
    EXPECT_TRUE(p.trust.public_roots) << p.name;
  }
  EXPECT_EQ(names, (std::set<std::string>{"wp7", "wp75", "wp8", "wm65", "ios", "android", "outlook-mobile",
                                          "outlook-desktop"}));
}

TEST(Profiles, Wp7IsTheIssuesPhone) {
  const auto& p = builtin("wp7");
  EXPECT_EQ(p.device_type, "WP");
  EXPECT_EQ(p.device_os, "Windows Phone7.0");
  EXPECT_EQ(p.user_agent.rfind("MSFT-WP/7.0", 0), 0u);
  EXPECT_EQ(p.versions.back(), protocol_version::v14_0);
  EXPECT_EQ(p.tls_min, tls_version::v1_0);
  EXPECT_EQ(p.tls_max, tls_version::v1_0);
  EXPECT_TRUE(p.react.keeps_temporary_key);
  EXPECT_EQ(p.style, error_style::windows_nexus);
  // PROVISIONING.md 4.1: Microsoft's twelve, as the elements they stand for.
  EXPECT_EQ(settings_with(p, support::enforced),
            (std::set<std::string>{"DevicePasswordEnabled",          // PasswordRequired
                                   "MinDevicePasswordLength",        // MinPasswordLength
                                   "MaxInactivityTimeDeviceLock",    // IdleTimeoutFrequencyValue
                                   "MaxDevicePasswordFailedAttempts",  // DeviceWipeThreshold
                                   "AllowSimpleDevicePassword", "DevicePasswordExpiration", "DevicePasswordHistory",
                                   "AllowStorageCard",      // DisableRemovableStorage
                                   "AllowIrDA", "AllowDesktopSync",
                                   "AllowRemoteDesktop",    // BlockRemoteDesktop
                                   "AllowInternetSharing"}));  // BlockInternetSharing
  EXPECT_TRUE(settings_with(p, support::ignored).empty());
  EXPECT_EQ(support_for(p, setting::RequireDeviceEncryption), support::cannot_enforce);
  EXPECT_EQ(support_for(p, setting::AlphanumericDevicePasswordRequired), support::cannot_enforce);
}

TEST(Profiles, Wp75SharesWp7sListAndSpeaks141) {
  const auto& p = builtin("wp75");
  EXPECT_EQ(p.versions.back(), protocol_version::v14_1);
  EXPECT_EQ(settings_with(p, support::enforced), settings_with(builtin("wp7"), support::enforced));
  EXPECT_TRUE(sends_device_information_in_provision(p, protocol_version::v14_1));
}

TEST(Profiles, Wp8CanEncryptButNotBlockFeatures) {
  const auto& p = builtin("wp8");
  EXPECT_EQ(support_for(p, setting::RequireDeviceEncryption), support::enforced);
  EXPECT_EQ(support_for(p, setting::AlphanumericDevicePasswordRequired), support::enforced);
  EXPECT_EQ(support_for(p, setting::AllowStorageCard), support::cannot_enforce);  // 4.2: N for WP8
  EXPECT_EQ(support_for(p, setting::PasswordRecoveryEnabled), support::cannot_enforce);
}

TEST(Profiles, Wm65EnforcesEverySetting) {
  const auto& p = builtin("wm65");
  std::size_t sent = 0;
  for (const auto& s : prov::all_settings()) sent += s.sent() ? 1 : 0;
  EXPECT_EQ(settings_with(p, support::enforced).size(), sent);
  EXPECT_TRUE(p.base64_query);
  EXPECT_EQ(p.versions.back(), protocol_version::v12_1);
  EXPECT_EQ(p.tls_max, tls_version::v1_0);
}

TEST(Profiles, AndroidFollowsAosp) {
  const auto& p = builtin("android");
  EXPECT_EQ(p.react.on_unenforceable, partial_reaction::ack_partial);
  EXPECT_FALSE(p.react.keeps_temporary_key);
  EXPECT_EQ(p.versions.back(), protocol_version::v14_1);
  // PROVISIONING.md 4.1: accepted but ignored, and unsupported when restrictive.
  EXPECT_EQ(support_for(p, setting::AllowSimpleDevicePassword), support::ignored);
  EXPECT_EQ(support_for(p, setting::AllowRemoteDesktop), support::ignored);
  EXPECT_EQ(support_for(p, setting::AllowStorageCard), support::cannot_enforce);
  EXPECT_EQ(support_for(p, setting::AllowBluetooth), support::cannot_enforce);
  EXPECT_EQ(support_for(p, setting::MaxEmailAgeFilter), support::enforced);
}

TEST(Profiles, OutlookProfiles) {
  const auto& mobile = builtin("outlook-mobile");
  EXPECT_EQ(mobile.react.wipe, wipe_kind::account_only);
  EXPECT_EQ(mobile.versions.back(), protocol_version::v16_1);
  // Issue 20: the 16.1 clients search with Find and send from Drafts; Outlook desktop does not.
  EXPECT_EQ(mobile.searches_with, search_command::find);
  EXPECT_EQ(mobile.sends_with, send_path::drafts);
  EXPECT_EQ(builtin("ios").searches_with, search_command::find);
  EXPECT_EQ(builtin("ios").sends_with, send_path::drafts);
  const auto& desktop = builtin("outlook-desktop");
  EXPECT_EQ(desktop.searches_with, search_command::search);
  EXPECT_EQ(desktop.sends_with, send_path::send_mail);
  EXPECT_FALSE(desktop.provisions);
  EXPECT_FALSE(desktop.sends_policy_key);
  EXPECT_FALSE(sends_device_information_in_provision(desktop, protocol_version::v16_1));
}

TEST(Profiles, PickVersionTakesTheHighestCommonOne) {
  EXPECT_EQ(pick_version(builtin("wp7"), exchange2016_versions), protocol_version::v14_0);
  EXPECT_EQ(pick_version(builtin("wp75"), exchange2016_versions), protocol_version::v14_1);
  EXPECT_EQ(pick_version(builtin("wm65"), exchange2016_versions), protocol_version::v12_1);
  EXPECT_EQ(pick_version(builtin("ios"), exchange2016_versions), protocol_version::v14_1);
  EXPECT_EQ(pick_version(builtin("ios"), "2.5, 12.0, 12.1, 14.0, 14.1, 16.0, 16.1"), protocol_version::v16_1);
  EXPECT_EQ(pick_version(builtin("android"), "2.5"), protocol_version::v2_5);
  EXPECT_EQ(pick_version(builtin("outlook-mobile"), exchange2016_versions), std::nullopt);
  EXPECT_EQ(pick_version(builtin("wp7"), ""), std::nullopt);
  EXPECT_EQ(pick_version(builtin("wp7"), "2.0,2.1,banana"), std::nullopt);
}

TEST(Profiles, DeviceInformationTravelsByVersion) {
  const auto& android = builtin("android");
  // MS-ASPROV 2.2.2.53: only 14.1 and later carry it in Provision; AOSP uses Settings below.
  EXPECT_TRUE(sends_device_information_in_provision(android, protocol_version::v14_1));
  EXPECT_FALSE(sends_device_information_in_settings(android, protocol_version::v14_1));
  EXPECT_FALSE(sends_device_information_in_provision(android, protocol_version::v14_0));
  EXPECT_TRUE(sends_device_information_in_settings(android, protocol_version::v12_1));
  EXPECT_FALSE(sends_device_information_in_settings(android, protocol_version::v2_5));
  EXPECT_TRUE(sends_device_information_in_settings(builtin("wp7"), protocol_version::v14_0));
}

TEST(Profiles, TlsVersionsDecideTheHandshake) {
  // The issue: a server with --tls-min-version 1.2 refuses a wp7.
  EXPECT_FALSE(tls_compatible(builtin("wp7"), tls_version::v1_2));
  EXPECT_FALSE(tls_compatible(builtin("wm65"), tls_version::v1_2));
  EXPECT_TRUE(tls_compatible(builtin("wp7"), tls_version::v1_0));
  EXPECT_TRUE(tls_compatible(builtin("wp8"), tls_version::v1_2));
  EXPECT_TRUE(tls_compatible(builtin("android"), tls_version::v1_2));
  EXPECT_FALSE(tls_compatible(builtin("android"), tls_version::v1_0, tls_version::v1_1));
  EXPECT_EQ(parse_tls_version("1.3"), tls_version::v1_3);
  EXPECT_EQ(parse_tls_version("1.4"), std::nullopt);
}

TEST(Profiles, FindProfileIgnoresCaseAndPrefersUserProfiles) {
  EXPECT_EQ(find_profile("WP7")->name, "wp7");
  EXPECT_EQ(find_profile("nokia-3310"), nullptr);
  device_profile mine = builtin("wp7");
  mine.user_agent = "mine";
  const std::vector<device_profile> extra{mine};
  EXPECT_EQ(find_profile("wp7", extra)->user_agent, "mine");
  EXPECT_EQ(find_profile("wp8", extra)->name, "wp8");
}

TEST(ProfileYaml, InheritsAndOverrides) {
  const auto loaded = load_profiles(R"(profiles:
  - name: wp7-camera
    base: wp7
    user_agent: MSFT-WP/7.0.7392
    enforces: [AllowCamera, PasswordEnabled]
    ignores: [RequireDeviceEncryption]
    tls_max: "1.2"
  - name: wp7-camera-refuses
    base: wp7-camera
    on_unenforceable: refuse
)");
  ASSERT_TRUE(loaded) << loaded.error();
  ASSERT_EQ(loaded->size(), 2u);
  const auto& p = (*loaded)[0];
  const auto& wp7 = builtin("wp7");
  EXPECT_EQ(p.user_agent, "MSFT-WP/7.0.7392");
  EXPECT_EQ(p.device_type, "WP");  // inherited
  EXPECT_EQ(p.tls_max, tls_version::v1_2);
  EXPECT_EQ(support_for(p, setting::AllowCamera), support::enforced);
  EXPECT_EQ(support_for(p, setting::RequireDeviceEncryption), support::ignored);
  EXPECT_EQ(support_for(p, setting::AllowBluetooth), support_for(wp7, setting::AllowBluetooth));
  const auto& q = (*loaded)[1];
  EXPECT_EQ(q.react.on_unenforceable, partial_reaction::refuse);
  EXPECT_EQ(support_for(q, setting::AllowCamera), support::enforced);  // from the earlier profile
  EXPECT_EQ(find_profile("wp7-camera-refuses", *loaded), &q);
}

TEST(ProfileYaml, ScreensOverrideTheBaseKeyByKey) {
  const auto loaded = load_profiles(R"(profiles:
  - name: wp7-de
    base: wp7
    screens:
      policy:
        message: "{server} erfordert Sicherheitsrichtlinien."
)");
  ASSERT_TRUE(loaded) << loaded.error();
  const auto& p = (*loaded)[0];
  EXPECT_EQ(p.screens.at("policy").message, "{server} erfordert Sicherheitsrichtlinien.");
  EXPECT_EQ(p.screens.at("error").title, "Outlook error");  // inherited
  EXPECT_EQ(p.screens.at("certificate_untrusted"), builtin("wp7").screens.at("certificate_untrusted"));

  const auto bad = load_profiles("profiles:\n  - name: x\n    base: wp7\n    screens:\n      policy:\n        tittle: a\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("line 6"), std::string::npos) << bad.error();
  EXPECT_NE(bad.error().find("unknown key 'tittle'"), std::string::npos) << bad.error();
}

TEST(ProfileYaml, UnknownSettingIsRejectedWithItsLine) {
  const auto loaded = load_profiles(R"(profiles:
  - name: my-wp7
    base: wp7
    enforces:
      - DevicePasswordEnabled
      - PasswordRequired
)");
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find("line 6"), std::string::npos) << loaded.error();
  EXPECT_NE(loaded.error().find("'PasswordRequired'"), std::string::npos) << loaded.error();
}

TEST(ProfileYaml, ServerOnlySettingsAreNotPhoneSettings) {
  const auto loaded = load_profiles("- name: x\n  base: wp7\n  cannot_enforce: [AllowNonProvisionableDevices]\n");
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find("line 3"), std::string::npos) << loaded.error();
  EXPECT_NE(loaded.error().find("never sent to a phone"), std::string::npos) << loaded.error();
}

TEST(ProfileYaml, MistakesNameTheirLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"- name: x\n  base: wp7\n  user_agnet: y\n", "line 3: unknown key 'user_agnet'"},
      {"- name: x\n  base: nokia\n", "line 2: profile x.base: no profile named 'nokia'"},
      {"- name: x\n  versions: [\"14.0\"]\n", "line 1: profile x: 'device_type' is required"},
      {"- name: x\n  device_type: X\n  versions: [\"14.0\", \"15.0\"]\n", "line 3: profile x.versions: '15.0'"},
      {"- name: x\n  base: wp7\n  tls_min: \"1.3\"\n", "line 3: profile x: tls_min 1.3 is above tls_max 1.0"},
      {"- name: x\n  base: wp7\n  enforces: [AllowCamera]\n  ignores: [AllowCamera]\n", "line 4: profile x.ignores: AllowCamera is listed twice"},
      {"- name: x\n  base: wp7\n- name: X\n  base: wp8\n", "line 3: profile X is defined twice"},
      {"- name: x\n  base: wp7\n  wipe: partial\n", "line 3: profile x.wipe: 'partial' is not one of none, full, account_only"},
      {"- name: x\n  base: wp7\n  base64_query: maybe\n", "line 3: profile x.base64_query: 'maybe' is not true or false"},
      {"- name: x\n  base: wp7\n  searches_with: grep\n", "line 3: profile x.searches_with: 'grep' is not one of search, find"},
      {"- name: x\n  base: wp7\n  sends_with: pigeon\n", "line 3: profile x.sends_with: 'pigeon' is not one of send_mail, drafts"},
      {"profiles:\n  - name: x\n    base: [wp7\n", "line "},
      {"devices:\n  - name: x\n", "line 1: unknown key 'devices'"},
  };
  for (const auto& [yaml, expected] : cases) {
    const auto loaded = load_profiles(yaml);
    ASSERT_FALSE(loaded) << yaml;
    EXPECT_NE(loaded.error().find(expected), std::string::npos) << yaml << "\n-> " << loaded.error();
  }
}

TEST(ProfileYaml, AProfileFromScratch) {
  const auto loaded = load_profiles(R"(- name: nine
  device_type: Nine
  user_agent: Nine/4.1
  versions: ["14.1", "12.1", "14.0"]
  others: ignored
  cannot_enforce: [RequireDeviceEncryption]
  error_style: android
  ca_files: [/tmp/lab-ca.pem]
  trust_public_roots: false
)");
  ASSERT_TRUE(loaded) << loaded.error();
  const auto& p = loaded->front();
  EXPECT_EQ(p.display_name, "nine");
  EXPECT_EQ(p.versions, (std::vector<protocol_version>{protocol_version::v12_1, protocol_version::v14_0,
                                                       protocol_version::v14_1}));
  EXPECT_EQ(support_for(p, setting::AllowCamera), support::ignored);
  EXPECT_EQ(support_for(p, setting::RequireDeviceEncryption), support::cannot_enforce);
  EXPECT_EQ(p.style, error_style::android);
  EXPECT_FALSE(p.trust.public_roots);
  EXPECT_EQ(p.trust.ca_files, std::vector<std::string>{"/tmp/lab-ca.pem"});
  EXPECT_TRUE(load_profiles("")->empty());
}

TEST(ProfileYaml, TheDocumentationsExampleLoads) {
  std::ifstream in(std::string(EASEMU_SOURCE_DIR) + "/docs/device-profiles.md");
  std::stringstream text;
  text << in.rdbuf();
  const auto doc = text.str();
  const auto start = doc.find("```yaml\n");
  ASSERT_NE(start, std::string::npos);
  const auto end = doc.find("```", start + 8);
  const auto loaded = load_profiles(doc.substr(start + 8, end - start - 8));
  ASSERT_TRUE(loaded) << loaded.error();
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].trust.ca_files, std::vector<std::string>{"/etc/easemu/lab-ca.pem"});
  EXPECT_EQ(support_for((*loaded)[1], setting::AllowCamera), support::enforced);
  EXPECT_EQ((*loaded)[1].react.on_unenforceable, partial_reaction::refuse);
  // The screen-text example (issue 19) loads too, over its base's texts.
  const auto screens = doc.find("```yaml\n", doc.find("## Screen texts as data"));
  ASSERT_NE(screens, std::string::npos);
  const auto texts = load_profiles(doc.substr(screens + 8, doc.find("```", screens + 8) - screens - 8));
  ASSERT_TRUE(texts) << texts.error();
  EXPECT_NE(texts->at(0).screens.at("policy").message.find("Sicherheitsrichtlinien"), std::string::npos);
  EXPECT_EQ(texts->at(0).screens.at("error").title, "Outlook error");
}

}  // namespace
