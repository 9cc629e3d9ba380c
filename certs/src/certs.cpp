#include "easemu/certs/certs.hpp"

#include "easemu/common/markup.hpp"
#include "ossl.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

namespace easemu::certs {

using namespace detail;

namespace {

void set_random_serial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) fail("no random serial");
  bytes[0] &= 0x7F;  // positive
  std::unique_ptr<BIGNUM, deleter<BIGNUM, BN_free>> bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) fail("serial");
}

// A serial number as hexadecimal text (upper case, no leading zeros), and back.
std::string hex_of(const BIGNUM* bn) {
  char* hex = BN_bn2hex(bn);
  if (hex == nullptr) fail("serial");
  std::string out(hex);
  OPENSSL_free(hex);
  return out;
}

std::unique_ptr<BIGNUM, deleter<BIGNUM, BN_free>> bignum_from_hex(const std::string& text) {
  BIGNUM* raw = nullptr;
  if (text.empty() || text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos ||
      BN_hex2bn(&raw, text.c_str()) == 0) {
    throw std::runtime_error("'" + text + "' is not a hexadecimal serial number");
  }
  return std::unique_ptr<BIGNUM, deleter<BIGNUM, BN_free>>(raw);
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

key_pair create_ca(const ca_options& o, const key_pair* issuer) {
  auto key = generate_key(o.key);
  x509_ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  set_random_serial(cert.get());
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(o.valid_days) * 86400);
  X509_NAME* name = X509_get_subject_name(cert.get());
  add_name(name, "O", o.organization);
  add_name(name, "CN", o.common_name);
  X509_set_pubkey(cert.get(), key.get());
  if (issuer == nullptr) {
    X509_set_issuer_name(cert.get(), name);
    add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("CA signing failed");
  } else {
    auto parent = read_cert(issuer->certificate_pem);
    auto parent_key = read_key(issuer->private_key_pem);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(parent.get()));
    add_extension(cert.get(), parent.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_extension(cert.get(), parent.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(cert.get(), parent.get(), NID_subject_key_identifier, "hash");
    add_extension(cert.get(), parent.get(), NID_authority_key_identifier, "keyid:always");
    if (X509_sign(cert.get(), parent_key.get(), EVP_sha256()) == 0) fail("intermediate CA signing failed");
  }
  return {to_pem(cert.get()), to_pem(key.get())};
}

namespace {

enum class leaf_usage { server, smime };

// An end-entity certificate: signed by `issuer`, or by its own key when `issuer` is null.
key_pair build_leaf(const key_pair* issuer, const std::string& common_name, const std::vector<std::string>& alt_names,
                    leaf_usage usage, key_type type, int valid_days, std::chrono::seconds not_before_offset) {
  auto key = generate_key(type);
  x509_ptr ca_cert(nullptr);
  pkey_ptr ca_key(nullptr);
  if (issuer != nullptr) {
    ca_cert = read_cert(issuer->certificate_pem);
    ca_key = read_key(issuer->private_key_pem);
  }
  x509_ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  set_random_serial(cert.get());
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(not_before_offset.count()));
  X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                  static_cast<long>(not_before_offset.count()) + 3600 + static_cast<long>(valid_days) * 86400);
  X509_NAME* name = X509_get_subject_name(cert.get());
  add_name(name, "CN", common_name);
  X509* signer = issuer != nullptr ? ca_cert.get() : cert.get();  // self-signed: its own issuer
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  X509_set_pubkey(cert.get(), key.get());
  std::string san;
  std::vector<std::string> seen;
  for (const auto& entry : alt_names) {
    if (std::find(seen.begin(), seen.end(), entry) != seen.end()) continue;  // hostname may equal a SAN
    seen.push_back(entry);
    san += (san.empty() ? "" : ",") + entry;
  }
  add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
  if (usage == leaf_usage::server) {
    add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
  } else {
    add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature,nonRepudiation,keyEncipherment");
    add_extension(cert.get(), signer, NID_ext_key_usage, "emailProtection");
  }
  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  if (!san.empty()) add_extension(cert.get(), signer, NID_subject_alt_name, san);
  if (X509_sign(cert.get(), issuer != nullptr ? ca_key.get() : key.get(), EVP_sha256()) == 0) {
    fail("certificate signing failed");
  }
  return {to_pem(cert.get()), to_pem(key.get())};
}

