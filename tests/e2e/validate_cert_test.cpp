// End-to-end: the ValidateCert command against the data dir's lab CA, with certificates made by
// `easemu ca issue --email` and revoked by `easemu ca revoke` while the server runs.
#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <memory>

#include "easemu/certs/certs.hpp"
#include "easemu/common/base64.hpp"
#include "easemu/client/http_client.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/eas_client.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::client;
namespace wbxml = easemu::wbxml;

const std::string exe = EASEMU_EXE;

// The request of MS-ASCMD 2.2.1.22, one certificate per entry of `certs` (DER).
std::string validate_request(const std::vector<std::string>& certs, bool check_crl) {
  std::string xml = "<ValidateCert xmlns=\"ValidateCert:\"><Certificates>";
  for (const auto& der : certs) xml += "<Certificate>" + easemu::common::base64_encode(der) + "</Certificate>";
  xml += "</Certificates>";
  if (check_crl) xml += "<CheckCRL>1</CheckCRL>";
  xml += "</ValidateCert>";
  return wbxml_body(xml);
}

// ValidateCert from alice's phone VC1 with these body bytes; the answer as XML.
std::string post(const test_server& s, const std::string& body, const std::string& version = "14.1") {
  const eas_client phone{.port = s.https_port, .device_id = "VC1", .device_type = "SmartPhone", .version = version};
  const auto response = phone.post_bytes("ValidateCert", body);
  EXPECT_EQ(response.status, 200);
  return xml_of(response);
}

std::string statuses(const std::vector<int>& items) {
  std::string out = "<ValidateCert xmlns=\"ValidateCert:\"><Status>1</Status>";
  for (int s : items) out += "<Certificate><Status>" + std::to_string(s) + "</Status></Certificate>";
  return out + "</ValidateCert>";
}

class ValidateCert : public ::testing::Test {
 protected:
  void SetUp() override {
    data = shell_quote(dir.path().string());
    ASSERT_EQ(run(exe + " ca init --data-dir " + data).exit_code, 0);
    auto issued = run(exe + " ca issue --data-dir " + data + " --email alice@lab.test");
    ASSERT_EQ(issued.exit_code, 0) << issued.err;
    alice_pem = read_file(dir.path() / "certs" / "alice@lab.test.pem");
    alice_der = easemu::certs::pem_to_der(alice_pem);
  }
  temp_dir dir;
  std::string data;
  std::string alice_pem;
  std::string alice_der;
};

TEST_F(ValidateCert, EachCertificateGetsItsOwnStatus) {
  test_server server({"--data-dir", dir.path().string()});
  const auto server_der = easemu::certs::pem_to_der(read_file(dir.path() / "certs" / "server.pem"));
  const auto other_ca = easemu::certs::create_ca({"Elsewhere CA", "elsewhere"});
  easemu::certs::smime_options o;
  o.email = "mallory@elsewhere.test";
  const auto stranger = easemu::certs::pem_to_der(easemu::certs::issue_smime_certificate(other_ca, o).certificate_pem);
  // 1 valid, 6 not for signing mail (the server's TLS certificate), 4 untrusted issuer,
  // 5 not a certificate (MS-ASCMD 2.2.3.177.18).
  EXPECT_EQ(post(server, validate_request({alice_der, server_der, stranger, "garbage"}, false)),
            statuses({1, 6, 4, 5}));
  // Every protocol version has the command, 2.5 included.
  EXPECT_EQ(post(server, validate_request({alice_der}, false), "2.5"), statuses({1}));
}

TEST_F(ValidateCert, RevocationAppliesWhileTheServerRuns) {
  test_server server({"--data-dir", dir.path().string()});
  EXPECT_EQ(post(server, validate_request({alice_der}, true)), statuses({1}));
  auto revoked = run(exe + " ca revoke --data-dir " + data + " --cert " +
                     shell_quote((dir.path() / "certs" / "alice@lab.test.pem").string()));
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_EQ(post(server, validate_request({alice_der}, true)), statuses({13}));
  // Without CheckCRL the CRL is not consulted.
  EXPECT_EQ(post(server, validate_request({alice_der}, false)), statuses({1}));
  // The published CRL lists it too.
  client_request get;
  get.tls = false;
  get.target = "/certsrv/ca.crl";
  const auto crl_body = send(server.http_port, get).body;
  const auto* p = reinterpret_cast<const unsigned char*>(crl_body.data());
  std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)> crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(crl_body.size())),
                                                           &X509_CRL_free);
  ASSERT_TRUE(crl);
  EXPECT_EQ(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl.get())), 1);
}

TEST_F(ValidateCert, RequestsWithoutCertificatesAreProtocolErrors) {
  test_server server({"--data-dir", dir.path().string()});
  const std::string protocol_error = "<ValidateCert xmlns=\"ValidateCert:\"><Status>2</Status></ValidateCert>";
  EXPECT_EQ(post(server, ""), protocol_error);
  EXPECT_EQ(post(server, wbxml_body("<ValidateCert xmlns=\"ValidateCert:\"><CheckCRL>1</CheckCRL></ValidateCert>")),
            protocol_error);
  EXPECT_EQ(post(server, wbxml_body("<Ping xmlns=\"Ping:\"/>")), protocol_error);
  EXPECT_EQ(post(server, validate_request(std::vector<std::string>(65, alice_der), false)), protocol_error);
}

}  // namespace
