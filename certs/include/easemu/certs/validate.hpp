#pragma once
// Certificate validation against the lab CA (the ValidateCert command; MS-ASCMD 2.2.1.22): the
// chain is built with OpenSSL from the device's certificates, the lab CA is the only trust
// anchor, the purpose is S/MIME signing, and the lab CRL is consulted when asked.
#include <ctime>
#include <string>
#include <vector>

namespace easemu::certs {

// What went wrong, in the terms of MS-ASCMD 2.2.3.177.18 (Status in ValidateCert); the server
// maps each to its status number.
enum class verdict {
  valid,
  bad_signature,         // a signature in the chain does not verify
  untrusted,             // the chain does not end at the lab CA
  malformed,             // a certificate does not parse or has broken fields
  not_for_email,         // the certificate is not meant for signing e-mail
  expired,               // the certificate is outside its validity period
  chain_time_invalid,    // a CA certificate in the chain is outside its validity period
  chain_misuse,          // a certificate in the chain cannot act as a CA
  revoked,               // the certificate is on the CRL
  chain_revoked,         // a CA certificate in the chain is on the CRL
  revocation_unknown,    // the CRL needed for the check is missing or unusable
  error,                 // anything else
};

const char* to_string(verdict v);

struct validation {
  verdict result = verdict::error;
  int openssl_error = 0;  // X509_V_ERR_* (0 when valid)
  int depth = 0;          // where in the chain it failed (0: the certificate itself)
  std::string detail;     // OpenSSL's text, for the log
  std::string anchor;     // check_server_chain: subject of the trusted root it ended at
};

struct validation_input {
  std::string certificate_der;              // the certificate to validate
  std::vector<std::string> chain_der;       // intermediates the device sent (any order)
  bool check_crl = false;
  std::time_t at = 0;                       // validation time; 0: now
};

// `trusted_pem`: the lab CA (PEM, may hold several). `crls_der`: CRLs to consult with check_crl.
// Never throws for bad input: a certificate that does not parse gives verdict::malformed.
validation validate_certificate(const validation_input& input, const std::string& trusted_pem,
                                const std::vector<std::string>& crls_der);

}  // namespace easemu::certs
