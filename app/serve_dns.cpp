#include "serve_dns.hpp"

#include <arpa/inet.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include "easemu/client/http_client.hpp"

namespace easemu::app {

namespace {

// An IPv4 or IPv6 address as the bytes of an A or AAAA record; false when `text` is neither.
bool add_address(const std::string& text, dns::zone& z) {
  std::array<std::uint8_t, 4> v4{};
  std::array<std::uint8_t, 16> v6{};
  if (inet_pton(AF_INET, text.c_str(), v4.data()) == 1) {
    if (std::find(z.ipv4.begin(), z.ipv4.end(), v4) == z.ipv4.end()) z.ipv4.push_back(v4);
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), v6.data()) == 1) {
    if (std::find(z.ipv6.begin(), z.ipv6.end(), v6) == z.ipv6.end()) z.ipv6.push_back(v6);
    return true;
  }
  return false;
}

}  // namespace

dns::zone lab_zone(const serve_config& c, const std::string& public_url) {
  dns::zone z;
  z.domain = c.lab.domain;
  z.hostname = c.lab.hostname;
  client::url_parts url;
  if (!client::parse_url(public_url, url)) throw config_error("--public-url: '" + public_url + "' is not a URL");
  z.srv_port = url.port;
  dns::zone probe;
  const bool url_is_ip = add_address(url.host, probe);
  if (!url_is_ip) z.extra_hosts.push_back(url.host);
  for (const auto& a : c.dns->addresses) {
    if (!add_address(a, z)) throw config_error("--dns-address: '" + a + "' is not an IPv4 or IPv6 address");
  }
  const auto specific = [](const std::string& host) { return host != "0.0.0.0" && host != "::" && !host.empty(); };
  if (z.ipv4.empty() && z.ipv6.empty()) {
    for (const auto& candidate : {url_is_ip ? url.host : std::string(), c.https.host, c.dns->where.host}) {
      if (specific(candidate) && add_address(candidate, z)) break;
    }
  }
  if (const auto error = dns::check_zone(z); !error.empty()) throw config_error("DNS: " + error);
  return z;
}

dns_responder start_dns_responder(const serve_config& c, const std::string& public_url,
                                  std::shared_ptr<spdlog::logger> log) {
  dns_responder out;
  if (!c.dns) return out;
  out.zone = lab_zone(c, public_url);
  out.server = std::make_unique<dns::server>(out.zone, log);
  out.port = out.server->listen(c.dns->where.host, c.dns->where.port);
  out.server->start();
  if (out.zone.ipv4.empty() && out.zone.ipv6.empty()) {
    log->warn("DNS: no address to answer A/AAAA queries with: set --dns-address (or a --public-url with an IP address)");
  }
  return out;
}

}  // namespace easemu::app
