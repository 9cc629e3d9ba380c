#pragma once
// The lab DNS responder of `easemu serve --dns-listen`: what it answers and its start.
#include <cstdint>
#include <memory>
#include <string>

#include "easemu/dns/message.hpp"
#include "easemu/dns/server.hpp"
#include "serve_config.hpp"

namespace spdlog {
class logger;
}

namespace easemu::app {

// What the responder answers: the lab's names, the SRV record to the HTTPS port phones reach (the
// public URL's), and the addresses: --dns-address, else the public URL's host when it is an IP
// address, else the HTTPS listen address, else the DNS listen address (when not a wildcard).
// Needs config.dns. Throws config_error naming the flag (--public-url, --dns-address) or "DNS:".
dns::zone lab_zone(const serve_config& config, const std::string& public_url);

struct dns_responder {
  std::unique_ptr<dns::server> server;  // null without --dns-listen
  dns::zone zone;
  std::uint16_t port = 0;  // the bound port
};

// Binds and starts the responder when config.dns is set; warns when it has no address to give.
dns_responder start_dns_responder(const serve_config& config, const std::string& public_url,
                                  std::shared_ptr<spdlog::logger> log);

}  // namespace easemu::app
