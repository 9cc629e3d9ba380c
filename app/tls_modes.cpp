#include "tls_modes.hpp"

#include <chrono>
#include <stdexcept>

namespace easemu::app {

std::string_view to_string(tls_mode m) {
  switch (m) {
    case tls_mode::lab_ca: return "lab-ca";
    case tls_mode::self_signed: return "self-signed";
    case tls_mode::expired: return "expired";
    case tls_mode::not_yet_valid: return "not-yet-valid";
    case tls_mode::wrong_host: return "wrong-host";
    case tls_mode::untrusted_ca: return "untrusted-ca";
    case tls_mode::incomplete_chain: return "incomplete-chain";
    case tls_mode::provided: return "provided";
  }
  return "?";
}

std::optional<tls_mode> parse_tls_mode(std::string_view name) {
  for (auto m : all_tls_modes) {
    if (to_string(m) == name) return m;
  }
  return std::nullopt;
}

server::tls_material tls_material_for(tls_mode mode, const certs::lab_certificates& lab,
                                      const certs::server_options& names, const provided_files& provided,
                                      const std::string& min_version) {
  using namespace std::chrono_literals;
  auto leaf_only = [&](const certs::key_pair& leaf) {
    return server::tls_material{leaf.certificate_pem, leaf.private_key_pem, min_version};
  };
  auto with_lab_ca = [&](const certs::key_pair& leaf) {
    return server::tls_material{leaf.certificate_pem + lab.ca.certificate_pem, leaf.private_key_pem, min_version};
  };
  switch (mode) {
    case tls_mode::lab_ca:
      return with_lab_ca(lab.server);
    case tls_mode::self_signed:
      return leaf_only(certs::self_signed_server_certificate(names));
    case tls_mode::expired: {
      auto o = names;
      o.not_before_offset = -std::chrono::hours(24 * 400);
      o.valid_days = 30;
      return with_lab_ca(certs::issue_server_certificate(lab.ca, o));
    }
    case tls_mode::not_yet_valid: {
      auto o = names;
      o.not_before_offset = std::chrono::hours(24 * 30);
      return with_lab_ca(certs::issue_server_certificate(lab.ca, o));
    }
    case tls_mode::wrong_host: {
      auto o = names;
      o.common_name = "wrong-host.invalid";
      o.dns_names = {"wrong-host.invalid"};
      o.ip_addresses.clear();
      return with_lab_ca(certs::issue_server_certificate(lab.ca, o));
    }
    case tls_mode::untrusted_ca: {
      certs::ca_options other;
      other.common_name = "Unpublished Root CA";
      other.organization = "not the lab";
      return leaf_only(certs::issue_server_certificate(certs::create_ca(other), names));
    }
    case tls_mode::incomplete_chain: {
      certs::ca_options inter;
      inter.common_name = "easemu Lab Issuing CA";
      const auto intermediate = certs::create_ca(inter, &lab.ca);
      return leaf_only(certs::issue_server_certificate(intermediate, names));
    }
    case tls_mode::provided:
      if (provided.certificate_chain_pem.empty() || provided.private_key_pem.empty()) {
        throw std::runtime_error("TLS mode 'provided' needs --tls-cert and --tls-key");
      }
      return server::tls_material{provided.certificate_chain_pem, provided.private_key_pem, min_version};
  }
  throw std::runtime_error("unknown TLS mode");
}

}  // namespace easemu::app
