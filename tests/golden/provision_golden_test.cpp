// Our Provision documents against the golden ones: written from PROVISIONING.md 3.2-3.3 by
// provision_documents.py and encoded by libwbxml (regenerate.sh), for three policies and four
// protocol versions. Equal bytes mean equal elements, order, empty elements and values.
#include <gtest/gtest.h>

#include <filesystem>

#include "easemu/provisioning/document.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/process.hpp"

namespace {

namespace fs = std::filesystem;
using namespace easemu::provisioning;

const fs::path golden_dir = fs::path(EASEMU_SOURCE_DIR) / "tests" / "golden";

policy make(const std::vector<std::pair<std::string, std::string>>& params) {
  auto p = policy_from_parameters(params);
  EXPECT_TRUE(p) << p.error();
  return p ? *p : policy();
}

// The same cmdlet parameters provision_documents.py documents in each vector's .txt.
policy named(const std::string& which) {
  if (which == "default") return policy::builtin_default();
  if (which == "wp7") {
    return make({{"Name", "My WP7 Policy"}, {"AllowNonProvisionableDevices", "$false"},
                 {"DevicePasswordEnabled", "$false"}, {"MinDevicePasswordLength", "$null"},
                 {"MaxInactivityTimeDeviceLock", "unlimited"}, {"MaxDevicePasswordFailedAttempts", "unlimited"},
                 {"AllowSimpleDevicePassword", "$true"}, {"DevicePasswordExpiration", "unlimited"},
                 {"DevicePasswordHistory", "0"}, {"AllowStorageCard", "$true"}, {"AllowIrDA", "$true"},
                 {"AllowDesktopSync", "$true"}, {"AllowRemoteDesktop", "$true"}, {"AllowInternetSharing", "$true"}});
  }
  return make({{"Name", "Strict"}, {"DevicePasswordEnabled", "$true"}, {"AlphanumericDevicePasswordRequired", "$true"},
               {"RequireStorageCardEncryption", "$true"}, {"MinDevicePasswordLength", "8"},
               {"MaxInactivityTimeDeviceLock", "00:05:00"}, {"MaxDevicePasswordFailedAttempts", "8"},
               {"MaxAttachmentSize", "10MB"}, {"DevicePasswordExpiration", "90"}, {"DevicePasswordHistory", "5"},
               {"AllowCamera", "$false"}, {"RequireDeviceEncryption", "$true"},
               {"MinDevicePasswordComplexCharacters", "3"}, {"AllowBluetooth", "HandsfreeOnly"},
               {"MaxEmailAgeFilter", "TwoWeeks"}, {"UnapprovedInROMApplicationList", "game.exe"}});
}

class ProvisionGolden : public ::testing::TestWithParam<std::tuple<const char*, const char*>> {};

TEST_P(ProvisionGolden, DocumentEqualsLibwbxmlsEncoding) {
  const auto [which, version_text] = GetParam();
  const auto version = *easemu::parse_protocol_version(version_text);
  const auto name = std::string("provisiondoc-") + which + "-" + version_text;
  const auto expected = easemu::test::read_file(golden_dir / (name + ".wbxml"));
  ASSERT_FALSE(expected.empty()) << name << ".wbxml missing";
  const auto doc = provision_document(named(which), version);
  const auto ours = easemu::wbxml::encode(doc);
  ASSERT_TRUE(ours);
  EXPECT_EQ(*ours, expected) << name << "\nours: " << easemu::wbxml::to_xml(doc);
}

INSTANTIATE_TEST_SUITE_P(Policies, ProvisionGolden,
                         ::testing::Combine(::testing::Values("default", "wp7", "strict"),
                                            ::testing::Values("12.0", "12.1", "14.1", "16.1")),
                         [](const auto& info) {
                           std::string v = std::get<1>(info.param);
                           std::replace(v.begin(), v.end(), '.', '_');
                           return std::string(std::get<0>(info.param)) + "_" + v;
                         });

}  // namespace
