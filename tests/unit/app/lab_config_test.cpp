#include "lab_config.hpp"

#include <gtest/gtest.h>

namespace {

using namespace easemu::app;

std::string error_of(const std::string& yaml) {
  try {
    parse_lab_yaml(yaml, "lab.yaml");
  } catch (const config_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(LabConfig, EmptyFileIsTheDemoLab) {
  auto lab = parse_lab_yaml("", "lab.yaml");
  complete_lab(lab);
  EXPECT_EQ(lab.domain, "lab.test");
  EXPECT_EQ(lab.hostname, "mail.lab.test");
  EXPECT_EQ(lab.netbios_domain, "LAB");
  ASSERT_EQ(lab.mailboxes.size(), 2u);
  EXPECT_EQ(lab.mailboxes[0].address, "alice@lab.test");
  EXPECT_EQ(lab.mailboxes[0].display_name, "Alice Lab");
  // Exchange's Default first, then the demo's WP7 and Strict policies.
  ASSERT_EQ(lab.policies.size(), 3u);
  EXPECT_EQ(lab.policies[0].name, "Default");
  EXPECT_EQ(lab.policies[1].name, "WP7");
  EXPECT_EQ(lab.policies[2].name, "Strict");
  EXPECT_EQ(lab.protocol_versions.back(), easemu::protocol_version::v14_1);
}

TEST(LabConfig, ALabFileWithItsOwnMailboxesGetsNoDemoPolicies) {
  auto lab = parse_lab_yaml("mailboxes:\n  - address: carol@lab.test\n    password: x\n", "lab.yaml");
  complete_lab(lab);
  ASSERT_EQ(lab.policies.size(), 1u);
  EXPECT_EQ(lab.policies[0].name, "Default");
}

TEST(LabConfig, TheIssuesExampleLoads) {
  auto lab = parse_lab_yaml(
      "lab:\n  domain: lab.test\n  hostname: mail.lab.test\n  exchange_version: 2010SP1\n"
      "mailboxes:\n  - address: alice@lab.test\n    password: Passw0rd\n    display_name: Alice Lab\n"
      "    policy: My WP7 Policy\n"
      "policies:\n  - Name: Default\n    IsDefault: true\n"
      "exchange_commands: |\n  New-ActiveSyncMailboxPolicy -Name \"My WP7 Policy\" -AllowNonProvisionableDevices $false\n"
      "  Set-CASMailbox -Identity alice -ActiveSyncMailboxPolicy \"My WP7 Policy\"\n",
      "lab.yaml");
  complete_lab(lab);
  EXPECT_EQ(lab.mailboxes.at(0).policy, "My WP7 Policy");
  ASSERT_EQ(lab.policies.size(), 1u);  // its own Default: no built-in one added
  EXPECT_EQ(lab.policies[0].parameters.at(1), (std::pair<std::string, std::string>{"IsDefault", "true"}));
  EXPECT_NE(lab.exchange_commands.find("Set-CASMailbox"), std::string::npos);
}

TEST(LabConfig, ProtocolVersionsOverride) {
  auto lab = parse_lab_yaml("lab:\n  protocol_versions: [\"14.1\", \"12.1\"]\n", "lab.yaml");
  complete_lab(lab);
  EXPECT_EQ(lab.protocol_versions,
            (std::vector<easemu::protocol_version>{easemu::protocol_version::v12_1, easemu::protocol_version::v14_1}));
}

TEST(LabConfig, ErrorsNameFileLineColumnAndProblem) {
  EXPECT_EQ(error_of("lab:\n  exchange_version: 2007\n"),
            "lab.yaml:2:21: lab.exchange_version: '2007' is not one of 2010SP1, 2013, 2016, 2019, online");
  EXPECT_EQ(error_of("lab:\n  colour: blue\n"),
            "lab.yaml:2:3: lab: unknown key 'colour' (known: domain, hostname, netbios_domain, exchange_version, "
            "protocol_versions)");
  EXPECT_EQ(error_of("mailboxes:\n  - address: bob\n    password: x\n"),
            "lab.yaml:2:14: mailboxes[0].address: 'bob' is not an e-mail address");
  EXPECT_EQ(error_of("mailboxes:\n  - address: a@b.c\n"), "lab.yaml:2:5: mailboxes[0]: 'password' is required");
  EXPECT_EQ(error_of("mailboxes:\n  - {address: a@b.c, password: x}\n  - {address: A@b.c, password: y}\n"),
            "lab.yaml:3:15: mailboxes[1].address: 'a@b.c' is defined twice");
  EXPECT_EQ(error_of("policies:\n  - AllowBluetooth: 2\n"), "lab.yaml:2:5: policies[0]: 'Name' is required");
  EXPECT_EQ(error_of("lab:\n  protocol_versions: [\"13.0\"]\n"),
            "lab.yaml:2:23: lab.protocol_versions: '13.0' is not an EAS version (2.5, 12.0, 12.1, 14.0, 14.1, 16.0, 16.1)");
  EXPECT_NE(error_of("lab: [unclosed\n").find("lab.yaml:"), std::string::npos);
}

TEST(LabConfig, TlsSection) {
  auto lab = parse_lab_yaml("tls:\n  mode: provided\n  min_version: \"1.2\"\n  cert: certs/chain.pem\n"
                            "  key: /etc/easemu/key.pem\n  san: [192.0.2.1, mail.corp.test]\n",
                            "/srv/lab/lab.yaml");
  EXPECT_EQ(lab.tls.mode, "provided");
  EXPECT_EQ(lab.tls.min_version, "1.2");
  EXPECT_EQ(lab.tls.cert, "/srv/lab/certs/chain.pem");  // relative to the lab file
  EXPECT_EQ(lab.tls.key, "/etc/easemu/key.pem");
  EXPECT_EQ(lab.tls.san, (std::vector<std::string>{"192.0.2.1", "mail.corp.test"}));
  EXPECT_TRUE(parse_lab_yaml("", "lab.yaml").tls.mode.empty());  // not set: the flag's default applies

  EXPECT_EQ(error_of("tls:\n  mode: broken\n"),
            "lab.yaml:2:9: tls.mode: 'broken' is not one of lab-ca, self-signed, expired, not-yet-valid, wrong-host, "
            "untrusted-ca, incomplete-chain, provided");
  EXPECT_EQ(error_of("tls:\n  min_version: 1.5\n"),
            "lab.yaml:2:16: tls.min_version: '1.5' is not 1.0, 1.1, 1.2 or 1.3 (quote it in YAML)");
  EXPECT_EQ(error_of("tls:\n  mode: provided\n"), "lab.yaml:2:3: tls: mode provided needs 'cert' and 'key'");
  EXPECT_EQ(error_of("tls:\n  san: 10.0.0.1\n"), "lab.yaml:2:8: tls.san: expected a list of names and IP addresses");
}

}  // namespace