key_pair build_server_certificate(const key_pair* issuer, const server_options& o) {
  std::vector<std::string> names;
  for (const auto& d : o.dns_names) names.push_back("DNS:" + d);
  for (const auto& ip : o.ip_addresses) names.push_back("IP:" + ip);
  return build_leaf(issuer, o.common_name, names, leaf_usage::server, o.key, o.valid_days, o.not_before_offset);
}

}  // namespace

key_pair issue_server_certificate(const key_pair& issuer, const server_options& o) {
  return build_server_certificate(&issuer, o);
}

key_pair self_signed_server_certificate(const server_options& o) { return build_server_certificate(nullptr, o); }

key_pair issue_smime_certificate(const key_pair& issuer, const smime_options& o) {
  if (o.email.empty()) throw std::runtime_error("an S/MIME certificate needs an e-mail address");
  return build_leaf(&issuer, o.common_name.empty() ? o.email : o.common_name, {"email:" + o.email},
                    leaf_usage::smime, o.key, o.valid_days, o.not_before_offset);
}

std::string serial_hex(const std::string& pem) {
  auto cert = read_cert(pem);
  std::unique_ptr<BIGNUM, deleter<BIGNUM, BN_free>> bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
  if (!bn) fail("serial");
  return hex_of(bn.get());
}

std::string pem_to_der(const std::string& pem) {
  auto cert = read_cert(pem);
  return to_der(cert.get(), i2d_X509);
}

std::string pem_chain_to_p7b(const std::string& pem) {
  bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> certs(
      sk_X509_new_null(), [](STACK_OF(X509)* s) { sk_X509_pop_free(s, X509_free); });
  while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) sk_X509_push(certs.get(), c);
  ERR_clear_error();  // the end of the PEM input
  if (sk_X509_num(certs.get()) == 0) fail("no certificate in the chain");
  std::unique_ptr<PKCS7, deleter<PKCS7, PKCS7_free>> p7(PKCS7_new());
  if (!p7 || PKCS7_set_type(p7.get(), NID_pkcs7_signed) != 1) fail("PKCS#7 failed");
  PKCS7_content_new(p7.get(), NID_pkcs7_data);
  for (int i = 0; i < sk_X509_num(certs.get()); ++i) PKCS7_add_certificate(p7.get(), sk_X509_value(certs.get(), i));
  return to_der(p7.get(), i2d_PKCS7);
}

std::string crl_der(const key_pair& ca, const std::vector<std::string>& revoked_serials, int days) {
  auto ca_cert = read_cert(ca.certificate_pem);
  auto ca_key = read_key(ca.private_key_pem);
  std::unique_ptr<X509_CRL, deleter<X509_CRL, X509_CRL_free>> crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), 1);
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca_cert.get()));
  std::unique_ptr<ASN1_TIME, deleter<ASN1_TIME, ASN1_TIME_free>> now(X509_gmtime_adj(nullptr, 0));
  std::unique_ptr<ASN1_TIME, deleter<ASN1_TIME, ASN1_TIME_free>> next(X509_gmtime_adj(nullptr, static_cast<long>(days) * 86400));
  X509_CRL_set1_lastUpdate(crl.get(), now.get());
  X509_CRL_set1_nextUpdate(crl.get(), next.get());
  for (const auto& serial : revoked_serials) {
    const auto bn = bignum_from_hex(serial);
    std::unique_ptr<X509_REVOKED, deleter<X509_REVOKED, X509_REVOKED_free>> entry(X509_REVOKED_new());
    std::unique_ptr<ASN1_INTEGER, deleter<ASN1_INTEGER, ASN1_INTEGER_free>> number(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    if (!entry || !number || X509_REVOKED_set_serialNumber(entry.get(), number.get()) != 1 ||
        X509_REVOKED_set_revocationDate(entry.get(), now.get()) != 1 || X509_CRL_add0_revoked(crl.get(), entry.get()) != 1) {
      fail("CRL entry");
    }
    entry.release();  // owned by the CRL now
  }
  X509_CRL_sort(crl.get());
  if (X509_CRL_sign(crl.get(), ca_key.get(), EVP_sha256()) == 0) fail("CRL signing failed");
  return to_der(crl.get(), i2d_X509_CRL);
}

