// End-to-end: the CA download site on the plain listener, trust through the downloaded CA,
// reuse across restarts, and the TLS version floor.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "easemu/certs/certs.hpp"
#include "easemu/certs/trust.hpp"
#include "easemu/client/http_client.hpp"
#include "support/admin_client.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::client;

client_response get_plain(const test_server& s, const std::string& target) {
  client_request r;
  r.tls = false;
  r.target = target;
  return send(s.http_port, r);
}

client_request verified_options(const std::string& ca_pem, const std::string& name) {
  client_request r;
  r.method = "OPTIONS";
  r.target = "/Microsoft-Server-ActiveSync";
  r.basic_user = "alice@lab.test";
  r.basic_password = "Passw0rd";
  r.ca_pem = ca_pem;
  r.verify_host = name;
  return r;
}

TEST(Certificates, DownloadSiteServesEveryFormWithItsContentType) {
  test_server server;
  auto page = get_plain(server, "/certsrv/certcarc.asp");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Certificate Trust Settings"), std::string::npos);
  EXPECT_NE(page.body.find("name=\"viewport\""), std::string::npos);
  EXPECT_EQ(page.body.find("<script"), std::string::npos);
  const std::pair<const char*, const char*> files[] = {
      {"/certsrv/ca.cer", "application/pkix-cert"},
      {"/certsrv/ca.pem", "application/x-pem-file"},
      {"/certsrv/ca-chain.p7b", "application/x-pkcs7-certificates"},
      {"/certsrv/ca.crl", "application/pkix-crl"},
      {"/certsrv/easemu-ca.mobileconfig", "application/x-apple-aspen-config"},
  };
  for (const auto& [path, type] : files) {
    auto r = get_plain(server, path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.header("Content-Type"), type) << path;
    EXPECT_FALSE(r.body.empty()) << path;
  }
  EXPECT_TRUE(get_plain(server, "/certsrv/ca.pem").body.starts_with("-----BEGIN CERTIFICATE-----"));
  EXPECT_NE(get_plain(server, "/certsrv/easemu-ca.mobileconfig").body.find("com.apple.security.root"), std::string::npos);
}

// AD CS Web Enrollment's pages and download paths, as the deployment guides walk through them.
TEST(Certificates, CertsrvReadsLikeAdCs) {
  test_server server;
  const auto welcome = get_plain(server, "/certsrv/");
  EXPECT_EQ(welcome.status, 200);
  EXPECT_NE(welcome.body.find("Microsoft Active Directory Certificate Services"), std::string::npos);
  EXPECT_NE(welcome.body.find("easemu Lab Root CA"), std::string::npos) << welcome.body;
  EXPECT_NE(welcome.body.find("href=\"/certsrv/certcarc.asp\">Download a CA certificate, certificate chain, or CRL</a>"),
            std::string::npos) << welcome.body;
  EXPECT_EQ(welcome.body.find("<script"), std::string::npos);

  const auto der_page = get_plain(server, "/certsrv/certcarc.asp");
  EXPECT_NE(der_page.body.find("Download a CA Certificate, Certificate Chain, or CRL"), std::string::npos);
  for (const char* link : {"/certsrv/certnew.cer?ReqID=CACert&amp;Renewal=0&amp;Enc=bin\">Download CA certificate<",
                           "/certsrv/certnew.p7b?ReqID=CACert&amp;Renewal=0&amp;Enc=bin\">Download CA certificate chain<",
                           "/certsrv/certcrl.crl?Type=base&amp;Renewal=0&amp;Enc=bin\">Download latest base CRL<"}) {
    EXPECT_NE(der_page.body.find(link), std::string::npos) << link;
  }
  const auto b64_page = get_plain(server, "/certsrv/certcarc.asp?Enc=b64");
  EXPECT_NE(b64_page.body.find("/certsrv/certnew.cer?ReqID=CACert&amp;Renewal=0&amp;Enc=b64"), std::string::npos);

  const auto pem = get_plain(server, "/certsrv/ca.pem").body;
  const auto cer = get_plain(server, "/certsrv/certnew.cer?ReqID=CACert&Renewal=0&Enc=bin");
  EXPECT_EQ(cer.status, 200);
  EXPECT_EQ(cer.header("Content-Type"), "application/pkix-cert");
  EXPECT_NE(cer.header("Content-Disposition").find("certnew.cer"), std::string::npos);
  EXPECT_EQ(cer.body, easemu::certs::pem_to_der(pem));
  const auto cer64 = get_plain(server, "/certsrv/certnew.cer?ReqID=CACert&Renewal=0&Enc=b64");
  EXPECT_TRUE(cer64.body.starts_with("-----BEGIN CERTIFICATE-----")) << cer64.body;
  EXPECT_EQ(easemu::certs::read_certificates(cer64.body), std::vector<std::string>{pem});

  const auto p7b = get_plain(server, "/certsrv/certnew.p7b?ReqID=CACert&Renewal=0&Enc=bin");
  EXPECT_EQ(p7b.header("Content-Type"), "application/x-pkcs7-certificates");
  EXPECT_EQ(easemu::certs::read_certificates(p7b.body), std::vector<std::string>{pem});
  const auto p7b64 = get_plain(server, "/certsrv/certnew.p7b?ReqID=CACert&Renewal=0&Enc=b64");
  EXPECT_EQ(easemu::certs::read_certificates(p7b64.body), std::vector<std::string>{pem});

  const auto crl = get_plain(server, "/certsrv/certcrl.crl?Type=base&Renewal=0&Enc=bin");
  EXPECT_EQ(crl.status, 200);
  EXPECT_EQ(crl.header("Content-Type"), "application/pkix-crl");
  ASSERT_FALSE(crl.body.empty());
  EXPECT_EQ(static_cast<unsigned char>(crl.body[0]), 0x30);  // a DER SEQUENCE
  EXPECT_TRUE(get_plain(server, "/certsrv/certcrl.crl?Type=base&Renewal=0&Enc=b64").body.starts_with("-----BEGIN X509 CRL-----"));

  // What the lab does not have: a renewed CA, an issued certificate by request id, a delta CRL.
  EXPECT_EQ(get_plain(server, "/certsrv/certnew.cer?ReqID=CACert&Renewal=1&Enc=bin").status, 404);
  EXPECT_EQ(get_plain(server, "/certsrv/certnew.cer?ReqID=12&Enc=bin").status, 404);
  EXPECT_EQ(get_plain(server, "/certsrv/certcrl.crl?Type=delta&Renewal=0&Enc=bin").status, 404);
}

