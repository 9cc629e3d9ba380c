#include "serve_report.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

namespace easemu::app {

namespace {

std::string address_list(const dns::zone& z, bool v6) {
  std::string out;
  char text[INET6_ADDRSTRLEN];
  const auto add = [&](int family, const void* bytes) {
    inet_ntop(family, bytes, text, sizeof text);
    out += (out.empty() ? "" : ", ") + std::string(text);
  };
  if (v6) {
    for (const auto& a : z.ipv6) add(AF_INET6, a.data());
  } else {
    for (const auto& a : z.ipv4) add(AF_INET, a.data());
  }
  return out.empty() ? "none" : out;
}

std::string dns_line(const std::string& host, std::uint16_t port, const dns::zone& zone) {
  std::string names;
  for (const auto& n : dns::address_names(zone)) names += (names.empty() ? "" : ", ") + n;
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("listening: DNS {}:{} (UDP and TCP) for {} (A {}; AAAA {}) and {} (SRV 0 0 {} {})",
                     v6 ? "[" + host + "]" : host, port, names, address_list(zone, false), address_list(zone, true),
                     dns::srv_name(zone), zone.srv_port, zone.hostname);
}

}  // namespace

std::vector<std::string> start_up_report(const serve_config& c, const start_up_facts& f) {
  const auto& lab = c.lab;
  std::vector<std::string> out;
  out.push_back(fmt::format("easemu serve lab {} (Exchange {}), EAS versions advertised up to {}", lab.domain,
                            lab.exchange_version, to_string(lab.protocol_versions.back())));
  out.push_back(fmt::format("listening: HTTPS {}:{} (EAS, TLS {} and up, certificate mode {}), HTTP {}:{}", c.https.host,
                            f.https_port, c.tls.min_version, to_string(c.tls.mode), c.http.host, f.http_port));
  if (c.dns && f.dns_zone) out.push_back(dns_line(c.dns->where.host, f.dns_port, *f.dns_zone));
  out.push_back(fmt::format("public URL: {}/Microsoft-Server-ActiveSync", f.public_url));
  out.push_back(fmt::format("lab CA: {} (download it from http://<this host>:{}/certsrv/)",
                            f.ca_created ? "created" : "reused from the data dir", f.http_port));
  out.push_back("state: " + (c.data_dir.empty() ? std::string("in memory (no --data-dir)") : c.data_dir + "/easemu.db"));
  if (c.demo) {
    for (const auto& mb : lab.mailboxes) out.push_back(fmt::format("demo mailbox: {} password {}", mb.address, mb.password));
  }
  if (c.admin_token.empty()) {
    out.push_back("admin token: " + f.admin_token + (f.token_file.empty() ? std::string() : " (kept in " + f.token_file + ")"));
  }
  return out;
}

}  // namespace easemu::app
