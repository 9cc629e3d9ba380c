#pragma once
// The ValidateCert command (MS-ASCMD 2.2.1.22; registered by commands::validate_cert): what it
// trusts, its limit and how a validation verdict becomes its per-certificate Status.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "easemu/certs/validate.hpp"
#include "easemu/server/activesync/context.hpp"

namespace spdlog {
class logger;
}

namespace easemu::server {

// The lab's trust: its CA (PEM) and its current CRL (DER; built when asked, since an
// administrator may revoke a certificate while the server runs).
struct lab_trust {
  std::string ca_pem;
  std::function<std::string()> crl_der;
};

// At most this many certificates (Certificates plus CertificateChain) in one request.
inline constexpr std::size_t max_validate_certificates = 64;

// The per-certificate Status value of MS-ASCMD 2.2.3.177.18 for a validation verdict.
int validate_cert_status(certs::verdict v);

}  // namespace easemu::server
