// The start-up report of `easemu serve`, line by line: tests, scripts and the documents read it.
#include "serve_report.hpp"

#include <gtest/gtest.h>

#include "serve_dns.hpp"

namespace {

using namespace easemu::app;

serve_config config_of(serve_flags f) {
  f.listen = "127.0.0.1:0";
  f.http_listen = "127.0.0.1:0";
  return verify(std::move(f));
}

start_up_facts facts_of(const serve_config& c) {
  start_up_facts f;
  f.https_port = 40001;
  f.http_port = 40002;
  f.public_url = public_url_for(c, f.https_port);
  f.ca_created = true;
  f.admin_token = "0123abcd";
  return f;
}

TEST(ServeReport, TheDemoLabInMemory) {
  const auto c = config_of({});
  EXPECT_EQ(start_up_report(c, facts_of(c)),
            (std::vector<std::string>{
                "easemu serve lab lab.test (Exchange 2010SP1), EAS versions advertised up to 14.1",
                "listening: HTTPS 127.0.0.1:40001 (EAS, TLS 1.0 and up, certificate mode lab-ca), HTTP 127.0.0.1:40002",
                "public URL: https://mail.lab.test:40001/Microsoft-Server-ActiveSync",
                "lab CA: created (download it from http://<this host>:40002/certsrv/)",
                "state: in memory (no --data-dir)",
                "demo mailbox: alice@lab.test password Passw0rd",
                "demo mailbox: bob@lab.test password Passw0rd",
                "admin token: 0123abcd",
            }));
}

TEST(ServeReport, AGivenTokenIsNotPrintedAndAGeneratedOneNamesItsFile) {
  serve_flags f;
  f.data_dir = "/var/lib/easemu";
  f.tls_mode = "self-signed";
  f.tls_min_version = "1.2";
  f.admin_token = "given";
  auto c = config_of(f);
  auto facts = facts_of(c);
  facts.ca_created = false;
  auto lines = start_up_report(c, facts);
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[1],
            "listening: HTTPS 127.0.0.1:40001 (EAS, TLS 1.2 and up, certificate mode self-signed), HTTP 127.0.0.1:40002");
  EXPECT_EQ(lines[3], "lab CA: reused from the data dir (download it from http://<this host>:40002/certsrv/)");
  EXPECT_EQ(lines[4], "state: /var/lib/easemu/easemu.db");
  EXPECT_EQ(lines.back(), "demo mailbox: bob@lab.test password Passw0rd");

  f.admin_token.clear();
  c = config_of(f);
  facts.token_file = "/var/lib/easemu/admin-token";
  lines = start_up_report(c, facts);
  EXPECT_EQ(lines.back(), "admin token: 0123abcd (kept in /var/lib/easemu/admin-token)");
}

TEST(ServeReport, TheDnsResponderLineFollowsTheListeners) {
  serve_flags f;
  f.dns_listen = "127.0.0.1:0";
  f.admin_token = "given";
  f.public_url = "https://10.1.2.3:8443/";
  auto c = config_of(f);
  auto facts = facts_of(c);
  facts.dns_zone = lab_zone(c, facts.public_url);
  facts.dns_port = 5353;
  auto lines = start_up_report(c, facts);
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[2],
            "listening: DNS 127.0.0.1:5353 (UDP and TCP) for lab.test, autodiscover.lab.test, mail.lab.test "
            "(A 10.1.2.3; AAAA none) and _autodiscover._tcp.lab.test (SRV 0 0 8443 mail.lab.test)");
  EXPECT_EQ(lines[3], "public URL: https://10.1.2.3:8443/Microsoft-Server-ActiveSync");

  f.dns_listen = "[::1]:0";
  f.dns_address = {"::1", "10.0.0.1"};
  f.public_url.clear();
  c = config_of(f);
  facts = facts_of(c);
  facts.dns_zone = lab_zone(c, facts.public_url);
  facts.dns_port = 53;
  EXPECT_EQ(start_up_report(c, facts)[2],
            "listening: DNS [::1]:53 (UDP and TCP) for lab.test, autodiscover.lab.test, mail.lab.test "
            "(A 10.0.0.1; AAAA ::1) and _autodiscover._tcp.lab.test (SRV 0 0 40001 mail.lab.test)");
}

// Which addresses the responder gives when --dns-address does not say.
TEST(ServeDns, AddressesFallBackFromThePublicUrlToTheListeners) {
  serve_flags f;
  f.dns_listen = "0.0.0.0:0";
  f.public_url = "https://10.1.2.3";
  auto c = config_of(f);
  auto z = lab_zone(c, public_url_for(c, 8443));
  ASSERT_EQ(z.ipv4.size(), 1u);
  EXPECT_EQ(z.ipv4[0], (std::array<std::uint8_t, 4>{10, 1, 2, 3}));
  EXPECT_EQ(z.srv_port, 443);
  EXPECT_TRUE(z.extra_hosts.empty());

  f.public_url = "https://eas.example.com:9443";
  c = config_of(f);  // HTTPS on 127.0.0.1
  z = lab_zone(c, public_url_for(c, 8443));
  ASSERT_EQ(z.ipv4.size(), 1u);
  EXPECT_EQ(z.ipv4[0], (std::array<std::uint8_t, 4>{127, 0, 0, 1}));
  EXPECT_EQ(z.srv_port, 9443);
  EXPECT_EQ(z.extra_hosts, (std::vector<std::string>{"eas.example.com"}));

  f.listen = "0.0.0.0:0";
  f.http_listen = "0.0.0.0:0";
  f.dns_listen = "10.9.9.9:0";
  c = verify(f);  // wildcards: the DNS listen address
  z = lab_zone(c, public_url_for(c, 8443));
  ASSERT_EQ(z.ipv4.size(), 1u);
  EXPECT_EQ(z.ipv4[0], (std::array<std::uint8_t, 4>{10, 9, 9, 9}));

  f.dns_listen = "0.0.0.0:0";
  c = verify(f);  // nothing specific: no address (serve warns)
  z = lab_zone(c, public_url_for(c, 8443));
  EXPECT_TRUE(z.ipv4.empty());
  EXPECT_TRUE(z.ipv6.empty());
}

}  // namespace
