// Provision documents, compatibility with protocol versions, and change detection.
#include "easemu/provisioning/document.hpp"

#include <gtest/gtest.h>

#include "easemu/wbxml/xml.hpp"

namespace {

using namespace easemu::provisioning;
using easemu::protocol_version;
using easemu::wbxml::tag;

policy make(std::vector<std::pair<std::string, std::string>> params) {
  params.insert(params.begin(), {"Name", "Test"});
  auto p = policy_from_parameters(params);
  EXPECT_TRUE(p) << p.error();
  return *p;
}

std::vector<std::string> element_names(const easemu::wbxml::element& doc) {
  std::vector<std::string> out;
  for (const auto& c : doc.children) out.emplace_back(c.name());
  return out;
}

TEST(Document, VersionsGetTheirElementsInSchemaOrder) {
  const policy p;
  const auto v120 = provision_document(p, protocol_version::v12_0);
  // PROVISIONING.md 3.2: 12.0 clients get only the first twelve, in this order.
  EXPECT_EQ(element_names(v120),
            (std::vector<std::string>{"DevicePasswordEnabled", "AlphanumericDevicePasswordRequired",
                                      "PasswordRecoveryEnabled", "RequireStorageCardEncryption", "AttachmentsEnabled",
                                      "MinDevicePasswordLength", "MaxInactivityTimeDeviceLock",
                                      "MaxDevicePasswordFailedAttempts", "MaxAttachmentSize",
                                      "AllowSimpleDevicePassword", "DevicePasswordExpiration", "DevicePasswordHistory"}));
  const auto v141 = provision_document(p, protocol_version::v14_1);
  ASSERT_EQ(v141.children.size(), 42u);
  EXPECT_EQ(v141.children[12].name(), "AllowStorageCard");
  EXPECT_EQ(v141.children[41].name(), "ApprovedApplicationList");
  EXPECT_EQ(provision_document(p, protocol_version::v16_1), v141);
  EXPECT_EQ(provision_document(p, protocol_version::v12_1), v141);
}

TEST(Document, ValuesAreWhatExchangeSends) {
  const policy p;
  const auto doc = provision_document(p, protocol_version::v14_1);
  // Unlimited and $null are empty elements, booleans 0/1, truncation Unlimited -1.
  const std::string start =
            "<EASProvisionDoc xmlns=\"Provision:\"><DevicePasswordEnabled>0</DevicePasswordEnabled>"
            "<AlphanumericDevicePasswordRequired>0</AlphanumericDevicePasswordRequired>"
            "<PasswordRecoveryEnabled>0</PasswordRecoveryEnabled><RequireStorageCardEncryption>0"
            "</RequireStorageCardEncryption><AttachmentsEnabled>1</AttachmentsEnabled><MinDevicePasswordLength/>";
  EXPECT_EQ(easemu::wbxml::to_xml(doc, {false, false}).substr(0, start.size()), start);
  EXPECT_EQ(doc.child(tag("Provision:MaxInactivityTimeDeviceLock"))->kind, easemu::wbxml::content_kind::none);
  EXPECT_EQ(doc.child_text(tag("Provision:MaxEmailBodyTruncationSize")), "-1");
  EXPECT_EQ(doc.child_text(tag("Provision:AllowBluetooth")), "2");

  const auto strict = make({{"DevicePasswordEnabled", "$true"}, {"MaxInactivityTimeDeviceLock", "00:15:00"},
                            {"MaxAttachmentSize", "10MB"}, {"DevicePasswordExpiration", "90"},
                            {"UnapprovedInROMApplicationList", "game.exe,chat.exe"},
                            {"ApprovedApplicationList", "00FF10"}});
  const auto sdoc = provision_document(strict, protocol_version::v14_1);
  EXPECT_EQ(sdoc.child_text(tag("Provision:MaxInactivityTimeDeviceLock")), "900");  // seconds
  EXPECT_EQ(sdoc.child_text(tag("Provision:MaxAttachmentSize")), "10485760");       // bytes
  EXPECT_EQ(sdoc.child_text(tag("Provision:DevicePasswordExpiration")), "90");      // days
  const auto* apps = sdoc.child(tag("Provision:UnapprovedInROMApplicationList"));
  ASSERT_EQ(apps->children.size(), 2u);
  EXPECT_EQ(apps->children[1].value, "chat.exe");
  EXPECT_EQ(sdoc.child(tag("Provision:ApprovedApplicationList"))->child_text(tag("Provision:Hash")), "AP8Q");
}

TEST(Document, CompatibilityWithVersions) {
  const auto encryption = make({{"RequireDeviceEncryption", "$true"}});
  EXPECT_EQ(unsupported_settings(encryption, protocol_version::v12_0), std::vector<setting>{setting::RequireDeviceEncryption});
  EXPECT_TRUE(unsupported_settings(encryption, protocol_version::v12_1).empty());
  EXPECT_TRUE(unsupported_settings(encryption, protocol_version::v14_1).empty());
  // 2.5 carries only the WAP document's password settings.
  const auto password = make({{"DevicePasswordEnabled", "$true"}, {"MinDevicePasswordLength", "6"}});
  EXPECT_TRUE(unsupported_settings(password, protocol_version::v2_5).empty());
  const auto camera = make({{"AllowCamera", "$false"}, {"PasswordRecoveryEnabled", "$true"}});
  EXPECT_EQ(unsupported_settings(camera, protocol_version::v2_5),
            (std::vector<setting>{setting::PasswordRecoveryEnabled, setting::AllowCamera}));
  // Server-only settings and the S/MIME algorithms never make a version incompatible.
  const auto server_side = make({{"DevicePolicyRefreshInterval", "01:00:00"}, {"RequireSignedSMIMEAlgorithm", "MD5"}});
  EXPECT_TRUE(unsupported_settings(server_side, protocol_version::v2_5).empty());
}

TEST(Document, WapDocumentForPasswords) {
  EXPECT_EQ(wap_provisioning_document(policy()),
            "<wap-provisioningdoc><characteristic type=\"SecurityPolicy\"><parm name=\"4131\" value=\"1\"/>"
            "<parm name=\"4133\" value=\"1\"/></characteristic></wap-provisioningdoc>");
  const auto p = make({{"DevicePasswordEnabled", "$true"}, {"MaxInactivityTimeDeviceLock", "00:01:01"},
                       {"MaxDevicePasswordFailedAttempts", "9"}, {"MinDevicePasswordLength", "6"},
                       {"AlphanumericDevicePasswordRequired", "$true"}});
  const auto wap = wap_provisioning_document(p);
  EXPECT_NE(wap.find("<parm name=\"4131\" value=\"0\"/><parm name=\"4133\" value=\"0\"/>"), std::string::npos);
  EXPECT_NE(wap.find("\"AEFrequencyValue\" value=\"2\""), std::string::npos);  // 61 s: minutes rounded up
  EXPECT_NE(wap.find("\"DeviceWipeThreshold\" value=\"9\""), std::string::npos);
  EXPECT_NE(wap.find("\"CodewordFrequency\" value=\"4\""), std::string::npos);
  EXPECT_NE(wap.find("\"MinimumPasswordLength\" value=\"6\""), std::string::npos);
  EXPECT_NE(wap.find("\"PasswordComplexity\" value=\"0\""), std::string::npos);
}

TEST(Document, HashFollowsWhatTheDeviceGets) {
  const policy p;
  const auto h = policy_hash(p, protocol_version::v14_1, true);
  EXPECT_EQ(h.size(), 16u);
  EXPECT_EQ(h, policy_hash(policy(), protocol_version::v14_1, true));
  EXPECT_EQ(h, policy_hash(p, protocol_version::v16_1, true));  // the same document
  auto camera = p;
  ASSERT_EQ(camera.set_parameter("AllowCamera", "$false"), "");
  EXPECT_NE(policy_hash(camera, protocol_version::v14_1, true), h);
  // A 12.0 device does not get AllowCamera: its document, and so its hash, stay the same.
  EXPECT_EQ(policy_hash(camera, protocol_version::v12_0, true), policy_hash(p, protocol_version::v12_0, true));
  // AllowNonProvisionableDevices is not in the document: it counts only when asked to.
  auto anp = p;
  ASSERT_EQ(anp.set_parameter("AllowNonProvisionableDevices", "$true"), "");
  EXPECT_EQ(policy_hash(anp, protocol_version::v14_1, false), policy_hash(p, protocol_version::v14_1, false));
  EXPECT_NE(policy_hash(anp, protocol_version::v14_1, true), h);
  // Renaming the policy is not a change a device can see.
  auto renamed = p;
  renamed.name = "Other";
  EXPECT_EQ(policy_hash(renamed, protocol_version::v14_1, true), h);
}

}  // namespace