std::string empty_crl_der(const key_pair& ca, int days) { return crl_der(ca, {}, days); }

namespace {

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// A stable UUID-shaped text from a certificate's DER, so the profile is the same on every start.
std::string uuid_from(const std::string& der, unsigned char salt) {
  unsigned char md[32];
  unsigned int len = 0;
  std::string input = der;
  input.push_back(static_cast<char>(salt));
  EVP_Digest(input.data(), input.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[md[i] >> 4];
    out += hex[md[i] & 0x0F];
  }
  return out;
}

}  // namespace

std::string ios_root_profile(const std::string& ca_pem, const std::string& display_name,
                             const std::string& identifier) {
  const auto der = pem_to_der(ca_pem);
  const auto name = common::markup_escape(display_name);
  const auto id = common::markup_escape(identifier);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
         "<plist version=\"1.0\">\n<dict>\n"
         "  <key>PayloadContent</key>\n  <array>\n    <dict>\n"
         "      <key>PayloadCertificateFileName</key>\n      <string>easemu-ca.cer</string>\n"
         "      <key>PayloadContent</key>\n      <data>" + base64(der) + "</data>\n"
         "      <key>PayloadDescription</key>\n      <string>Adds the lab root CA</string>\n"
         "      <key>PayloadDisplayName</key>\n      <string>" + name + "</string>\n"
         "      <key>PayloadIdentifier</key>\n      <string>" + id + ".root</string>\n"
         "      <key>PayloadType</key>\n      <string>com.apple.security.root</string>\n"
         "      <key>PayloadUUID</key>\n      <string>" + uuid_from(der, 1) + "</string>\n"
         "      <key>PayloadVersion</key>\n      <integer>1</integer>\n"
         "    </dict>\n  </array>\n"
         "  <key>PayloadDisplayName</key>\n  <string>" + name + "</string>\n"
         "  <key>PayloadIdentifier</key>\n  <string>" + id + "</string>\n"
         "  <key>PayloadRemovalDisallowed</key>\n  <false/>\n"
         "  <key>PayloadType</key>\n  <string>Configuration</string>\n"
         "  <key>PayloadUUID</key>\n  <string>" + uuid_from(der, 2) + "</string>\n"
         "  <key>PayloadVersion</key>\n  <integer>1</integer>\n"
         "</dict>\n</plist>\n";
}

std::vector<std::string> subject_alt_names(const std::string& pem) {
  auto cert = read_cert(pem);
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS) {
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)),
                                         static_cast<std::size_t>(ASN1_STRING_length(n->d.dNSName))));
    } else if (n->type == GEN_IPADD) {
      const auto* bytes = ASN1_STRING_get0_data(n->d.iPAddress);
      const int len = ASN1_STRING_length(n->d.iPAddress);
      char buf[INET6_ADDRSTRLEN] = "";
      if (len == 4 || len == 16) inet_ntop(len == 4 ? AF_INET : AF_INET6, bytes, buf, sizeof buf);
      out.push_back("IP:" + std::string(buf));
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

namespace {

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const std::filesystem::path& p, const std::string& text, bool secret) {
  const auto tmp = p.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (secret) {
      std::filesystem::permissions(tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                   std::filesystem::perm_options::replace);
    }
    out << text;
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, p);
}

