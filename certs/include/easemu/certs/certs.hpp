#pragma once
// Lab CA and server certificates with OpenSSL 3 (EVP and X509 APIs; no `openssl` tool).
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace easemu::certs {

enum class key_type { rsa2048, ecdsa_p256 };

// A certificate and its private key, PEM.
struct key_pair {
  std::string certificate_pem;
  std::string private_key_pem;

  bool operator==(const key_pair&) const = default;
};

struct ca_options {
  std::string common_name = "easemu Lab Root CA";
  std::string organization = "easemu lab";
  key_type key = key_type::rsa2048;  // old phones cannot do ECDSA
  int valid_days = 3650;
};

struct server_options {
  std::string common_name;              // the hostname
  std::vector<std::string> dns_names;   // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries (v4 or v6 text)
  key_type key = key_type::rsa2048;
  int valid_days = 825;  // iOS rejects server certificates valid for longer
  // Validity start relative to now (negative: in the past), for the fault modes later.
  std::chrono::seconds not_before_offset{-3600};
};

// An S/MIME certificate for a lab user (emailProtection, the address as an rfc822Name), so a
// lab can exercise ValidateCert and signed mail.
struct smime_options {
  std::string email;
  std::string common_name;  // default: the address
  key_type key = key_type::rsa2048;
  int valid_days = 365;
  std::chrono::seconds not_before_offset{-3600};
};

// A self-signed root CA (basicConstraints CA:TRUE, keyCertSign and cRLSign), or with `issuer`
// an intermediate CA it signs (pathlen 0).
key_pair create_ca(const ca_options& options, const key_pair* issuer = nullptr);

// A server certificate issued by `issuer` (serverAuth extended key usage). Throws
// std::runtime_error with OpenSSL's reason on failure.
key_pair issue_server_certificate(const key_pair& issuer, const server_options& options);
// The same, signed with its own key (what a fresh Exchange install presents).
key_pair self_signed_server_certificate(const server_options& options);

key_pair issue_smime_certificate(const key_pair& issuer, const smime_options& options);

// The serial number of a PEM certificate, upper-case hexadecimal (as `openssl x509 -serial`).
std::string serial_hex(const std::string& pem);

// Exports of a PEM certificate (the first one in `pem`).
std::string pem_to_der(const std::string& pem);
// A degenerate PKCS#7 SignedData holding every certificate in `pem` (a .p7b chain), DER.
std::string pem_chain_to_p7b(const std::string& pem);
// A CRL signed by the CA listing `revoked_serials` (hexadecimal), DER, valid for `days`.
std::string crl_der(const key_pair& ca, const std::vector<std::string>& revoked_serials, int days = 30);
std::string empty_crl_der(const key_pair& ca, int days = 30);
// An iOS configuration profile (.mobileconfig) whose payload installs `ca_pem` as a root
// (payload type com.apple.security.root). `identifier` is a reverse-DNS name for the profile.
std::string ios_root_profile(const std::string& ca_pem, const std::string& display_name,
                             const std::string& identifier);

// The lab CA and the server certificate, kept in `dir` (PEM; private keys mode 0600) and
// reused across restarts; generated when missing. The server certificate is issued again when
// its names no longer match `server` (a new hostname or --san). Empty `dir`: in memory only.
struct lab_certificates {
  key_pair ca;
  key_pair server;
  bool created = false;  // the CA was generated on this call
};
lab_certificates load_or_create(const std::string& dir, const ca_options& ca, const server_options& server);

// Serial numbers the lab CA has revoked, kept one per line in <dir>/revoked.txt (the CRL at
// /certsrv/ca.crl and ValidateCert read it). `revoke` adds one (once) and returns false when it
// was already there. Throws std::runtime_error for a serial that is not hexadecimal.
std::vector<std::string> revoked_serials(const std::string& dir);
bool revoke(const std::string& dir, const std::string& serial_hex);

// subjectAltName entries of a PEM certificate: "DNS:name" and "IP:address".
std::vector<std::string> subject_alt_names(const std::string& pem);

}  // namespace easemu::certs
