// What the phones show (presentation.hpp): the Windows codes against the anchors PROVISIONING.md
// 2.4 documents, the styles' screens, and every scenario of PROVISIONING.md 6.
#include "easemu/phone/presentation.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <ostream>
#include <string>

namespace easemu::phone {
// Readable failures.
void PrintTo(category c, std::ostream* os) { *os << to_string(c); }
}  // namespace easemu::phone

namespace {

using namespace easemu::phone;

const device_profile& builtin(std::string_view name) {
  const auto* p = find_profile(name);
  EXPECT_NE(p, nullptr) << name;
  return *p;
}

outcome eas(int status) { return {outcome_kind::eas_status, status, "mail.lab.test", {}, 0}; }
outcome http(int status) { return {outcome_kind::http_status, status, "mail.lab.test", {}, 0}; }
outcome failure(outcome_kind k) { return {k, 0, "mail.lab.test", {}, 0}; }

std::string code_of(const outcome& o) { return present(builtin("wp7"), o).code_text(); }

TEST(NexusCodes, DocumentedAnchors) {
  // PROVISIONING.md 2.4 (SURFACEHUB): the six 0x86000Cxx codes Microsoft names, by EAS status.
  const std::pair<int, const char*> anchors[] = {
      {111, "86000C0A"}, {114, "86000C0D"}, {123, "86000C16"}, {143, "86000C2A"}, {144, "86000C2B"}, {177, "86000C4C"}};
  for (const auto& [status, code] : anchors) {
    EXPECT_EQ(code_of(eas(status)), code) << status;
    EXPECT_EQ(nexus_code(eas(status))->basis, code_basis::documented) << status;
  }
}

TEST(NexusCodes, DerivedFromTheAnchors) {
  // PROVISIONING.md 2.4's predictions from the rule.
  const std::pair<int, const char*> predicted[] = {{139, "86000C26"}, {140, "86000C27"}, {141, "86000C28"},
                                                   {142, "86000C29"}, {145, "86000C2C"}, {126, "86000C19"},
                                                   {129, "86000C1C"}, {130, "86000C1D"}};
  for (const auto& [status, code] : predicted) {
    const auto c = nexus_code(eas(status));
    ASSERT_TRUE(c) << status;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08X", c->value);
    EXPECT_EQ(std::string(buf), code) << status;
    EXPECT_EQ(c->basis, code_basis::derived) << status;
  }
  // Command-level statuses (below 101) are not common statuses: no code.
  EXPECT_FALSE(nexus_code(eas(9)));
  EXPECT_FALSE(nexus_code(eas(157)));  // a gap in MS-ASCMD 2.2.2
}

TEST(NexusCodes, HttpTlsAndNetwork) {
  // PROVISIONING.md 2.4 and 6.
  EXPECT_EQ(code_of(http(401)), "85050002");
  EXPECT_EQ(code_of(http(403)), "85010004");
  EXPECT_EQ(code_of(http(404)), "85010005");
  EXPECT_EQ(code_of(http(500)), "85010014");
  EXPECT_EQ(code_of(http(503)), "85010017");
  EXPECT_EQ(code_of(failure(outcome_kind::certificate_untrusted)), "80072F0D");
  EXPECT_EQ(code_of(failure(outcome_kind::name_not_resolved)), "80072EE7");
  EXPECT_EQ(code_of(failure(outcome_kind::timeout)), "80072EE2");
  EXPECT_EQ(code_of(failure(outcome_kind::client_certificate_required)), "85030027");
  EXPECT_EQ(code_of(failure(outcome_kind::autodiscover_failed)), "80072EE7");
  // wininet.h numbers 12038, 12037, 12157, 12029 as HRESULTs.
  EXPECT_EQ(code_of(failure(outcome_kind::certificate_name_mismatch)), "80072F06");
  EXPECT_EQ(code_of(failure(outcome_kind::certificate_expired)), "80072F05");
  EXPECT_EQ(code_of(failure(outcome_kind::tls_version_refused)), "80072F7D");
  EXPECT_EQ(code_of(failure(outcome_kind::connection_refused)), "80072EFD");
  EXPECT_EQ(code_of(http(451)), "");
}

TEST(Screens, Wp7ShowsThePolicyMessageAnd86000C2B) {
  const auto s = present(builtin("wp7"), eas(144));
  EXPECT_TRUE(s.error);
  EXPECT_EQ(s.what, category::policy);
  EXPECT_NE(s.text().find("mail.lab.test requires that certain security policies be enforced"), std::string::npos) << s.text();
  EXPECT_NE(s.text().find("Error code: 86000C2B"), std::string::npos) << s.text();
  // The Exchange 2013+ form of the same setup.
  EXPECT_NE(present(builtin("wp7"), eas(139)).text().find("Error code: 86000C26"), std::string::npos);
  EXPECT_EQ(present(builtin("wp8"), eas(144)).code_text(), "86000C2B");
}

// The screen Microsoft's WP7 deployment article quotes for 86000C2B, line by line, on every
// Windows Phone (their profiles carry the same texts).
TEST(Screens, WindowsPhonesShowTheArticlesOutlookErrorScreen) {
  outcome o = eas(144);
  o.seconds_since_try = 12;
  for (const char* name : {"wp7", "wp75", "wp8"}) {
    EXPECT_EQ(present(builtin(name), o).text(),
              "Outlook error\n"
              "mail.lab.test requires that certain security policies be enforced before you can sync your information. "
              "Contact a support person or your service provider.\n"
              "Last tried 12 seconds ago\n"
              "Error code: 86000C2B")
        << name;
  }
  // The phone's own verdict on a policy and the 2013+ status show the same page with their codes.
  EXPECT_EQ(present(builtin("wp7"), eas(139)).title, "Outlook error");
  EXPECT_EQ(present(builtin("wp7"), failure(outcome_kind::policies_unsupported)).footer, "Last tried 0 seconds ago");
}

TEST(Screens, WindowsPhonesUntrustedCertificateScreen) {
  EXPECT_EQ(present(builtin("wp7"), failure(outcome_kind::certificate_untrusted)).text(),
            "Outlook error\n"
            "There's a problem with the certificate for mail.lab.test. Contact a support person or your service provider.\n"
            "Last tried 0 seconds ago\n"
            "Error code: 80072F0D");
}

TEST(Screens, EachDeviceHasItsOwnUntrustedCertificateText) {
  const auto wm = present(builtin("wm65"), failure(outcome_kind::certificate_untrusted));
  EXPECT_EQ(wm.title, "ActiveSync");
  EXPECT_EQ(wm.code_text(), "80072F0D");
  EXPECT_NE(wm.message.find("Install the root certificate"), std::string::npos) << wm.message;
  const auto ios = present(builtin("ios"), failure(outcome_kind::certificate_untrusted));
  EXPECT_EQ(ios.text(),
            "Cannot Verify Server Identity\n"
            "Mail can't verify the identity of \"mail.lab.test\". Review the certificate details to continue.");
  const auto android = present(builtin("android"), failure(outcome_kind::certificate_untrusted));
  EXPECT_EQ(android.text(), "Setup could not finish\nCan't connect to mail.lab.test: its certificate is not trusted.");
  const auto outlook = present(builtin("outlook-mobile"), failure(outcome_kind::certificate_untrusted));
  EXPECT_EQ(outlook.title, "Connection not secure");
  EXPECT_FALSE(outlook.code);
}

TEST(Screens, AProfilesOwnTextsWinFromGeneralToSpecific) {
  auto p = builtin("wp7");
  p.screens["status_144"] = {"", "Only 144: {detail} on {server}", ""};
  EXPECT_EQ(present(p, eas(144)).message, "Only 144: EAS status 144 InvalidPolicyKey on mail.lab.test");
  EXPECT_EQ(present(p, eas(144)).title, "Outlook error");  // from "error"
  EXPECT_NE(present(p, eas(143)).message.find("certain security policies"), std::string::npos);  // from "policy"
  p.screens.clear();
  EXPECT_EQ(present(p, eas(144)).title, "Sync problem");  // the style's own words without data
}

TEST(Screens, Wp7UntrustedCertificate) {
  const auto s = present(builtin("wp7"), failure(outcome_kind::certificate_untrusted));
  EXPECT_EQ(s.what, category::certificate);
  EXPECT_NE(s.text().find("Error code: 80072F0D"), std::string::npos);
  EXPECT_NE(s.message.find("mail.lab.test"), std::string::npos);
}

TEST(Screens, AndroidListsTheUnsupportedPolicies) {
  outcome o = failure(outcome_kind::policies_unsupported);
  o.unenforceable = {"AllowStorageCard", "AllowBluetooth"};
  const auto s = present(builtin("android"), o);
  EXPECT_EQ(s.title, "Security policies unsupported");
  EXPECT_EQ(s.items, o.unenforceable);
  EXPECT_NE(s.text().find("\n  AllowBluetooth"), std::string::npos);
  EXPECT_FALSE(s.code);
}

TEST(Screens, AndroidAccessDenied) {
  // PROVISIONING.md 2.4: AOSP treats these as RESULT_FORBIDDEN.
  for (const int status : {126, 127, 128, 129, 130, 131, 139, 141, 177}) {
    const auto s = present(builtin("android"), eas(status));
    EXPECT_EQ(s.title, "Access denied") << status;
    EXPECT_TRUE(s.error);
    EXPECT_NE(s.message.find(std::to_string(status)), std::string::npos) << s.message;
  }
  EXPECT_NE(present(builtin("android"), eas(144)).title, "Access denied");
}

TEST(Screens, IosCannotVerifyServerIdentity) {
  for (const auto k : {outcome_kind::certificate_untrusted, outcome_kind::certificate_name_mismatch,
                       outcome_kind::certificate_expired}) {
    const auto s = present(builtin("ios"), failure(k));
    EXPECT_EQ(s.title, "Cannot Verify Server Identity") << to_string(k);
    EXPECT_NE(s.message.find("mail.lab.test"), std::string::npos);
  }
}

TEST(Screens, SuccessAndWipeAreNotErrors) {
  for (const auto& p : builtin_profiles()) {
    const auto ok = present(p, failure(outcome_kind::success));
    EXPECT_FALSE(ok.error) << p.name;
    EXPECT_FALSE(ok.code) << p.name;
    EXPECT_EQ(ok.text().find("Error code"), std::string::npos);
    EXPECT_FALSE(present(p, failure(outcome_kind::wiped)).error) << p.name;
  }
  const auto account_only = present(builtin("outlook-mobile"), failure(outcome_kind::wiped));
  EXPECT_EQ(account_only.title, "Account removed");
}

TEST(Screens, NoServerNameStillReadsWell) {
  outcome o = eas(144);
  o.server.clear();
  EXPECT_NE(present(builtin("wp7"), o).message.find("The server requires"), std::string::npos);
}

TEST(StatusNames, SpecSpelling) {
  EXPECT_EQ(eas_status_name(144), "InvalidPolicyKey");
  EXPECT_EQ(eas_status_name(139), "DeviceNotFullyProvisionable");
  EXPECT_EQ(eas_status_name(177), "MaximumDevicesReached");
  EXPECT_EQ(eas_status_name(1), "");
}

// PROVISIONING.md 6, row by row: the outcome, its category, and the Windows code the table gives.
struct scenario {
  const char* name;
  outcome o;
  category what;
  const char* wp_code;  // "" when the table gives none and none can be derived
};

void PrintTo(const scenario& s, std::ostream* os) { *os << s.name; }

class Section6 : public ::testing::TestWithParam<scenario> {};

TEST_P(Section6, EveryProfileShowsIt) {
  const auto& sc = GetParam();
  EXPECT_EQ(classify(sc.o), sc.what);
  EXPECT_EQ(present(builtin("wp7"), sc.o).code_text(), sc.wp_code);
  for (const auto& p : builtin_profiles()) {
    const auto s = present(p, sc.o);
    EXPECT_TRUE(s.error || sc.what == category::wiped) << p.name;
    EXPECT_FALSE(s.title.empty()) << p.name;
    EXPECT_FALSE(s.message.empty()) << p.name;
    if (p.style != error_style::windows_nexus) {
      EXPECT_FALSE(s.code) << p.name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Scenarios, Section6,
    ::testing::Values(
        scenario{"needs_provisioning_449", http(449), category::policy, ""},
        scenario{"needs_provisioning_142", eas(142), category::policy, "86000C29"},
        scenario{"stale_key_144", eas(144), category::policy, "86000C2B"},
        scenario{"refresh_143", eas(143), category::policy, "86000C2A"},
        scenario{"no_key_141", eas(141), category::policy, "86000C28"},
        scenario{"partial_ack_139", eas(139), category::policy, "86000C26"},
        scenario{"external_145", eas(145), category::policy, "86000C2C"},
        scenario{"wipe_140", eas(140), category::wiped, ""},
        scenario{"blocked_129", eas(129), category::access_denied, "86000C1C"},
        scenario{"blocked_403", http(403), category::access_denied, "85010004"},
        scenario{"auto_blocked_503", http(503), category::server, "85010017"},
        scenario{"over_budget_111", eas(111), category::server, "86000C0A"},
        scenario{"eas_disabled_126", eas(126), category::access_denied, "86000C19"},
        scenario{"partnerships_177", eas(177), category::access_denied, "86000C4C"},
        scenario{"wrong_password_401", http(401), category::credentials, "85050002"},
        scenario{"password_expired_130", eas(130), category::access_denied, "86000C1D"},
        scenario{"password_expired_457", http(457), category::credentials, "85050003"},
        scenario{"redirect_451", http(451), category::server, ""},
        scenario{"mailbox_full_507", http(507), category::server, ""},
        scenario{"mailbox_full_113", eas(113), category::server, "86000C0C"},
        scenario{"version_400", http(400), category::protocol, ""},
        scenario{"version_138", eas(138), category::protocol, "86000C25"},
        scenario{"command_501", http(501), category::protocol, ""},
        scenario{"command_137", eas(137), category::protocol, "86000C24"},
        scenario{"server_error_500", http(500), category::server, "85010014"},
        scenario{"server_error_110", eas(110), category::server, "86000C09"},
        scenario{"untrusted", failure(outcome_kind::certificate_untrusted), category::certificate, "80072F0D"},
        scenario{"name_mismatch", failure(outcome_kind::certificate_name_mismatch), category::certificate, "80072F06"},
        scenario{"expired", failure(outcome_kind::certificate_expired), category::certificate, "80072F05"},
        scenario{"tls_version", failure(outcome_kind::tls_version_refused), category::tls, "80072F7D"},
        scenario{"client_cert", failure(outcome_kind::client_certificate_required), category::credentials, "85030027"},
        scenario{"autodiscover", failure(outcome_kind::autodiscover_failed), category::not_found, "80072EE7"},
        scenario{"not_found_404", http(404), category::not_found, "85010005"},
        scenario{"options_header", failure(outcome_kind::options_header_missing), category::not_found, ""},
        scenario{"name_not_resolved", failure(outcome_kind::name_not_resolved), category::network, "80072EE7"},
        scenario{"timeout", failure(outcome_kind::timeout), category::network, "80072EE2"},
        scenario{"refused", failure(outcome_kind::connection_refused), category::network, "80072EFD"},
        scenario{"no_mailbox_123", eas(123), category::not_found, "86000C16"},
        scenario{"server_offline_114", eas(114), category::server, "86000C0D"},
        scenario{"device_info_165", eas(165), category::protocol, "86000C40"}),
    [](const ::testing::TestParamInfo<scenario>& info) { return std::string(info.param.name); });

}  // namespace
