#pragma once
// A phone's trust store and the offline check of a server's chain against it (`easemu ca
// check-chain`, the simulated phones): certificates read from the forms a phone or an admin
// handles (PEM, DER .cer, PKCS#7 .p7b), roots picked from a bundle by subject, and the chain
// built and verified by OpenSSL for a TLS server.
#include <ctime>
#include <string>
#include <vector>

#include "easemu/certs/validate.hpp"

namespace easemu::certs {

// Every certificate in `bytes`, PEM, in order: PEM text (one or more certificates, or a PEM
// PKCS7 block), a DER certificate (.cer) or a DER PKCS#7 SignedData (.p7b). Empty when nothing
// parses; never throws.
std::vector<std::string> read_certificates(const std::string& bytes);

// The subject of a PEM certificate as RFC 2253 text, as `openssl x509 -noout -subject -nameopt
// RFC2253` prints it ("CN=DigiCert Global Root CA,OU=www.digicert.com,O=DigiCert Inc,C=US").
// Empty when it does not parse.
std::string subject_rfc2253(const std::string& pem);

// The certificates of `bundle_pem` whose subject (subject_rfc2253, compared ASCII
// case-insensitively) is one of `subjects`, as PEM text.
std::string select_by_subject(const std::string& bundle_pem, const std::vector<std::string>& subjects);

struct server_chain_input {
  std::vector<std::string> chain_pem;  // the server's certificate first, then what it sends
  std::string host;                    // the name the phone connects to; empty: not checked
  std::time_t at = 0;                  // validation time; 0: now
};

// The chain as a TLS client checks a server (purpose sslserver, the host name when given)
// against the roots in `trusted_pem`. `anchor` of the result is the subject of the root the chain
// ended at. Never throws.
validation check_server_chain(const server_chain_input& input, const std::string& trusted_pem);

}  // namespace easemu::certs
