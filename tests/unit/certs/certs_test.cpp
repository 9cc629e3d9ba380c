// Issuance and exports, checked by parsing the results back with OpenSSL.
#include "easemu/certs/certs.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <algorithm>
#include <memory>

#include "support/process.hpp"

namespace {

using namespace easemu::certs;

std::unique_ptr<X509, decltype(&X509_free)> parse(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  return {PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free};
}

const key_pair& test_ca() {
  static const key_pair ca = create_ca({});
  return ca;
}

server_options lab_server() {
  server_options o;
  o.common_name = "mail.lab.test";
  o.dns_names = {"mail.lab.test", "lab.test", "autodiscover.lab.test", "localhost", "mail.lab.test"};
  o.ip_addresses = {"127.0.0.1", "::1", "192.0.2.7"};
  return o;
}

int days_valid(X509* c) {
  int days = 0;
  int secs = 0;
  ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(c), X509_get0_notAfter(c));
  return days;
}

TEST(Certs, CaIsACaWithKeyCertSign) {
  auto ca = parse(test_ca().certificate_pem);
  ASSERT_TRUE(ca);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_NE(X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN, 0u);
  EXPECT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(ca.get())), EVP_PKEY_RSA);  // old phones: RSA
  EXPECT_EQ(EVP_PKEY_get_bits(X509_get0_pubkey(ca.get())), 2048);
}

TEST(Certs, ServerCertificateHasNamesServerAuthAndAtMost825Days) {
  const auto leaf = issue_server_certificate(test_ca(), lab_server());
  auto c = parse(leaf.certificate_pem);
  ASSERT_TRUE(c);
  auto names = subject_alt_names(leaf.certificate_pem);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"DNS:autodiscover.lab.test", "DNS:lab.test", "DNS:localhost",
                                             "DNS:mail.lab.test", "IP:127.0.0.1", "IP:192.0.2.7", "IP:::1"}));
  EXPECT_NE(X509_get_extended_key_usage(c.get()) & XKU_SSL_SERVER, 0u);
  EXPECT_EQ(X509_check_ca(c.get()), 0);
  EXPECT_LE(days_valid(c.get()), 825);
  EXPECT_GE(days_valid(c.get()), 824);
  // It verifies against the CA.
  auto ca = parse(test_ca().certificate_pem);
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  X509_STORE_add_cert(store.get(), ca.get());
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), &X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), c.get(), nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  EXPECT_EQ(X509_verify_cert(ctx.get()), 1) << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
  EXPECT_EQ(X509_check_host(c.get(), "autodiscover.lab.test", 0, 0, nullptr), 1);
}

TEST(Certs, EcdsaIsSelectable) {
  ca_options o;
  o.key = key_type::ecdsa_p256;
  auto ca = parse(create_ca(o).certificate_pem);
  EXPECT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(ca.get())), EVP_PKEY_EC);
}

TEST(Certs, ExportsParseBack) {
  const auto& ca = test_ca();
  const auto der = pem_to_der(ca.certificate_pem);
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509, decltype(&X509_free)> from_der(d2i_X509(nullptr, &p, static_cast<long>(der.size())), &X509_free);
  ASSERT_TRUE(from_der);
  EXPECT_EQ(X509_cmp(from_der.get(), parse(ca.certificate_pem).get()), 0);

  const auto leaf = issue_server_certificate(ca, lab_server());
  const auto p7b = pem_chain_to_p7b(leaf.certificate_pem + ca.certificate_pem);
  p = reinterpret_cast<const unsigned char*>(p7b.data());
  std::unique_ptr<PKCS7, decltype(&PKCS7_free)> p7(d2i_PKCS7(nullptr, &p, static_cast<long>(p7b.size())), &PKCS7_free);
  ASSERT_TRUE(p7);
  ASSERT_EQ(OBJ_obj2nid(p7->type), NID_pkcs7_signed);
  EXPECT_EQ(sk_X509_num(p7->d.sign->cert), 2);

  const auto crl = empty_crl_der(ca);
  p = reinterpret_cast<const unsigned char*>(crl.data());
  std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)> c(d2i_X509_CRL(nullptr, &p, static_cast<long>(crl.size())), &X509_CRL_free);
  ASSERT_TRUE(c);
  const auto* revoked = X509_CRL_get_REVOKED(c.get());  // an empty list decodes as none
  EXPECT_TRUE(revoked == nullptr || sk_X509_REVOKED_num(revoked) == 0);
  EXPECT_EQ(X509_CRL_verify(c.get(), X509_get0_pubkey(parse(ca.certificate_pem).get())), 1);
}

TEST(Certs, IosProfileInstallsTheRoot) {
  const auto profile = ios_root_profile(test_ca().certificate_pem, "Lab <CA>", "test.easemu.lab");
  EXPECT_NE(profile.find("<string>com.apple.security.root</string>"), std::string::npos);
  EXPECT_NE(profile.find("<string>Lab &lt;CA&gt;</string>"), std::string::npos);
  EXPECT_EQ(profile, ios_root_profile(test_ca().certificate_pem, "Lab <CA>", "test.easemu.lab"));  // stable UUIDs
}

TEST(Certs, LoadOrCreateReusesAndReissuesWhenNamesChange) {
  easemu::test::temp_dir dir;
  const auto first = load_or_create(dir.path().string(), {}, lab_server());
  EXPECT_TRUE(first.created);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "ca.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir / "server.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  const auto again = load_or_create(dir.path().string(), {}, lab_server());
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.ca, first.ca);
  EXPECT_EQ(again.server, first.server);

  auto renamed = lab_server();
  renamed.dns_names.push_back("eas.example.test");
  const auto third = load_or_create(dir.path().string(), {}, renamed);
  EXPECT_EQ(third.ca, first.ca);  // same CA: phones keep trusting it
  EXPECT_NE(third.server.certificate_pem, first.server.certificate_pem);
  const auto names = subject_alt_names(third.server.certificate_pem);
  EXPECT_NE(std::find(names.begin(), names.end(), "DNS:eas.example.test"), names.end());
}

}  // namespace
