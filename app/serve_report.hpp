#pragma once
// The lines `easemu serve` prints once it listens. Tests and scripts read them (the ports, the
// admin token, the DNS port): their wording is an interface.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "easemu/dns/message.hpp"
#include "serve_config.hpp"

namespace easemu::app {

// What is known only once the server runs.
struct start_up_facts {
  std::uint16_t https_port = 0;
  std::uint16_t http_port = 0;
  std::string public_url;
  bool ca_created = false;
  std::string admin_token;  // the one in use (printed only when generated)
  std::string token_file;   // where a generated token is kept; empty: nowhere
  std::optional<dns::zone> dns_zone;  // with --dns-listen
  std::uint16_t dns_port = 0;
};

std::vector<std::string> start_up_report(const serve_config& config, const start_up_facts& facts);

}  // namespace easemu::app