TEST(Certificates, ClientThatInstallsTheCaVerifiesTheServer) {
  test_server server;
  const auto ca = get_plain(server, "/certsrv/ca.pem").body;
  for (const char* name : {"mail.lab.test", "lab.test", "autodiscover.lab.test", "localhost"}) {
    auto r = send(server.https_port, verified_options(ca, name));
    EXPECT_EQ(r.error, "") << name;
    EXPECT_EQ(r.status, 200) << name;
  }
  // A name the certificate does not carry fails verification.
  auto wrong = send(server.https_port, verified_options(ca, "other.example.test"));
  EXPECT_NE(wrong.error, "");
  // With another lab's CA the server is not trusted.
  auto other = send(server.https_port, verified_options(get_plain(test_server(), "/certsrv/ca.pem").body, "localhost"));
  EXPECT_NE(other.error, "");
}

TEST(Certificates, RestartWithTheDataDirReusesTheCa) {
  temp_dir data;
  std::string first_ca;
  {
    test_server first({"--data-dir", data.path().string()});
    first_ca = get_plain(first, "/certsrv/ca.pem").body;
    EXPECT_NE(first.log().find("lab CA: created"), std::string::npos);
  }
  test_server second({"--data-dir", data.path().string(), "--san", "eas.example.test"});
  EXPECT_EQ(get_plain(second, "/certsrv/ca.pem").body, first_ca);
  EXPECT_NE(second.log().find("lab CA: reused"), std::string::npos);
  auto r = send(second.https_port, verified_options(first_ca, "eas.example.test"));  // the new SAN
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.status, 200);
}

// EASEMU_SAN takes several names, comma-separated, as the container image passes them.
TEST(Certificates, SanVariableTakesACommaSeparatedList) {
  ::setenv("EASEMU_SAN", "one.example.test,two.example.test", 1);
  test_server server;
  ::unsetenv("EASEMU_SAN");
  const auto ca = get_plain(server, "/certsrv/ca.pem").body;
  for (const char* name : {"one.example.test", "two.example.test"}) {
    auto r = send(server.https_port, verified_options(ca, name));
    EXPECT_EQ(r.error, "") << name;
    EXPECT_EQ(r.status, 200) << name;
  }
}

// What `openssl s_client -tls1` reports: true when a TLS 1.0 handshake completed.
bool tls10_handshake(std::uint16_t port) {
  auto r = run("openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
               " -tls1 -cipher DEFAULT@SECLEVEL=0");
  // s_client prints "New, TLSv1.0, Cipher is X" after a handshake and "New, (NONE), Cipher is
  // (NONE)" when the server refused it ("Protocol  : TLSv1" appears either way).
  return r.out.find("New, TLSv1") != std::string::npos && r.out.find("Cipher is (NONE)") == std::string::npos;
}

TEST(Certificates, Tls10IsAcceptedByDefaultAndRefusedAboveTheFloor) {
  {
    test_server server;
    EXPECT_TRUE(tls10_handshake(server.https_port));
    EXPECT_NE(server.log().find("TLS 1.0 and up"), std::string::npos);
  }
  test_server strict({"--tls-min-version", "1.2"});
  EXPECT_FALSE(tls10_handshake(strict.https_port));
}

}  // namespace

