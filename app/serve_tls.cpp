#include "serve_tls.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>

namespace easemu::app {

namespace {

// The machine's own addresses (phones in the lab reach the server by one of them), without
// loopback and link-local ones.
std::vector<std::string> local_addresses() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr) continue;
    char text[INET6_ADDRSTRLEN] = "";
    if (a->ifa_addr->sa_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
      if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) continue;
      inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr);
      if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) || IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr)) continue;
      inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    } else {
      continue;
    }
    if (std::find(out.begin(), out.end(), text) == out.end()) out.emplace_back(text);
  }
  freeifaddrs(list);
  return out;
}

certs::server_options server_names(const serve_config& c) {
  const auto& lab = c.lab;
  certs::server_options srv;
  srv.common_name = lab.hostname;
  srv.dns_names = {lab.hostname, lab.domain, "autodiscover." + lab.domain, "localhost"};
  srv.ip_addresses = {"127.0.0.1", "::1"};
  for (const auto& ip : local_addresses()) srv.ip_addresses.push_back(ip);
  for (const auto& extra : c.tls.san) {
    unsigned char buf[16];
    const bool is_ip = inet_pton(AF_INET, extra.c_str(), buf) == 1 || inet_pton(AF_INET6, extra.c_str(), buf) == 1;
    (is_ip ? srv.ip_addresses : srv.dns_names).push_back(extra);
  }
  return srv;
}

// The lab CRL, rebuilt only when <certs>/revoked.txt changes (`easemu ca revoke` while the server
// runs applies at once). A revocation file that does not parse keeps the last good CRL.
std::function<std::string()> crl_source(const certs::key_pair& ca, const std::string& dir) {
  struct cache {
    std::mutex mu;
    std::vector<std::string> serials;
    std::string der;
  };
  auto c = std::make_shared<cache>();
  c->serials = certs::revoked_serials(dir);
  c->der = certs::crl_der(ca, c->serials);
  return [c, ca, dir] {
    std::lock_guard lock(c->mu);
    try {
      auto serials = certs::revoked_serials(dir);
      if (serials != c->serials) {
        c->der = certs::crl_der(ca, serials);
        c->serials = std::move(serials);
      }
    } catch (const std::exception& e) {
      spdlog::get("easemu")->warn("{}/revoked.txt: {} (the previous CRL stays)", dir, e.what());
    }
    return c->der;
  };
}

}  // namespace

lab_tls load_lab_tls(const serve_config& c) {
  lab_tls t;
  certs::ca_options ca_opts;
  ca_opts.common_name = "easemu Lab Root CA (" + c.lab.domain + ")";
  t.names = server_names(c);
  t.certs_dir = c.data_dir.empty() ? std::string() : (std::filesystem::path(c.data_dir) / "certs").string();
  t.certificates = certs::load_or_create(t.certs_dir, ca_opts, t.names);
  return t;
}

server::ca_downloads ca_downloads(const lab_tls& t, const lab_config& lab) {
  const auto& ca = t.certificates.ca;
  return {ca.certificate_pem, certs::pem_to_der(ca.certificate_pem), certs::pem_chain_to_p7b(ca.certificate_pem),
          crl_source(ca, t.certs_dir),
          certs::ios_root_profile(ca.certificate_pem, "easemu lab CA (" + lab.domain + ")", "test.easemu." + lab.domain)};
}

server::tls_control start_tls_modes(server::http_server& http, const lab_tls& t, const serve_config& c) {
  auto current_mode = std::make_shared<std::atomic<tls_mode>>(c.tls.mode);
  http.set_tls(tls_material_for(*current_mode, t.certificates, t.names, c.tls.provided, c.tls.min_version));
  server::tls_control control;
  for (auto m : all_tls_modes) control.modes.emplace_back(to_string(m));
  control.current = [current_mode] { return std::string(to_string(current_mode->load())); };
  control.set = [&http, current_mode, certificates = t.certificates, names = t.names, provided = c.tls.provided,
                 min = c.tls.min_version](const std::string& name) {
    const auto mode = parse_tls_mode(name);
    if (!mode) return "unknown TLS mode '" + name + "'";
    try {
      http.set_tls(tls_material_for(*mode, certificates, names, provided, min));
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    current_mode->store(*mode);
    return std::string();
  };
  return control;
}

}  // namespace easemu::app
