#pragma once
// The certificate fault modes (issue: certificates and the trust lab): what the HTTPS listener
// presents, so a lab can reproduce each way a phone can distrust the server.
#include <optional>
#include <string>
#include <string_view>

#include "easemu/certs/certs.hpp"
#include "easemu/server/net.hpp"

namespace easemu::app {

enum class tls_mode {
  lab_ca,            // issued by the lab CA, full chain sent
  self_signed,       // as a fresh Exchange install
  expired,           // lab CA, validity ended
  not_yet_valid,     // lab CA, validity starts in 30 days
  wrong_host,        // lab CA, names only wrong-host.invalid
  untrusted_ca,      // issued by a CA that is not the published one; leaf only
  incomplete_chain,  // lab CA -> intermediate -> leaf; the intermediate is not sent
  provided,          // the user's PEM chain and key (--tls-cert, --tls-key)
};

inline constexpr tls_mode all_tls_modes[] = {tls_mode::lab_ca,       tls_mode::self_signed,   tls_mode::expired,
                                             tls_mode::not_yet_valid, tls_mode::wrong_host,   tls_mode::untrusted_ca,
                                             tls_mode::incomplete_chain, tls_mode::provided};

std::string_view to_string(tls_mode m);
std::optional<tls_mode> parse_tls_mode(std::string_view name);

struct provided_files {
  std::string certificate_chain_pem;  // empty when none was given
  std::string private_key_pem;
};

// The certificate chain and key the listener presents in `mode`. Throws std::runtime_error (e.g.
// `provided` without files).
server::tls_material tls_material_for(tls_mode mode, const certs::lab_certificates& lab,
                                      const certs::server_options& names, const provided_files& provided,
                                      const std::string& min_version);

}  // namespace easemu::app
