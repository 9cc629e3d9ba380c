// What the simulated phones do with real policy documents (enforcement.hpp): documents come from
// provisioning::provision_document / provision() for policies built with the policy API.
#include "easemu/phone/enforcement.hpp"

#include <gtest/gtest.h>

#include <set>

#include "easemu/provisioning/document.hpp"
#include "easemu/provisioning/provision.hpp"
#include "easemu/phone/presentation.hpp"
#include "easemu/wbxml/codec.hpp"

namespace {

using namespace easemu::phone;
using easemu::protocol_version;
using easemu::provisioning::policy;
using easemu::provisioning::setting;
using easemu::wbxml::element;
using easemu::wbxml::tag;
namespace prov = easemu::provisioning;

const device_profile& builtin(std::string_view name) {
  const auto* p = find_profile(name);
  EXPECT_NE(p, nullptr) << name;
  return *p;
}

policy make(std::vector<std::pair<std::string, std::string>> params) {
  params.insert(params.begin(), {"Name", "Test"});
  auto p = prov::policy_from_parameters(params);
  EXPECT_TRUE(p) << p.error();
  return *p;
}

// Every document setting away from its permissive value (the largest value unless that is the
// default, then the smallest; a list with one entry).
policy everything_required() {
  policy p;
  for (const auto& s : prov::all_settings()) {
    if (!s.sent()) continue;
    if (s.kind == prov::setting_kind::name_list) {
      p.set(s.id, {0, {"game.exe"}});
    } else if (s.kind == prov::setting_kind::hash_list) {
      p.set(s.id, {0, {"00ff10"}});
    } else {
      p.set(s.id, {s.max != s.default_value ? s.max : s.min, {}});
    }
  }
  return p;
}

// The document as it crosses the wire: encoded to WBXML and decoded again.
element over_the_wire(const element& doc) {
  auto bytes = easemu::wbxml::encode(doc);
  EXPECT_TRUE(bytes);
  auto decoded = easemu::wbxml::decode(*bytes);
  EXPECT_TRUE(decoded);
  return *decoded;
}

std::set<std::string> names(const std::vector<setting>& settings) {
  std::set<std::string> out;
  for (const auto s : settings) out.emplace(prov::info(s).name);
  return out;
}

TEST(Enforcement, Wp7CannotEncryptSoItAcknowledgesPartially) {
  const auto p = make({{"DevicePasswordEnabled", "$true"}, {"MinDevicePasswordLength", "6"},
                       {"MaxInactivityTimeDeviceLock", "00:15:00"}, {"RequireDeviceEncryption", "$true"}});
  const auto e = enforce(builtin("wp7"), over_the_wire(prov::provision_document(p, protocol_version::v14_0)));
  EXPECT_EQ(e.unenforceable_names(), std::vector<std::string>{"RequireDeviceEncryption"});
  EXPECT_EQ(e.ack_status, 2);
  EXPECT_FALSE(e.fully_applied());
  const auto* length = e.find(setting::MinDevicePasswordLength);
  ASSERT_NE(length, nullptr);
  EXPECT_EQ(length->text, "6");
  EXPECT_TRUE(length->requiring);
  EXPECT_EQ(length->verdict, support::enforced);
  const auto* lock = e.find(setting::MaxInactivityTimeDeviceLock);
  EXPECT_EQ(lock->value.number, 900);  // seconds on the wire
  // Not required, so not a problem, even though WP7 could not enforce it.
  const auto* camera = e.find(setting::AllowCamera);
  ASSERT_NE(camera, nullptr);
  EXPECT_FALSE(camera->requiring);
  EXPECT_EQ(camera->verdict, support::cannot_enforce);
  EXPECT_TRUE(e.unknown_elements.empty());
}

TEST(Enforcement, Wp7SyncsWithMicrosoftsTwelve) {
  // The policy Microsoft recommends for WP7: only the twelve items (PROVISIONING.md 4.1).
  const auto p = make({{"DevicePasswordEnabled", "$true"}, {"MinDevicePasswordLength", "6"},
                       {"MaxInactivityTimeDeviceLock", "00:10:00"}, {"MaxDevicePasswordFailedAttempts", "8"},
                       {"AllowSimpleDevicePassword", "$false"}, {"DevicePasswordExpiration", "90"},
                       {"DevicePasswordHistory", "5"}, {"AllowStorageCard", "$false"}, {"AllowIrDA", "$false"},
                       {"AllowDesktopSync", "$false"}, {"AllowRemoteDesktop", "$false"},
                       {"AllowInternetSharing", "$false"}});
  const auto e = check_policy(builtin("wp7"), p, protocol_version::v14_0);
  EXPECT_TRUE(e.fully_applied()) << testing::PrintToString(e.unenforceable_names());
  EXPECT_EQ(e.ack_status, 1);
  int requiring = 0;
  for (const auto& el : e.elements) requiring += el.requiring ? 1 : 0;
  EXPECT_EQ(requiring, 12);
}

TEST(Enforcement, EverythingRequiredSplitsThePhones) {
  const auto p = everything_required();
  // WM 6.5 enforces all of it.
  const auto wm = check_policy(builtin("wm65"), p, protocol_version::v12_1);
  EXPECT_TRUE(wm.fully_applied()) << testing::PrintToString(wm.unenforceable_names());
  EXPECT_EQ(wm.ack_status, 1);
  for (const auto& el : wm.elements) EXPECT_TRUE(el.requiring) << el.name;
  // WP7 cannot do anything outside its twelve.
  const auto wp = check_policy(builtin("wp7"), p, protocol_version::v14_0);
  std::set<std::string> expected;
  for (const auto& s : prov::all_settings()) {
    if (s.sent()) expected.emplace(s.name);
  }
  for (const char* ok : {"DevicePasswordEnabled", "MinDevicePasswordLength", "MaxInactivityTimeDeviceLock",
                         "MaxDevicePasswordFailedAttempts", "AllowSimpleDevicePassword", "DevicePasswordExpiration",
                         "DevicePasswordHistory", "AllowStorageCard", "AllowIrDA", "AllowDesktopSync",
                         "AllowRemoteDesktop", "AllowInternetSharing"}) {
    expected.erase(ok);
  }
  EXPECT_EQ(names(wp.unenforceable), expected);
  EXPECT_EQ(wp.ack_status, 2);
}

TEST(Enforcement, AndroidAppliesWhatItCanAndAcknowledgesTwo) {
  const auto p = make({{"DevicePasswordEnabled", "$true"}, {"AllowSimpleDevicePassword", "$false"},
                       {"AllowStorageCard", "$false"}, {"AllowBluetooth", "HandsfreeOnly"},
                       {"AllowCamera", "$false"}, {"MaxEmailAgeFilter", "TwoWeeks"}});
  const auto e = check_policy(builtin("android"), p, protocol_version::v14_1);
  // PROVISIONING.md 4.1: storage card and Bluetooth < 2 are unsupported; the simple-password
  // setting is accepted and ignored; camera and the age filter are enforced.
  EXPECT_EQ(e.unenforceable_names(), (std::vector<std::string>{"AllowStorageCard", "AllowBluetooth"}));
  EXPECT_EQ(e.ack_status, 2);
  EXPECT_EQ(e.find(setting::AllowSimpleDevicePassword)->verdict, support::ignored);
  EXPECT_TRUE(e.find(setting::AllowSimpleDevicePassword)->requiring);
  EXPECT_EQ(e.find(setting::AllowCamera)->verdict, support::enforced);
}

TEST(Enforcement, AndroidTakesAnMd5SignatureAlgorithmForAnSmimeRequirement) {
  // PROVISIONING.md 7.11: AOSP reports RequireSignedSMIMEAlgorithm=1 as unsupported.
  const auto e = check_policy(builtin("android"), make({{"RequireSignedSMIMEAlgorithm", "MD5"}}), protocol_version::v14_1);
  EXPECT_EQ(e.unenforceable_names(), std::vector<std::string>{"RequireSignedSMIMEAlgorithm"});
  EXPECT_EQ(check_policy(builtin("wm65"), make({{"RequireSignedSMIMEAlgorithm", "MD5"}}), protocol_version::v12_1).ack_status, 1);
}

TEST(Enforcement, PasswordSettingsDoNotCountWithoutAPassword) {
  // MS-ASPROV 2.2.2.20 etc.: with DevicePasswordEnabled 0 the client ignores them.
  const auto p = make({{"AlphanumericDevicePasswordRequired", "$true"}, {"MinDevicePasswordLength", "8"},
                       {"PasswordRecoveryEnabled", "$true"}});
  const auto e = check_policy(builtin("wp7"), p, protocol_version::v14_0);
  EXPECT_EQ(e.ack_status, 1);
  EXPECT_FALSE(e.find(setting::AlphanumericDevicePasswordRequired)->requiring);
  // With a password they count, and WP7 cannot do alphanumeric or recovery.
  auto with_password = p;
  ASSERT_EQ(with_password.set_parameter("DevicePasswordEnabled", "$true"), "");
  const auto strict = check_policy(builtin("wp7"), with_password, protocol_version::v14_0);
  EXPECT_EQ(strict.unenforceable_names(),
            (std::vector<std::string>{"AlphanumericDevicePasswordRequired", "PasswordRecoveryEnabled"}));
  EXPECT_EQ(strict.ack_status, 2);
}

TEST(Enforcement, ComplexCharactersCountOnlyWithAlphanumeric) {
  // PROVISIONING.md 2.1 (provisioning::policy::is_requirement).
  const auto loose = make({{"DevicePasswordEnabled", "$true"}, {"MinDevicePasswordComplexCharacters", "3"}});
  EXPECT_EQ(check_policy(builtin("wp7"), loose, protocol_version::v14_0).ack_status, 1);
  const auto tight = make({{"DevicePasswordEnabled", "$true"}, {"AlphanumericDevicePasswordRequired", "$true"},
                           {"MinDevicePasswordComplexCharacters", "3"}});
  EXPECT_EQ(names(check_policy(builtin("wp7"), tight, protocol_version::v14_0).unenforceable),
            (std::set<std::string>{"AlphanumericDevicePasswordRequired", "MinDevicePasswordComplexCharacters"}));
  EXPECT_EQ(check_policy(builtin("wp8"), tight, protocol_version::v14_1).ack_status, 1);
}

TEST(Enforcement, ThePermissivePolicyIsAppliedByEveryPhone) {
  for (const auto& profile : builtin_profiles()) {
    for (const auto v : profile.versions) {
      const auto e = check_policy(profile, policy(), v);
      EXPECT_EQ(e.ack_status, 1) << profile.name << " " << easemu::to_string(v);
      for (const auto& el : e.elements) EXPECT_FALSE(el.requiring) << profile.name << " " << el.name;
    }
    const auto relaxed = enforce(profile, prov::relaxed_document());
    EXPECT_EQ(relaxed.ack_status, 1);
    EXPECT_EQ(relaxed.elements.size(), 1u);
  }
}

TEST(Enforcement, IosAndOutlookAcceptWhatTheyDoNotHave) {
  const auto ir = make({{"AllowIrDA", "$false"}, {"AllowDesktopSync", "$false"}, {"AllowCamera", "$false"}});
  EXPECT_EQ(check_policy(builtin("ios"), ir, protocol_version::v16_1).ack_status, 1);
  EXPECT_EQ(check_policy(builtin("outlook-mobile"), ir, protocol_version::v16_1).ack_status, 1);
  // PROVISIONING.md 4.1: PasswordRecoveryEnabled does not work on iOS.
  const auto recovery = make({{"DevicePasswordEnabled", "$true"}, {"PasswordRecoveryEnabled", "$true"}});
  const auto e = check_policy(builtin("ios"), recovery, protocol_version::v16_1);
  EXPECT_EQ(e.unenforceable_names(), std::vector<std::string>{"PasswordRecoveryEnabled"});
  EXPECT_EQ(e.ack_status, 2);
}

TEST(Enforcement, ReactionsDecideTheAcknowledgement) {
  const auto loaded = load_profiles(R"(- name: stubborn
  base: wp7
  on_unenforceable: refuse
- name: liar
  base: wp7
  on_unenforceable: ack_ok_anyway
)");
  ASSERT_TRUE(loaded) << loaded.error();
  const auto p = make({{"RequireDeviceEncryption", "$true"}});
  const auto refused = check_policy((*loaded)[0], p, protocol_version::v14_0);
  EXPECT_EQ(refused.ack_status, 3);  // MS-ASPROV 2.2.2.54.1: not applied
  EXPECT_FALSE(refused.fully_applied());
  const auto lied = check_policy((*loaded)[1], p, protocol_version::v14_0);
  EXPECT_EQ(lied.ack_status, 1);
  EXPECT_EQ(lied.unenforceable_names(), std::vector<std::string>{"RequireDeviceEncryption"});
}

TEST(Enforcement, ClientReadingRules) {
  element doc(tag("Provision:EASProvisionDoc"));
  doc.add(tag("Provision:DevicePasswordEnabled"), "1");
  doc.add(tag("Provision:MaxInactivityTimeDeviceLock"), "9999");  // MS-ASPROV 2.2.2.36: unlimited
  doc.add(tag("Provision:MinDevicePasswordLength"), "1");         // 2.2.2.38: no minimum
  doc.add(tag("Provision:DevicePasswordExpiration"), "0");        // 2.2.2.26: never
  doc.add(tag("Provision:MaxAttachmentSize"));                     // empty: no limit
  doc.add(tag("Provision:AllowCamera"), "yes");                    // unreadable
  doc.add(tag("AirSync:Status"), "1");                             // not a policy element
  const auto e = enforce(builtin("wp8"), doc);
  EXPECT_FALSE(e.find(setting::MaxInactivityTimeDeviceLock)->requiring);
  EXPECT_FALSE(e.find(setting::MinDevicePasswordLength)->requiring);
  EXPECT_FALSE(e.find(setting::DevicePasswordExpiration)->requiring);
  EXPECT_EQ(e.find(setting::MaxAttachmentSize)->value.number, prov::null_value);
  EXPECT_TRUE(e.find(setting::AllowCamera)->malformed);
  EXPECT_EQ(e.unenforceable_names(), std::vector<std::string>{"AllowCamera"});
  EXPECT_EQ(e.ack_status, 2);
  EXPECT_EQ(e.unknown_elements, std::vector<std::string>{"Status"});
}

TEST(Enforcement, ApplicationListsAreRequirementsWhenNotEmpty) {
  const auto p = make({{"UnapprovedInROMApplicationList", "game.exe,chat.exe"}});
  const auto e = check_policy(builtin("android"), p, protocol_version::v14_1);
  EXPECT_EQ(e.find(setting::UnapprovedInROMApplicationList)->text, "game.exe,chat.exe");
  EXPECT_EQ(e.unenforceable_names(), std::vector<std::string>{"UnapprovedInROMApplicationList"});
  EXPECT_FALSE(e.find(setting::ApprovedApplicationList)->requiring);
}

TEST(Enforcement, WapDocumentFor25) {
  const auto p = make({{"DevicePasswordEnabled", "$true"}, {"MaxInactivityTimeDeviceLock", "00:15:00"},
                       {"MaxDevicePasswordFailedAttempts", "8"}, {"MinDevicePasswordLength", "6"},
                       {"AlphanumericDevicePasswordRequired", "$true"}});
  const auto e = enforce_wap(builtin("wm65"), prov::wap_provisioning_document(p));
  EXPECT_EQ(e.ack_status, 1);
  EXPECT_TRUE(e.unknown_elements.empty());
  ASSERT_NE(e.find(setting::DevicePasswordEnabled), nullptr);
  EXPECT_EQ(e.find(setting::DevicePasswordEnabled)->value.number, 1);  // parm 4131 = 0
  EXPECT_EQ(e.find(setting::MaxInactivityTimeDeviceLock)->value.number, 900);
  EXPECT_EQ(e.find(setting::MaxDevicePasswordFailedAttempts)->value.number, 8);
  EXPECT_EQ(e.find(setting::MinDevicePasswordLength)->value.number, 6);
  EXPECT_EQ(e.find(setting::AlphanumericDevicePasswordRequired)->value.number, 1);
  for (const auto& el : e.elements) EXPECT_TRUE(el.requiring) << el.name;
  // A 2.5 WP7 cannot do alphanumeric passwords either.
  const auto wp = check_policy(builtin("wp7"), p, protocol_version::v2_5);
  EXPECT_EQ(wp.unenforceable_names(), std::vector<std::string>{"AlphanumericDevicePasswordRequired"});
  // No password: the document says only that.
  const auto none = enforce_wap(builtin("wp7"), prov::wap_provisioning_document(policy()));
  EXPECT_EQ(none.elements.size(), 1u);
  EXPECT_FALSE(none.elements[0].requiring);
  EXPECT_EQ(none.ack_status, 1);
}

// Through the server's Provision phases: the document a phone downloads, its verdict, and what
// Exchange does with the acknowledgement (PROVISIONING.md 2.1, 2.2).
TEST(Enforcement, AcknowledgementMeetsTheServer) {
  const auto p = make({{"DevicePasswordEnabled", "$true"}, {"RequireDeviceEncryption", "$true"},
                       {"AllowNonProvisionableDevices", "$true"}});
  const auto v = protocol_version::v14_0;
  prov::device_state state;
  element download(tag("Provision:Provision"));
  download.add(tag("Provision:Policies")).add(tag("Provision:Policy")).add(tag("Provision:PolicyType"), prov::policy_type_for(v));
  auto r = prov::provision({v, &download, &state, &p, prov::rules_for("2010SP1"), 4711, 1});
  ASSERT_TRUE(r.body);
  const auto body = over_the_wire(*r.body);
  const auto* pol = body.child(tag("Provision:Policies"))->child(tag("Provision:Policy"));
  const auto& doc = pol->child(tag("Provision:Data"))->children.at(0);
  const auto e = enforce(builtin("wp7"), doc);
  ASSERT_EQ(e.ack_status, 2);

  element ack(tag("Provision:Provision"));
  auto& ap = ack.add(tag("Provision:Policies")).add(tag("Provision:Policy"));
  ap.add(tag("Provision:PolicyType"), prov::policy_type_for(v));
  ap.add(tag("Provision:PolicyKey"), std::string(pol->child_text(tag("Provision:PolicyKey"))));
  ap.add(tag("Provision:Status"), std::to_string(e.ack_status));
  state = r.state;
  r = prov::provision({v, &ack, &state, &p, prov::rules_for("2010SP1"), 4712, 2});
  EXPECT_EQ(r.state.status, prov::application_status::partially_applied);
  EXPECT_NE(r.state.policy_key, 0u);
}

// PROVISIONING.md 2.5 end to end on the pure functions: Exchange 2010, ANP $false, a policy with
// RequireDeviceEncryption. WP7 acknowledges 2, gets no permanent key, keeps its temporary one,
// its FolderSync fails with 144 and it shows 86000C2B. With ANP $true the same phone syncs.
struct wp7_flow {
  int ack_status = 0;
  std::uint32_t key_sent_next = 0;
  prov::eas_error next_command;
  prov::device_state state;
};

wp7_flow run_wp7(bool anp) {
  const auto p = make({{"DevicePasswordEnabled", "$true"}, {"RequireDeviceEncryption", "$true"},
                       {"AllowNonProvisionableDevices", anp ? "$true" : "$false"}});
  const auto& phone = builtin("wp7");
  const auto v = *pick_version(phone, "2.0,2.1,2.5,12.0,12.1,14.0,14.1");
  const auto rules = prov::rules_for("2010SP1");
  wp7_flow out;
  element download(tag("Provision:Provision"));
  download.add(tag("Provision:Policies")).add(tag("Provision:Policy")).add(tag("Provision:PolicyType"), prov::policy_type_for(v));
  auto r = prov::provision({v, &download, &out.state, &p, rules, 4711, 1});
  out.state = r.state;
  const auto body = over_the_wire(*r.body);
  const auto* pol = body.child(tag("Provision:Policies"))->child(tag("Provision:Policy"));
  const auto temporary = std::string(pol->child_text(tag("Provision:PolicyKey")));
  const auto e = enforce(phone, pol->child(tag("Provision:Data"))->children.at(0));
  out.ack_status = e.ack_status;

  element ack(tag("Provision:Provision"));
  auto& ap = ack.add(tag("Provision:Policies")).add(tag("Provision:Policy"));
  ap.add(tag("Provision:PolicyType"), prov::policy_type_for(v));
  ap.add(tag("Provision:PolicyKey"), temporary);
  ap.add(tag("Provision:Status"), std::to_string(e.ack_status));
  r = prov::provision({v, &ack, &out.state, &p, rules, 4712, 2});
  out.state = r.state;
  const auto reply = over_the_wire(*r.body);
  const auto permanent = reply.child(tag("Provision:Policies"))->child(tag("Provision:Policy"))->child_text(tag("Provision:PolicyKey"));
  if (!permanent.empty()) {
    out.key_sent_next = static_cast<std::uint32_t>(std::stoul(std::string(permanent)));
  } else if (phone.react.keeps_temporary_key) {
    out.key_sent_next = static_cast<std::uint32_t>(std::stoul(temporary));
  }
  out.next_command = prov::check_policy_key({v, out.key_sent_next, &out.state, &p, rules, 3});
  return out;
}

TEST(Wp7Flow, StrictPolicyWithoutAnpShows86000C2B) {
  const auto f = run_wp7(false);
  EXPECT_EQ(f.ack_status, 2);
  EXPECT_NE(f.key_sent_next, 0u);  // the temporary key it kept
  EXPECT_EQ(f.next_command.status, 144);
  const auto shown = present(builtin("wp7"), {outcome_kind::eas_status, f.next_command.status, "mail.lab.test", {}});
  EXPECT_NE(shown.text().find("requires that certain security policies be enforced"), std::string::npos);
  EXPECT_EQ(shown.code_text(), "86000C2B");
}

TEST(Wp7Flow, WithAnpItSyncsPartiallyApplied) {
  const auto f = run_wp7(true);
  EXPECT_EQ(f.ack_status, 2);
  EXPECT_FALSE(f.next_command);
  EXPECT_EQ(f.state.status, prov::application_status::partially_applied);
}

}  // namespace
