// S/MIME issuance, revocation and validation against the lab CA: every verdict the ValidateCert
// command reports, produced by a real certificate and OpenSSL's chain verification.
#include "easemu/certs/validate.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <fstream>
#include <memory>

#include "easemu/certs/certs.hpp"
#include "support/process.hpp"

namespace {

using namespace easemu::certs;

const key_pair& lab_ca() {
  static const key_pair ca = create_ca({});
  return ca;
}

key_pair smime(const std::string& email, const key_pair& issuer = lab_ca(), int valid_days = 365,
               std::chrono::seconds offset = std::chrono::seconds{-3600}) {
  smime_options o;
  o.email = email;
  o.valid_days = valid_days;
  o.not_before_offset = offset;
  return issue_smime_certificate(issuer, o);
}

validation check(const key_pair& leaf, std::vector<std::string> chain = {}, bool crl = false,
                 std::vector<std::string> crls = {}) {
  return validate_certificate({pem_to_der(leaf.certificate_pem), std::move(chain), crl, 0}, lab_ca().certificate_pem,
                              crls);
}

TEST(Smime, CertificateCarriesEmailProtectionAndTheAddress) {
  const auto cert = smime("alice@lab.test");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(cert.certificate_pem.data(), static_cast<int>(cert.certificate_pem.size())), &BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  ASSERT_TRUE(x);
  EXPECT_TRUE(X509_get_extended_key_usage(x.get()) & XKU_SMIME);
  EXPECT_FALSE(X509_get_extended_key_usage(x.get()) & XKU_SSL_SERVER);
  EXPECT_EQ(X509_check_email(x.get(), "alice@lab.test", 0, 0), 1);
  EXPECT_EQ(X509_check_ca(x.get()), 0);
  EXPECT_THROW(smime(""), std::runtime_error);
}

TEST(Validate, LabIssuedSmimeCertificateIsValid) {
  const auto v = check(smime("alice@lab.test"));
  EXPECT_EQ(v.result, verdict::valid) << v.detail;
  EXPECT_EQ(v.openssl_error, 0);
}

TEST(Validate, ExpiredAndNotYetValid) {
  const auto expired = check(smime("old@lab.test", lab_ca(), 1, std::chrono::hours(-24 * 30)));
  EXPECT_EQ(expired.result, verdict::expired) << expired.detail;
  EXPECT_EQ(expired.openssl_error, X509_V_ERR_CERT_HAS_EXPIRED);
  const auto future = check(smime("new@lab.test", lab_ca(), 30, std::chrono::hours(24 * 10)));
  EXPECT_EQ(future.result, verdict::expired) << future.detail;
  EXPECT_EQ(future.openssl_error, X509_V_ERR_CERT_NOT_YET_VALID);
}

TEST(Validate, OtherCaIsUntrusted) {
  const auto other = create_ca({"Some Other CA", "elsewhere"});
  const auto v = check(smime("bob@lab.test", other));
  EXPECT_EQ(v.result, verdict::untrusted) << v.detail;
  EXPECT_EQ(v.openssl_error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST(Validate, ServerCertificateIsNotForEmail) {
  server_options o;
  o.common_name = "mail.lab.test";
  o.dns_names = {"mail.lab.test"};
  const auto v = check(issue_server_certificate(lab_ca(), o));
  EXPECT_EQ(v.result, verdict::not_for_email) << v.detail;
  EXPECT_EQ(v.openssl_error, X509_V_ERR_INVALID_PURPOSE);
}

TEST(Validate, GarbageAndTamperedCertificates) {
  EXPECT_EQ(validate_certificate({"not a certificate", {}, false, 0}, lab_ca().certificate_pem, {}).result,
            verdict::malformed);
  EXPECT_EQ(validate_certificate({"", {}, false, 0}, lab_ca().certificate_pem, {}).result, verdict::malformed);
  auto der = pem_to_der(smime("carol@lab.test").certificate_pem);
  auto trailing = der + "x";
  EXPECT_EQ(validate_certificate({trailing, {}, false, 0}, lab_ca().certificate_pem, {}).result, verdict::malformed);
  der.back() = static_cast<char>(der.back() ^ 0x01);  // the last byte is the signature's
  const auto v = validate_certificate({der, {}, false, 0}, lab_ca().certificate_pem, {});
  EXPECT_EQ(v.result, verdict::bad_signature) << v.detail;
}

TEST(Validate, RevocationOnlyWhenAskedForTheCrl) {
  const auto leaf = smime("dave@lab.test");
  const auto crl = crl_der(lab_ca(), {serial_hex(leaf.certificate_pem)});
  EXPECT_EQ(check(leaf, {}, false, {crl}).result, verdict::valid);
  const auto v = check(leaf, {}, true, {crl});
  EXPECT_EQ(v.result, verdict::revoked) << v.detail;
  EXPECT_EQ(v.openssl_error, X509_V_ERR_CERT_REVOKED);
  // Another certificate of the same CA is still good, and no CRL at all is "unknown".
  EXPECT_EQ(check(smime("erin@lab.test"), {}, true, {crl}).result, verdict::valid);
  EXPECT_EQ(check(leaf, {}, true, {}).result, verdict::revocation_unknown);
}

TEST(Validate, IntermediatesComeFromTheDevicesChain) {
  const auto intermediate = create_ca({"easemu Lab Issuing CA", "easemu lab"}, &lab_ca());
  const auto leaf = smime("frank@lab.test", intermediate);
  EXPECT_EQ(check(leaf).result, verdict::untrusted);
  const auto chain = std::vector<std::string>{pem_to_der(intermediate.certificate_pem)};
  const auto v = check(leaf, chain);
  EXPECT_EQ(v.result, verdict::valid) << v.detail;
  // A revoked intermediate is reported as a revoked CA in the chain.
  const auto root_crl = crl_der(lab_ca(), {serial_hex(intermediate.certificate_pem)});
  const auto issuing_crl = crl_der(intermediate, {});
  const auto revoked = check(leaf, chain, true, {root_crl, issuing_crl});
  EXPECT_EQ(revoked.result, verdict::chain_revoked) << revoked.detail;
  EXPECT_EQ(revoked.depth, 1);
  // An end-entity certificate cannot issue.
  const auto fake_ca = smime("mallory@lab.test");
  EXPECT_EQ(check(smime("gina@lab.test", fake_ca), {pem_to_der(fake_ca.certificate_pem)}).result,
            verdict::chain_misuse);
}

TEST(Validate, ValidationTimeCanBeChosen) {
  const auto leaf = smime("hank@lab.test", lab_ca(), 10);
  const std::time_t in_a_year = std::time(nullptr) + 365L * 86400;
  const auto v = validate_certificate({pem_to_der(leaf.certificate_pem), {}, false, in_a_year}, lab_ca().certificate_pem, {});
  EXPECT_EQ(v.result, verdict::expired);
}

TEST(Revocation, FileRoundTripNormalisesSerials) {
  easemu::test::temp_dir dir;
  EXPECT_TRUE(revoked_serials(dir.path().string()).empty());
  EXPECT_TRUE(revoke(dir.path().string(), "00ab12"));
  EXPECT_FALSE(revoke(dir.path().string(), "AB12"));  // the same number
  EXPECT_TRUE(revoke(dir.path().string(), "ff"));
  EXPECT_EQ(revoked_serials(dir.path().string()), (std::vector<std::string>{"AB12", "FF"}));
  EXPECT_THROW(revoke(dir.path().string(), "not-hex"), std::runtime_error);
  EXPECT_THROW(revoke(dir.path().string(), ""), std::runtime_error);
}

TEST(Revocation, CrlListsTheRevokedSerials) {
  const auto a = smime("ivy@lab.test");
  const auto b = smime("jack@lab.test");
  const auto der = crl_der(lab_ca(), {serial_hex(a.certificate_pem)});
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)> crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())),
                                                           &X509_CRL_free);
  ASSERT_TRUE(crl);
  ASSERT_EQ(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl.get())), 1);
  auto serial_of = [](const key_pair& k) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(k.certificate_pem.data(), static_cast<int>(k.certificate_pem.size())), &BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
    return std::unique_ptr<ASN1_INTEGER, decltype(&ASN1_INTEGER_free)>(
        ASN1_INTEGER_dup(X509_get0_serialNumber(x.get())), &ASN1_INTEGER_free);
  };
  const auto* entry = sk_X509_REVOKED_value(X509_CRL_get_REVOKED(crl.get()), 0);
  EXPECT_EQ(ASN1_INTEGER_cmp(X509_REVOKED_get0_serialNumber(entry), serial_of(a).get()), 0);
  EXPECT_NE(ASN1_INTEGER_cmp(X509_REVOKED_get0_serialNumber(entry), serial_of(b).get()), 0);
  EXPECT_THROW(crl_der(lab_ca(), {"zz"}), std::runtime_error);
}

}  // namespace