namespace {

// "Verify return code: N (text)" from `openssl s_client` against the downloaded lab CA, checking
// the host name mail.lab.test.
std::string s_client_output(const test_server& server, const temp_dir& dir) {
  const auto ca = (dir / "ca.pem").string();
  write_file(ca, get_plain(server, "/certsrv/ca.pem").body);
  // s_client writes the verify errors on stderr and the summary on stdout.
  const auto r = run("openssl s_client -connect 127.0.0.1:" + std::to_string(server.https_port) + " -CAfile " +
                     shell_quote(ca) + " -verify_hostname mail.lab.test -servername mail.lab.test");
  return r.out + r.err;
}

std::string verify_code(const std::string& out) {
  const auto at = out.find("Verify return code: ");
  if (at == std::string::npos) return "no verify result:\n" + out;
  return out.substr(at + 20, out.find('\n', at) - at - 20);
}

std::string verify_result(const test_server& server, const temp_dir& dir) {
  return verify_code(s_client_output(server, dir));
}

struct mode_case {
  const char* mode;
  const char* expected;   // OpenSSL's final verify result
  const char* error = "";  // the error OpenSSL reports on the way, when it differs
};

class TlsMode : public ::testing::TestWithParam<mode_case> {};

TEST_P(TlsMode, FailsVerificationExactlyAsIntended) {
  test_server server({"--tls-mode", GetParam().mode});
  temp_dir dir;
  const auto out = s_client_output(server, dir);
  EXPECT_EQ(verify_code(out), GetParam().expected);
  EXPECT_NE(out.find(GetParam().error), std::string::npos) << out;
  // The server itself keeps working for clients that do not verify.
  client_request r = verified_options("", "");
  EXPECT_EQ(send(server.https_port, r).status, 200);
}

INSTANTIATE_TEST_SUITE_P(
    Modes, TlsMode,
    ::testing::Values(mode_case{"lab-ca", "0 (ok)"},
                      mode_case{"self-signed", "18 (self-signed certificate)"},
                      mode_case{"expired", "10 (certificate has expired)"},
                      mode_case{"not-yet-valid", "9 (certificate is not yet valid)"},
                      mode_case{"wrong-host", "62 (hostname mismatch)"},
                      // The leaf's issuer is unknown: error 20 at depth 0, reported in the end as 21.
                      mode_case{"untrusted-ca", "21 (unable to verify the first certificate)",
                                "num=20:unable to get local issuer certificate"},
                      mode_case{"incomplete-chain", "21 (unable to verify the first certificate)",
                                "num=20:unable to get local issuer certificate"}),
    [](const auto& info) {
      std::string n = info.param.mode;
      std::replace(n.begin(), n.end(), '-', '_');
      return n;
    });

TEST(TlsModeSwitch, AdminApiSwitchesNewConnectionsWithoutRestart) {
  test_server server;
  temp_dir dir;
  EXPECT_EQ(verify_result(server, dir), "0 (ok)");
  auto put = admin_request(server, "PUT", "/api/v1/tls", "{\"mode\": \"expired\"}");
  put.tls = true;  // the admin API on the EAS listener too
  auto res = send(server.https_port, put);
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(verify_result(server, dir), "10 (certificate has expired)");
  put.body = "{\"mode\": \"bogus\"}";
  EXPECT_EQ(send(server.https_port, put).status, 400);
  put.body = "{\"mode\": \"provided\"}";  // no files given: refused, the mode stays
  EXPECT_EQ(send(server.https_port, put).status, 400);
  auto get = admin_request(server, "GET", "/api/v1/tls");
  get.tls = true;
  EXPECT_NE(send(server.https_port, get).body.find("\"mode\":\"expired\""), std::string::npos);
}

TEST(TlsModeSwitch, ProvidedCertificateIsServed) {
  temp_dir dir;
  // The user's own chain: here, one made by another easemu lab.
  test_server other({"--data-dir", (dir / "other").string()});
  const auto other_ca = get_plain(other, "/certsrv/ca.pem").body;
  const auto cert_dir = dir / "other" / "certs";
  test_server server({"--tls-mode", "provided", "--tls-cert", (cert_dir / "server.pem").string(), "--tls-key",
                      (cert_dir / "server.key").string()});
  auto r = send(server.https_port, verified_options(other_ca, "mail.lab.test"));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.status, 200);
}

}  // namespace

namespace {

TEST(TlsLabFile, TlsSectionSetsModeAndFloorAndFlagsWin) {
  temp_dir dir;
  const auto lab = (dir / "lab.yaml").string();
  write_file(lab, "tls:\n  mode: expired\n  min_version: \"1.2\"\n  san: [192.0.2.44]\n");
  {
    test_server server({"--config", lab});
    EXPECT_EQ(verify_result(server, dir), "10 (certificate has expired)");
    EXPECT_FALSE(tls10_handshake(server.https_port));
  }
  {
    test_server server({"--config", lab, "--tls-mode", "lab-ca", "--tls-min-version", "1.0"});
    EXPECT_EQ(verify_result(server, dir), "0 (ok)");
    EXPECT_TRUE(tls10_handshake(server.https_port));
    // The file's extra address is in the certificate.
    const auto pem = run("(openssl s_client -connect 127.0.0.1:" + std::to_string(server.https_port) +
                         " </dev/null 2>/dev/null | openssl x509 -noout -ext subjectAltName)");
    EXPECT_NE(pem.out.find("192.0.2.44"), std::string::npos) << pem.out;
  }
}

}  // namespace