std::vector<std::string> wanted_names(const server_options& o) {
  std::vector<std::string> names;
  for (const auto& d : o.dns_names) names.push_back("DNS:" + d);
  for (const auto& ip : o.ip_addresses) {
    // Normalise the text form (as subject_alt_names reads it back).
    unsigned char buf[16];
    char text[INET6_ADDRSTRLEN] = "";
    if (inet_pton(AF_INET, ip.c_str(), buf) == 1) {
      inet_ntop(AF_INET, buf, text, sizeof text);
    } else if (inet_pton(AF_INET6, ip.c_str(), buf) == 1) {
      inet_ntop(AF_INET6, buf, text, sizeof text);
    } else {
      throw std::runtime_error("'" + ip + "' is not an IP address");
    }
    names.push_back("IP:" + std::string(text));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

bool still_valid(const std::string& pem) {
  auto cert = read_cert(pem);
  // Reissue a month before it expires.
  std::unique_ptr<ASN1_TIME, deleter<ASN1_TIME, ASN1_TIME_free>> soon(X509_gmtime_adj(nullptr, 30L * 86400));
  return ASN1_TIME_compare(X509_get0_notAfter(cert.get()), soon.get()) > 0;
}

bool issued_by(const std::string& leaf_pem, const std::string& ca_pem) {
  auto leaf = read_cert(leaf_pem);
  auto ca = read_cert(ca_pem);
  std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>> key(X509_get_pubkey(ca.get()));
  const bool ok = key && X509_verify(leaf.get(), key.get()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace

lab_certificates load_or_create(const std::string& dir, const ca_options& ca_opts, const server_options& server_opts) {
  lab_certificates out;
  const auto names = wanted_names(server_opts);
  if (dir.empty()) {
    out.ca = create_ca(ca_opts);
    out.server = issue_server_certificate(out.ca, server_opts);
    out.created = true;
    return out;
  }
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  const fs::path ca_pem = fs::path(dir) / "ca.pem";
  const fs::path ca_key = fs::path(dir) / "ca.key";
  const fs::path srv_pem = fs::path(dir) / "server.pem";
  const fs::path srv_key = fs::path(dir) / "server.key";
  if (fs::exists(ca_pem) && fs::exists(ca_key)) {
    out.ca = {read_text(ca_pem), read_text(ca_key)};
    read_cert(out.ca.certificate_pem);  // throws when damaged
    read_key(out.ca.private_key_pem);
  } else {
    out.ca = create_ca(ca_opts);
    out.created = true;
    write_text(ca_key, out.ca.private_key_pem, true);
    write_text(ca_pem, out.ca.certificate_pem, false);
  }
  if (!out.created && fs::exists(srv_pem) && fs::exists(srv_key)) {
    key_pair existing{read_text(srv_pem), read_text(srv_key)};
    auto have = subject_alt_names(existing.certificate_pem);
    std::sort(have.begin(), have.end());
    if (have == names && still_valid(existing.certificate_pem) &&
        issued_by(existing.certificate_pem, out.ca.certificate_pem)) {
      out.server = std::move(existing);
      return out;
    }
  }
  out.server = issue_server_certificate(out.ca, server_opts);
  write_text(srv_key, out.server.private_key_pem, true);
  write_text(srv_pem, out.server.certificate_pem, false);
  return out;
}

namespace {

// Upper case, no leading zeros: the form serial_hex() and the CRL use.
std::string normalise_serial(const std::string& text) {
  const auto trimmed = text.substr(0, text.find_last_not_of(" \t\r\n") + 1);
  try {
    return hex_of(bignum_from_hex(trimmed).get());
  } catch (const std::runtime_error&) {
    throw std::runtime_error("'" + text + "' is not a hexadecimal serial number");
  }
}

}  // namespace

std::vector<std::string> revoked_serials(const std::string& dir) {
  std::vector<std::string> out;
  if (dir.empty()) return out;
  std::ifstream in(std::filesystem::path(dir) / "revoked.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos || line[0] == '#') continue;
    out.push_back(normalise_serial(line));
  }
  return out;
}

bool revoke(const std::string& dir, const std::string& serial) {
  const auto normal = normalise_serial(serial);
  auto list = revoked_serials(dir);
  if (std::find(list.begin(), list.end(), normal) != list.end()) return false;
  list.push_back(normal);
  std::string text;
  for (const auto& s : list) text += s + "\n";
  std::filesystem::create_directories(dir);
  write_text(std::filesystem::path(dir) / "revoked.txt", text, false);
  return true;
}

}  // namespace easemu::certs
