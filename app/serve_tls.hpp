#pragma once
// The TLS side of `easemu serve`: the lab CA and its server certificate, what /certsrv/ offers,
// and the certificate fault modes (tls_modes.hpp) the HTTPS listener switches between.
#include <string>

#include "easemu/certs/certs.hpp"
#include "easemu/server/net.hpp"
#include "easemu/server/router.hpp"
#include "serve_config.hpp"

namespace easemu::app {

struct lab_tls {
  certs::lab_certificates certificates;  // created == true: generated on this start
  certs::server_options names;           // what every mode's server certificate names
  std::string certs_dir;                 // <data-dir>/certs; empty: in memory
};

// The lab CA and server certificate: kept in <data-dir>/certs and reused, or in memory. The
// certificate names the lab's host names, this machine's addresses and the extra SANs.
lab_tls load_lab_tls(const serve_config& config);

// The lab CA as /certsrv/ offers it (PEM, DER, PKCS#7, the CRL, the iOS profile).
server::ca_downloads ca_downloads(const lab_tls& tls, const lab_config& lab);

// Presents the configured mode's certificate on `http` and returns the control that switches
// modes at run time (/api/v1/tls). `http` must outlive the control.
server::tls_control start_tls_modes(server::http_server& http, const lab_tls& tls, const serve_config& config);

}  // namespace easemu::app
