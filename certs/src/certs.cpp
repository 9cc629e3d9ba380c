#include "easemu/certs/certs.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace easemu::certs {

namespace {

template <class T, void (*F)(T*)>
struct deleter {
  void operator()(T* p) const { F(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO, BIO_free_all>>;

[[noreturn]] void fail(const std::string& what) {
  const unsigned long e = ERR_get_error();
  char buf[256] = "unknown error";
  if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
  throw std::runtime_error(what + ": " + buf);
}

pkey_ptr generate_key(key_type type) {
  EVP_PKEY* k = type == key_type::rsa2048 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})
                                          : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (k == nullptr) fail("key generation failed");
  return pkey_ptr(k);
}

std::string to_pem(X509* cert) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) fail("PEM encoding failed");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string to_pem(EVP_PKEY* key) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    fail("PEM encoding failed");
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

x509_ptr read_cert(const std::string& pem) {
  bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  x509_ptr c(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!c) fail("certificate does not parse");
  return c;
}

pkey_ptr read_key(const std::string& pem) {
  bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  pkey_ptr k(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!k) fail("private key does not parse");
  return k;
}

void set_random_serial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) fail("no random serial");
  bytes[0] &= 0x7F;  // positive
  std::unique_ptr<BIGNUM, deleter<BIGNUM, BN_free>> bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) fail("serial");
}

void add_name(X509_NAME* name, const char* field, const std::string& value) {
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0) != 1) {
    fail(std::string("bad subject field ") + field);
  }
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) fail("bad extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

}  // namespace

key_pair create_ca(const ca_options& o) {
  auto key = generate_key(o.key);
  x509_ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  set_random_serial(cert.get());
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(o.valid_days) * 86400);
  X509_NAME* name = X509_get_subject_name(cert.get());
  add_name(name, "O", o.organization);
  add_name(name, "CN", o.common_name);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("CA signing failed");
  return {to_pem(cert.get()), to_pem(key.get())};
}

key_pair issue_server_certificate(const key_pair& issuer, const server_options& o) {
  auto ca_cert = read_cert(issuer.certificate_pem);
  auto ca_key = read_key(issuer.private_key_pem);
  auto key = generate_key(o.key);
  x509_ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  set_random_serial(cert.get());
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(o.not_before_offset.count()));
  X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                  static_cast<long>(o.not_before_offset.count()) + 3600 + static_cast<long>(o.valid_days) * 86400);
  X509_NAME* name = X509_get_subject_name(cert.get());
  add_name(name, "CN", o.common_name);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));
  X509_set_pubkey(cert.get(), key.get());
  std::string san;
  for (const auto& d : o.dns_names) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : o.ip_addresses) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  add_extension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  add_extension(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), ca_cert.get(), NID_subject_key_identifier, "hash");
  add_extension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always");
  if (!san.empty()) add_extension(cert.get(), ca_cert.get(), NID_subject_alt_name, san);
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0) fail("certificate signing failed");
  return {to_pem(cert.get()), to_pem(key.get())};
}

}  // namespace easemu::certs
