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

// A self-signed root CA (basicConstraints CA:TRUE, keyCertSign and cRLSign).
key_pair create_ca(const ca_options& options);

// A server certificate issued by `issuer` (serverAuth extended key usage). Throws
// std::runtime_error with OpenSSL's reason on failure.
key_pair issue_server_certificate(const key_pair& issuer, const server_options& options);

}  // namespace easemu::certs
