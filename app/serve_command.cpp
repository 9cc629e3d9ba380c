// easemu serve: the composition root of the server.
#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <unistd.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>

#include "commands.hpp"
#include "easemu/certs/certs.hpp"
#include "easemu/common/hex.hpp"
#include "easemu/common/time.hpp"
#include "easemu/dns/server.hpp"
#include "easemu/server/exchange_profile.hpp"
#include "easemu/server/net.hpp"
#include "easemu/server/router.hpp"
#include "easemu/client/http_client.hpp"
#include "easemu/store/cached_store.hpp"
#include "easemu/store/store.hpp"
#include "io.hpp"
#include "lab_config.hpp"
#include "tls_modes.hpp"

namespace easemu::app {

namespace {

struct serve_options {
  std::string config;
  std::string data_dir;
  std::string listen = "0.0.0.0:8443";
  std::string http_listen = "0.0.0.0:8080";
  std::string hostname;
  std::string public_url;
  std::string admin_token;
  std::string log_level = "info";
  std::string tls_min_version;  // flag or environment, else the lab file, else 1.0
  std::size_t max_body_size = 64u << 20;
  double request_timeout = 30;  // seconds for the headers, and again for the body
  std::size_t max_connections = 10'000;
  std::vector<std::string> san;
  std::string tls_mode;  // flag or environment, else the lab file, else lab-ca
  std::string tls_cert;
  std::string tls_key;
  int heartbeat_min = 60;
  std::size_t journal_keep = store::default_journal_retention;
  std::optional<std::uint64_t> fault_seed;  // fault rule probabilities; default: random
  std::string dns_listen;                // empty: no DNS responder
  std::vector<std::string> dns_address;  // the A/AAAA answers; default: see dns_zone()
};

// The container image points EASEMU_CONFIG here; with no file mounted the demo lab runs.
constexpr const char* optional_lab_file = "/etc/easemu/lab.yaml";

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

// "HOST:PORT", "[v6]:PORT"
server::listen_endpoint parse_endpoint(const std::string& s, bool tls, const char* flag) {
  auto [host, port] = parse_host_port(s, flag);
  return {std::move(host), port, tls};
}

std::string random_token() { return common::random_hex(16); }

// Without --admin-token: a generated token, kept in <data-dir>/admin-token (owner-only) so that a
// restarted server (a recreated container on the same volume) keeps it; `kept_in` names the file.
std::string generated_token(const std::string& data_dir, std::string& kept_in) {
  if (data_dir.empty()) return random_token();
  const auto path = (std::filesystem::path(data_dir) / "admin-token").string();
  std::string error;
  std::string token = std::filesystem::exists(path) ? read_input(path, 4096, error).value_or("") : "";
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  if (token.empty() || token.find_first_of(" \t\r\n") != std::string::npos) {
    token = random_token();
    std::filesystem::remove(path);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    const std::string line = token + "\n";
    if (fd < 0 || ::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      if (fd >= 0) ::close(fd);
      throw std::runtime_error(path + ": cannot be written");
    }
    ::close(fd);
  }
  kept_in = path;
  return token;
}

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

// What the DNS responder answers: the lab's names, the SRV record to the HTTPS port phones reach
// (the public URL's), and the addresses: --dns-address, else the public URL's host when it is an
// IP address, else the HTTPS listen address, else the DNS listen address (when not a wildcard).
dns::zone dns_zone(const serve_options& o, const lab_config& lab, const server::listen_endpoint& https,
                           const std::string& dns_host, const std::string& public_url) {
  dns::zone z;
  z.domain = lab.domain;
  z.hostname = lab.hostname;
  client::url_parts url;
  if (!client::parse_url(public_url, url)) throw std::runtime_error("--public-url: '" + public_url + "' is not a URL");
  z.srv_port = url.port;
  dns::zone probe;
  const bool url_is_ip = add_address(url.host, probe);
  if (!url_is_ip) z.extra_hosts.push_back(url.host);
  for (auto a : o.dns_address) {
    a.erase(0, a.find_first_not_of(" \t"));
    a.erase(a.find_last_not_of(" \t") + 1);
    if (!add_address(a, z)) throw std::runtime_error("--dns-address: '" + a + "' is not an IPv4 or IPv6 address");
  }
  const auto specific = [](const std::string& host) { return host != "0.0.0.0" && host != "::" && !host.empty(); };
  if (z.ipv4.empty() && z.ipv6.empty()) {
    for (const auto& candidate : {url_is_ip ? url.host : std::string(), https.host, dns_host}) {
      if (specific(candidate) && add_address(candidate, z)) break;
    }
  }
  if (const auto error = dns::check_zone(z); !error.empty()) throw std::runtime_error("DNS: " + error);
  return z;
}

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

// SHA-256 of what the lab file says about mailboxes, policies and shell lines.
std::string lab_digest(const lab_config& lab) {
  std::string text;
  for (const auto& mb : lab.mailboxes) text += "m\t" + mb.address + "\t" + mb.display_name + "\t" + mb.password + "\t" + mb.policy + "\n";
  for (const auto& p : lab.policies) {
    text += "p\t" + p.name + "\n";
    for (const auto& [k, v] : p.parameters) text += "\t" + k + "\t" + v + "\n";
  }
  text += "x\t" + lab.exchange_commands;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
  return common::hex_encode(std::string(reinterpret_cast<char*>(md), len));
}

// The lab file's desired state: its mailboxes and policies, no device access settings of run
// time, then its Exchange Management Shell lines. An error names the failing line.
std::string apply_lab_file(const lab_config& lab, store::store& db, server::router& r, spdlog::logger& log) {
  std::vector<store::mailbox_record> mailboxes;
  for (const auto& mb : lab.mailboxes) mailboxes.push_back({mb.address, mb.display_name, mb.password, mb.policy, true});
  db.replace_mailboxes(mailboxes);
  std::vector<store::policy_record> policies;
  for (const auto& p : lab.policies) policies.push_back({p.name, p.parameters});
  db.replace_policies(policies);
  db.set_lab_state("exchange_commands", lab.exchange_commands);
  r.provisioning().reload();
  r.access().save({});
  if (lab.exchange_commands.empty()) return {};
  for (const auto& result : r.shell().run(lab.exchange_commands, "lab file", common::now_ms())) {
    if (!result.ok) return "exchange_commands: " + result.command + ": " + result.error;
    log.info("exchange_commands: {}", result.command);
  }
  return {};
}

// The lab file's fault rules replace whatever rules there are (run-time state, kept in memory).
void apply_lab_faults(const lab_config& lab, server::router& r, spdlog::logger& log) {
  r.faults().clear();
  for (const auto& f : lab.faults) {
    auto parsed = server::parse_fault_rule(f);  // validated with the lab file
    if (!parsed.rule) throw std::runtime_error("faults: " + parsed.error);
    const auto rule = r.faults().add(std::move(*parsed.rule), "lab file");
    log.info("fault rule {} from the lab file: {}", rule.id, server::describe(rule.action));
  }
}

int run_serve(serve_options o) {
  std::shared_ptr<spdlog::logger> log;
  if (::isatty(STDOUT_FILENO) != 0) {
    log = spdlog::stdout_color_mt("easemu");
  } else {
    // Redirected (a file, `docker logs`): buffered and flushed every second, and at once from
    // warnings up, instead of one write per access line.
    log = std::make_shared<spdlog::logger>("easemu", std::make_shared<spdlog::sinks::ostream_sink_mt>(std::cout));
    spdlog::register_logger(log);
  }
  log->flush_on(spdlog::level::warn);
  spdlog::flush_every(std::chrono::seconds(1));
  log->set_level(spdlog::level::from_str(o.log_level));
  log->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  lab_config lab;
  try {
    if (o.config == optional_lab_file && !std::filesystem::exists(o.config)) {
      log->info("no lab file at {}: the demo lab", o.config);
      o.config.clear();
    }
    if (!o.config.empty()) lab = load_lab_file(o.config);
  } catch (const config_error& e) {
    std::cerr << "easemu serve: " << e.what() << '\n';
    return exit_failed;
  }
  const bool demo = lab.mailboxes.empty();
  // TLS settings: a flag (or its environment variable) wins over the lab file.
  auto pick = [](std::string& flag, const std::string& file, const char* fallback) {
    if (flag.empty()) flag = file.empty() ? fallback : file;
  };
  pick(o.tls_mode, lab.tls.mode, "lab-ca");
  pick(o.tls_min_version, lab.tls.min_version, "1.0");
  pick(o.tls_cert, lab.tls.cert, "");
  pick(o.tls_key, lab.tls.key, "");
  o.san.insert(o.san.begin(), lab.tls.san.begin(), lab.tls.san.end());
  if (!o.hostname.empty()) lab.hostname = o.hostname;
  complete_lab(lab);

  server::server_limits limits;
  limits.max_body_bytes = o.max_body_size;
  limits.max_connections = o.max_connections;
  limits.header_timeout = std::chrono::milliseconds(static_cast<long>(o.request_timeout * 1000));
  limits.body_timeout = limits.header_timeout * 2;
  limits.handshake_timeout = limits.header_timeout;
  server::lab_view view;
  view.domain = lab.domain;
  view.hostname = lab.hostname;
  view.netbios_domain = lab.netbios_domain;
  view.server_build = std::string(server::find_exchange_profile(lab.exchange_version)->server_build);
  view.versions = lab.protocol_versions;
  view.exchange_version = lab.exchange_version;
  view.ping.min_heartbeat = o.heartbeat_min;
  for (const auto& mb : lab.mailboxes) view.mailboxes.push_back({mb.address, mb.password, mb.display_name});

  auto https = parse_endpoint(o.listen, true, "--listen");
  auto plain = parse_endpoint(o.http_listen, false, "--http-listen");

  // The lab CA and server certificate: kept in <data-dir>/certs and reused, or in memory.
  certs::ca_options ca_opts;
  ca_opts.common_name = "easemu Lab Root CA (" + lab.domain + ")";
  certs::server_options srv;
  srv.common_name = lab.hostname;
  srv.dns_names = {lab.hostname, lab.domain, "autodiscover." + lab.domain, "localhost"};
  srv.ip_addresses = {"127.0.0.1", "::1"};
  for (const auto& ip : local_addresses()) srv.ip_addresses.push_back(ip);
  for (const auto& extra : o.san) {
    unsigned char buf[16];
    const bool is_ip = inet_pton(AF_INET, extra.c_str(), buf) == 1 || inet_pton(AF_INET6, extra.c_str(), buf) == 1;
    (is_ip ? srv.ip_addresses : srv.dns_names).push_back(extra);
  }
  const std::string certs_dir =
      o.data_dir.empty() ? std::string() : (std::filesystem::path(o.data_dir) / "certs").string();
  const auto lab_certs = certs::load_or_create(certs_dir, ca_opts, srv);
  const auto& ca = lab_certs.ca;
  view.ca = {ca.certificate_pem, certs::pem_to_der(ca.certificate_pem), certs::pem_chain_to_p7b(ca.certificate_pem),
             crl_source(ca, certs_dir), certs::ios_root_profile(ca.certificate_pem, "easemu lab CA (" + lab.domain + ")",
                                                               "test.easemu." + lab.domain)};

  std::shared_ptr<store::store> db;
  if (o.data_dir.empty()) {
    db = store::open_memory_store();
  } else {
    std::filesystem::create_directories(o.data_dir);
    db = store::open_sqlite_store((std::filesystem::path(o.data_dir) / "easemu.db").string());
  }
  db->set_journal_retention(o.journal_keep);
  // Routine requests read no SQL (store/cached_store.hpp).
  db = store::make_cached_store(std::move(db));

  // The lab file is the desired state, applied whenever it changed since the last start. While
  // it stays the same, what the admin API and the shell changed at run time is kept, so every key
  // a phone holds stays valid across restarts.
  const auto digest = lab_digest(lab);
  const bool lab_changed = db->get_lab_state("lab_digest") != digest;
  std::string token_file;
  const std::string token = o.admin_token.empty() ? generated_token(o.data_dir, token_file) : o.admin_token;
  auto r = std::make_shared<server::router>(view, db, token, log);
  // Dashboard development: /ui/ from this directory, read at each request, instead of the copies
  // embedded in the binary (read once here, like every setting).
  if (const char* ui_dir = std::getenv("EASEMU_UI_DIR"); ui_dir != nullptr && *ui_dir != '\0') {
    r->set_ui_dir(ui_dir);
    log->info("dashboard files from {} (EASEMU_UI_DIR), not the embedded copies", ui_dir);
  }
  if (o.fault_seed) r->faults().reseed(*o.fault_seed);
  const std::string lab_name = o.config.empty() ? std::string("lab") : o.config;
  if (lab_changed) {
    if (auto error = apply_lab_file(lab, *db, *r, *log); !error.empty()) {
      std::cerr << "easemu serve: " << lab_name << ": " << error << '\n';
      return exit_failed;
    }
  }
  apply_lab_faults(lab, *r, *log);
  // POST /api/v1/reset: the lab file's state again (partnerships and mail stay).
  r->set_reset([lab, db, rp = r.get(), log, lab_name] {
    auto error = apply_lab_file(lab, *db, *rp, *log);
    if (error.empty()) apply_lab_faults(lab, *rp, *log);
    return error.empty() ? error : lab_name + ": " + error;
  });
  // The demo lab's mailboxes start with a realistic Inbox (once per data dir).
  if (demo) {
    const auto now = common::now_ms();
    for (const auto& mb : lab.mailboxes) r->mail().seed_demo_mail(mb.address, now);
  }
  if (lab_changed) {
    db->set_lab_state("lab_digest", digest);
  } else {
    log->info("lab file unchanged since the last start: keeping the data dir's policies and mailboxes");
  }
  server::http_server http(limits, [r](server::http_request&& req, server::respond_fn done) {
    r->handle(std::move(req), std::move(done));
  }, log);
  http.on_stopping([r] { r->shutdown(); });  // waiting Pings answer before the grace period
  provided_files provided;
  if (!o.tls_cert.empty() || !o.tls_key.empty()) {
    std::string error;
    auto chain = read_input(o.tls_cert, 1 << 20, error);
    auto key = chain ? read_input(o.tls_key, 1 << 20, error) : std::nullopt;
    if (!chain || !key) throw std::runtime_error("--tls-cert/--tls-key: " + error);
    provided = {*chain, *key};
  }
  auto current_mode = std::make_shared<std::atomic<tls_mode>>(*parse_tls_mode(o.tls_mode));
  http.set_tls(tls_material_for(*current_mode, lab_certs, srv, provided, o.tls_min_version));
  server::tls_control control;
  for (auto m : all_tls_modes) control.modes.emplace_back(to_string(m));
  control.current = [current_mode] { return std::string(to_string(current_mode->load())); };
  control.set = [&http, current_mode, lab_certs, srv, provided, min = o.tls_min_version](const std::string& name) {
    const auto mode = parse_tls_mode(name);
    if (!mode) return "unknown TLS mode '" + name + "'";
    try {
      http.set_tls(tls_material_for(*mode, lab_certs, srv, provided, min));
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    current_mode->store(*mode);
    return std::string();
  };
  r->set_tls_control(std::move(control));
  const auto https_port = http.listen(https);
  const auto http_port = http.listen(plain);
  std::string public_url = o.public_url;
  if (public_url.empty()) {
    public_url = "https://" + lab.hostname + (https_port == 443 ? "" : ":" + std::to_string(https_port));
  }
  while (!public_url.empty() && public_url.back() == '/') public_url.pop_back();
  r->set_public_url(public_url);
  std::unique_ptr<dns::server> dns;
  std::string dns_report;
  if (!o.dns_listen.empty()) {
    const auto where = parse_endpoint(o.dns_listen, false, "--dns-listen");
    const auto zone = dns_zone(o, lab, https, where.host, public_url);
    dns = std::make_unique<dns::server>(zone, log);
    const auto port = dns->listen(where.host, where.port);
    dns->start();
    std::string names;
    for (const auto& n : dns::address_names(zone)) names += (names.empty() ? "" : ", ") + n;
    const bool v6 = where.host.find(':') != std::string::npos;
    dns_report = fmt::format("listening: DNS {}:{} (UDP and TCP) for {} (A {}; AAAA {}) and {} (SRV 0 0 {} {})",
                             v6 ? "[" + where.host + "]" : where.host, port, names, address_list(zone, false), address_list(zone, true),
                             dns::srv_name(zone), zone.srv_port, zone.hostname);
    if (zone.ipv4.empty() && zone.ipv6.empty()) {
      log->warn("DNS: no address to answer A/AAAA queries with: set --dns-address (or a --public-url with an IP address)");
    }
  }
  http.start(2);
  r->set_ready(true);

  log->info("easemu {} lab {} (Exchange {}), EAS versions advertised up to {}", "serve", lab.domain,
            lab.exchange_version, to_string(lab.protocol_versions.back()));
  log->info("listening: HTTPS {}:{} (EAS, TLS {} and up, certificate mode {}), HTTP {}:{}", https.host,
            https_port, o.tls_min_version, o.tls_mode, plain.host, http_port);
  if (dns) log->info("{}", dns_report);
  log->info("public URL: {}/Microsoft-Server-ActiveSync", public_url);
  log->info("lab CA: {} (download it from http://<this host>:{}/certsrv/)",
            lab_certs.created ? "created" : "reused from the data dir", http_port);
  log->info("state: {}", o.data_dir.empty() ? std::string("in memory (no --data-dir)") : o.data_dir + "/easemu.db");
  if (demo) {
    for (const auto& mb : lab.mailboxes) log->info("demo mailbox: {} password {}", mb.address, mb.password);
  }
  if (o.admin_token.empty()) {
    log->info("admin token: {}{}", token, token_file.empty() ? std::string() : " (kept in " + token_file + ")");
  }
  log->flush();  // the start-up report, before the first request
  http.wait_for_signal();
  if (dns) dns->stop();
  log->info("stopped");
  log->flush();
  return exit_ok;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "Run the EAS server (HTTPS for phones, plain HTTP for the landing page)");
  auto o = std::make_shared<serve_options>();
  cmd->add_option("--config", o->config, "YAML lab file")->envname("EASEMU_CONFIG");
  cmd->add_option("--data-dir", o->data_dir, "Directory for persistent state (default: in memory)")->envname("EASEMU_DATA_DIR");
  cmd->add_option("--listen", o->listen, "HTTPS listen address HOST:PORT (port 0: any free port)")
      ->envname("EASEMU_LISTEN")->capture_default_str();
  cmd->add_option("--http-listen", o->http_listen, "Plain HTTP listen address HOST:PORT")
      ->envname("EASEMU_HTTP_LISTEN")->capture_default_str();
  cmd->add_option("--hostname", o->hostname, "Public host name used in URLs and certificates")->envname("EASEMU_HOSTNAME");
  cmd->add_option("--public-url", o->public_url, "The HTTPS URL phones use (default https://<hostname>[:<port>])")
      ->envname("EASEMU_PUBLIC_URL");
  cmd->add_option("--admin-token", o->admin_token, "Bearer token for the admin API (default: generated, printed once)")
      ->envname("EASEMU_ADMIN_TOKEN");
  cmd->add_option("--log-level", o->log_level, "trace, debug, info, warn, error")
      ->envname("EASEMU_LOG_LEVEL")->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))->capture_default_str();
  cmd->add_option("--tls-min-version", o->tls_min_version, "Lowest TLS version accepted (default 1.0, or tls.min_version)")
      ->envname("EASEMU_TLS_MIN_VERSION")->check(CLI::IsMember({"1.0", "1.1", "1.2", "1.3"}));
  cmd->add_option("--max-body-size", o->max_body_size, "Largest request body in bytes (413 above it)")
      ->envname("EASEMU_MAX_BODY_SIZE")->capture_default_str();
  cmd->add_option("--request-timeout", o->request_timeout,
                  "Seconds a client may take to send a request's headers (twice that for the body)")
      ->envname("EASEMU_REQUEST_TIMEOUT")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--max-connections", o->max_connections, "Open connections accepted at once")
      ->envname("EASEMU_MAX_CONNECTIONS")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--san", o->san, "Extra name or IP address for the server certificate (repeatable, or comma-separated)")
      ->envname("EASEMU_SAN")->delimiter(',');
  std::vector<std::string> mode_names;
  for (auto m : all_tls_modes) mode_names.emplace_back(to_string(m));
  cmd->add_option("--tls-mode", o->tls_mode,
                  "Certificate the HTTPS listener presents, for trust tests (default lab-ca, or tls.mode)")
      ->envname("EASEMU_TLS_MODE")->check(CLI::IsMember(mode_names));
  cmd->add_option("--tls-cert", o->tls_cert, "PEM certificate chain for --tls-mode provided")->envname("EASEMU_TLS_CERT");
  cmd->add_option("--tls-key", o->tls_key, "PEM private key for --tls-mode provided")->envname("EASEMU_TLS_KEY");
  cmd->add_option("--heartbeat-min", o->heartbeat_min,
                  "Shortest Ping HeartbeatInterval accepted, in seconds (Exchange: 60; the longest is 3540)")
      ->envname("EASEMU_HEARTBEAT_MIN")->check(CLI::Range(1, 3540))->capture_default_str();
  cmd->add_option("--journal-keep", o->journal_keep,
                  "Request journal entries kept (the newest; older ones are deleted as new ones arrive)")
      ->envname("EASEMU_JOURNAL_KEEP")->check(CLI::Range(std::size_t{100}, std::size_t{100'000'000}))->capture_default_str();
  cmd->add_option("--fault-seed", o->fault_seed,
                  "Seed of the random draws of fault rules with a probability (default: random), to replay a run")
      ->envname("EASEMU_FAULT_SEED");
  cmd->add_option("--dns-listen", o->dns_listen,
                  "Answer DNS (UDP and TCP) for the lab's names on this ADDRESS:PORT (default: off; port 0: any free port)")
      ->envname("EASEMU_DNS_LISTEN");
  cmd->add_option("--dns-address", o->dns_address,
                  "Address the DNS responder gives for the lab's names (repeatable or comma-separated, IPv4 and IPv6; "
                  "default: the --public-url host when it is an IP address, else the listen address)")
      ->envname("EASEMU_DNS_ADDRESS")->delimiter(',');
  cmd->callback([o, &exit_code] {
    try {
      exit_code = run_serve(*o);
    } catch (const std::exception& e) {
      std::cerr << "easemu serve: " << e.what() << '\n';
      exit_code = exit_failed;
    }
  });
}

}  // namespace easemu::app
