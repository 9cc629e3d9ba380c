// Reading certificates in the forms phones and admins handle (PEM, DER .cer, PKCS#7 .p7b),
// picking roots by subject, and the offline check of a server chain as a TLS client makes it.
#include "easemu/certs/trust.hpp"

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include <ctime>

#include "easemu/certs/certs.hpp"
#include "easemu/common/base64.hpp"

namespace {

using namespace easemu::certs;

const key_pair& root_a() {
  static const key_pair ca = [] {
    ca_options o;
    o.common_name = "Alpha Root";
    o.organization = "Alpha, Inc.";
    return create_ca(o);
  }();
  return ca;
}

const key_pair& root_b() {
  static const key_pair ca = [] {
    ca_options o;
    o.common_name = "Beta Root";
    o.organization = "Beta";
    return create_ca(o);
  }();
  return ca;
}

const key_pair& intermediate_a() {
  static const key_pair ca = [] {
    ca_options o;
    o.common_name = "Alpha Issuing CA";
    o.organization = "Alpha, Inc.";
    return create_ca(o, &root_a());
  }();
  return ca;
}

key_pair server(const std::string& name, const key_pair& issuer) {
  server_options o;
  o.common_name = name;
  o.dns_names = {name};
  return issue_server_certificate(issuer, o);
}

TEST(ReadCertificates, PemHoldingSeveralKeepsTheirOrder) {
  const auto certs = read_certificates(intermediate_a().certificate_pem + root_a().certificate_pem);
  ASSERT_EQ(certs.size(), 2u);
  EXPECT_EQ(certs[0], intermediate_a().certificate_pem);
  EXPECT_EQ(certs[1], root_a().certificate_pem);
}

TEST(ReadCertificates, DerCer) {
  const auto certs = read_certificates(pem_to_der(root_a().certificate_pem));
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(certs[0], root_a().certificate_pem);
}

TEST(ReadCertificates, Pkcs7ChainDerAndPem) {
  const auto p7b = pem_chain_to_p7b(intermediate_a().certificate_pem + root_a().certificate_pem);
  const auto certs = read_certificates(p7b);
  ASSERT_EQ(certs.size(), 2u);
  EXPECT_EQ(certs[0], intermediate_a().certificate_pem);
  EXPECT_EQ(certs[1], root_a().certificate_pem);
  // `openssl pkcs7 -outform PEM` writes the same structure as a PKCS7 block.
  const auto b64 = easemu::common::base64_encode(p7b);
  std::string pem = "-----BEGIN PKCS7-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  pem += "-----END PKCS7-----\n";
  EXPECT_EQ(read_certificates(pem).size(), 2u);
}

TEST(ReadCertificates, GarbageGivesNothing) {
  EXPECT_TRUE(read_certificates("").empty());
  EXPECT_TRUE(read_certificates("not a certificate").empty());
  EXPECT_TRUE(read_certificates("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").empty());
  auto der = pem_to_der(root_a().certificate_pem);
  EXPECT_TRUE(read_certificates(der + "x").empty());  // trailing bytes
  EXPECT_TRUE(read_certificates(der.substr(0, der.size() / 2)).empty());
}

TEST(Subject, Rfc2253WithEscapedComma) {
  EXPECT_EQ(subject_rfc2253(root_a().certificate_pem), "CN=Alpha Root,O=Alpha\\, Inc.");
  EXPECT_EQ(subject_rfc2253("nonsense"), "");
}

TEST(SelectBySubject, KeepsOnlyTheListedRootsCaseInsensitively) {
  const auto bundle = root_a().certificate_pem + root_b().certificate_pem;
  EXPECT_EQ(select_by_subject(bundle, {"cn=beta root,o=beta"}), root_b().certificate_pem);
  EXPECT_EQ(select_by_subject(bundle, {"CN=Alpha Root,O=Alpha\\, Inc.", "CN=Nobody"}), root_a().certificate_pem);
  EXPECT_EQ(select_by_subject(bundle, {"CN=Alpha Root"}), "");  // the whole subject, not a part
}

TEST(ServerChain, TrustedThroughAnIntermediate) {
  const auto leaf = server("mail.lab.test", intermediate_a());
  const auto v = check_server_chain({{leaf.certificate_pem, intermediate_a().certificate_pem}, "mail.lab.test", 0},
                                    root_b().certificate_pem + root_a().certificate_pem);
  EXPECT_EQ(v.result, verdict::valid) << v.detail;
  EXPECT_EQ(v.anchor, "CN=Alpha Root,O=Alpha\\, Inc.");
}

TEST(ServerChain, RootNotInTheStoreIsUntrusted) {
  const auto leaf = server("mail.lab.test", intermediate_a());
  const auto v = check_server_chain({{leaf.certificate_pem, intermediate_a().certificate_pem}, "", 0},
                                    root_b().certificate_pem);
  EXPECT_EQ(v.result, verdict::untrusted);
  EXPECT_EQ(v.openssl_error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_EQ(v.depth, 1);
  EXPECT_TRUE(v.anchor.empty());
}

TEST(ServerChain, MissingIntermediateIsUntrusted) {
  const auto leaf = server("mail.lab.test", intermediate_a());
  const auto v = check_server_chain({{leaf.certificate_pem}, "", 0}, root_a().certificate_pem);
  EXPECT_EQ(v.result, verdict::untrusted);
  EXPECT_EQ(v.depth, 0);
}

TEST(ServerChain, WrongHostAndExpiry) {
  const auto leaf = server("mail.lab.test", root_a());
  auto v = check_server_chain({{leaf.certificate_pem}, "owa.lab.test", 0}, root_a().certificate_pem);
  EXPECT_EQ(v.openssl_error, X509_V_ERR_HOSTNAME_MISMATCH);
  const std::time_t in_three_years = std::time(nullptr) + 3L * 366 * 86400;  // the leaf lasts 825 days, the root ten years
  v = check_server_chain({{leaf.certificate_pem}, "mail.lab.test", in_three_years}, root_a().certificate_pem);
  EXPECT_EQ(v.openssl_error, X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_EQ(v.result, verdict::expired);
}

TEST(ServerChain, AnSmimeCertificateIsNoServerCertificate) {
  smime_options o;
  o.email = "alice@lab.test";
  const auto leaf = issue_smime_certificate(root_a(), o);
  const auto v = check_server_chain({{leaf.certificate_pem}, "", 0}, root_a().certificate_pem);
  EXPECT_EQ(v.openssl_error, X509_V_ERR_INVALID_PURPOSE);
}

TEST(ServerChain, EmptyOrBrokenChainIsMalformed) {
  EXPECT_EQ(check_server_chain({{}, "", 0}, root_a().certificate_pem).result, verdict::malformed);
  EXPECT_EQ(check_server_chain({{"junk"}, "", 0}, root_a().certificate_pem).result, verdict::malformed);
}

}  // namespace
