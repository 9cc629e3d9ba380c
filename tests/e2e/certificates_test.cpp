// End-to-end: the CA download site on the plain listener, trust through the downloaded CA,
// reuse across restarts, and the TLS version floor.
#include <gtest/gtest.h>

#include "easemu/simulator/http_client.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::simulator;

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
  auto page = get_plain(server, "/certsrv/");
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

// What `openssl s_client -tls1` reports: true when a TLS 1.0 handshake completed.
bool tls10_handshake(std::uint16_t port) {
  auto r = run("openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
               " -tls1 -cipher DEFAULT@SECLEVEL=0 </dev/null 2>&1");
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
