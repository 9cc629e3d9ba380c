#include "serve_config.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "io.hpp"
#include "serve_dns.hpp"

namespace easemu::app {

void add_serve_flags(CLI::App& cmd, serve_flags& f) {
  cmd.add_option("--config", f.config, "YAML lab file")->envname("EASEMU_CONFIG");
  cmd.add_option("--data-dir", f.data_dir, "Directory for persistent state (default: in memory)")->envname("EASEMU_DATA_DIR");
  cmd.add_option("--listen", f.listen, "HTTPS listen address HOST:PORT (port 0: any free port)")
      ->envname("EASEMU_LISTEN")->capture_default_str();
  cmd.add_option("--http-listen", f.http_listen, "Plain HTTP listen address HOST:PORT")
      ->envname("EASEMU_HTTP_LISTEN")->capture_default_str();
  cmd.add_option("--hostname", f.hostname, "Public host name used in URLs and certificates")->envname("EASEMU_HOSTNAME");
  cmd.add_option("--public-url", f.public_url, "The HTTPS URL phones use (default https://<hostname>[:<port>])")
      ->envname("EASEMU_PUBLIC_URL");
  cmd.add_option("--admin-token", f.admin_token, "Bearer token for the admin API (default: generated, printed once)")
      ->envname("EASEMU_ADMIN_TOKEN");
  cmd.add_option("--log-level", f.log_level, "trace, debug, info, warn, error")
      ->envname("EASEMU_LOG_LEVEL")->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))->capture_default_str();
  cmd.add_option("--tls-min-version", f.tls_min_version, "Lowest TLS version accepted (default 1.0, or tls.min_version)")
      ->envname("EASEMU_TLS_MIN_VERSION")->check(CLI::IsMember({"1.0", "1.1", "1.2", "1.3"}));
  cmd.add_option("--max-body-size", f.max_body_size, "Largest request body in bytes (413 above it)")
      ->envname("EASEMU_MAX_BODY_SIZE")->capture_default_str();
  cmd.add_option("--request-timeout", f.request_timeout,
                 "Seconds a client may take to send a request's headers (twice that for the body)")
      ->envname("EASEMU_REQUEST_TIMEOUT")->check(CLI::PositiveNumber)->capture_default_str();
  cmd.add_option("--max-connections", f.max_connections, "Open connections accepted at once")
      ->envname("EASEMU_MAX_CONNECTIONS")->check(CLI::PositiveNumber)->capture_default_str();
  cmd.add_option("--san", f.san, "Extra name or IP address for the server certificate (repeatable, or comma-separated)")
      ->envname("EASEMU_SAN")->delimiter(',');
  std::vector<std::string> mode_names;
  for (auto m : all_tls_modes) mode_names.emplace_back(to_string(m));
  cmd.add_option("--tls-mode", f.tls_mode,
                 "Certificate the HTTPS listener presents, for trust tests (default lab-ca, or tls.mode)")
      ->envname("EASEMU_TLS_MODE")->check(CLI::IsMember(mode_names));
  cmd.add_option("--tls-cert", f.tls_cert, "PEM certificate chain for --tls-mode provided")->envname("EASEMU_TLS_CERT");
  cmd.add_option("--tls-key", f.tls_key, "PEM private key for --tls-mode provided")->envname("EASEMU_TLS_KEY");
  cmd.add_option("--heartbeat-min", f.heartbeat_min,
                 "Shortest Ping HeartbeatInterval accepted, in seconds (Exchange: 60; the longest is 3540)")
      ->envname("EASEMU_HEARTBEAT_MIN")->check(CLI::Range(1, 3540))->capture_default_str();
  cmd.add_option("--journal-keep", f.journal_keep,
                 "Request journal entries kept (the newest; older ones are deleted as new ones arrive)")
      ->envname("EASEMU_JOURNAL_KEEP")->check(CLI::Range(std::size_t{100}, std::size_t{100'000'000}))->capture_default_str();
  cmd.add_option("--fault-seed", f.fault_seed,
                 "Seed of the random draws of fault rules with a probability (default: random), to replay a run")
      ->envname("EASEMU_FAULT_SEED");
  cmd.add_flag("--test-clock", f.test_clock,
               "Let the admin API move the server's clock forward (POST /api/v1/clock), for tests of what happens hours later")
      ->envname("EASEMU_TEST_CLOCK");
  cmd.add_option("--dns-listen", f.dns_listen,
                 "Answer DNS (UDP and TCP) for the lab's names on this ADDRESS:PORT (default: off; port 0: any free port)")
      ->envname("EASEMU_DNS_LISTEN");
  cmd.add_option("--dns-address", f.dns_address,
                 "Address the DNS responder gives for the lab's names (repeatable or comma-separated, IPv4 and IPv6; "
                 "default: the --public-url host when it is an IP address, else the listen address)")
      ->envname("EASEMU_DNS_ADDRESS")->delimiter(',');
}

namespace {

// "HOST:PORT", "[v6]:PORT"
server::listen_endpoint endpoint(const std::string& s, bool tls, const char* flag) {
  try {
    auto [host, port] = parse_host_port(s, flag);
    return {std::move(host), port, tls};
  } catch (const std::runtime_error& e) {
    throw config_error(e.what());
  }
}

// The lab file, or none: the demo lab. The image's own lab file may be absent (`absent` names it).
lab_config read_lab(std::string& path, std::string& absent) {
  if (path == optional_lab_file && !std::filesystem::exists(path)) {
    absent = path;
    path.clear();
  }
  return path.empty() ? lab_config{} : load_lab_file(path);
}

// TLS settings: a flag (or its environment variable) wins over the lab file, which wins over
// the default. Reads --tls-cert and --tls-key.
serve_tls_config tls_settings(const serve_flags& f, const tls_config& file) {
  const auto pick = [](const std::string& flag, const std::string& from_file, const char* fallback) {
    return !flag.empty() ? flag : !from_file.empty() ? from_file : std::string(fallback);
  };
  serve_tls_config t;
  // Both names were checked already: the flag's by CLI11, the lab file's by parse_lab_yaml.
  t.mode = *parse_tls_mode(pick(f.tls_mode, file.mode, "lab-ca"));
  t.min_version = pick(f.tls_min_version, file.min_version, "1.0");
  const auto cert = pick(f.tls_cert, file.cert, "");
  const auto key = pick(f.tls_key, file.key, "");
  t.san = file.san;
  t.san.insert(t.san.end(), f.san.begin(), f.san.end());
  if (!cert.empty() || !key.empty()) {
    std::string error;
    auto chain = read_input(cert, 1 << 20, error);
    auto pem_key = chain ? read_input(key, 1 << 20, error) : std::nullopt;
    if (!chain || !pem_key) throw config_error("--tls-cert/--tls-key: " + error);
    t.provided = {*chain, *pem_key};
  }
  if (t.mode == tls_mode::provided && (t.provided.certificate_chain_pem.empty() || t.provided.private_key_pem.empty())) {
    throw config_error("TLS mode 'provided' needs --tls-cert and --tls-key");
  }
  return t;
}

server::server_limits limits(const serve_flags& f) {
  server::server_limits l;
  l.max_body_bytes = f.max_body_size;
  l.max_connections = f.max_connections;
  l.header_timeout = std::chrono::milliseconds(static_cast<long>(f.request_timeout * 1000));
  l.body_timeout = l.header_timeout * 2;
  l.handshake_timeout = l.header_timeout;
  return l;
}

serve_dns_config dns_settings(const serve_flags& f) {
  serve_dns_config d;
  d.where = endpoint(f.dns_listen, false, "--dns-listen");
  for (auto a : f.dns_address) {
    a.erase(0, a.find_first_not_of(" \t"));
    a.erase(a.find_last_not_of(" \t") + 1);
    d.addresses.push_back(std::move(a));
  }
  return d;
}

}  // namespace

serve_config verify(serve_flags f) {
  serve_config c;
  c.lab = read_lab(f.config, c.absent_lab_file);
  c.lab_name = f.config.empty() ? std::string("lab") : f.config;
  c.demo = c.lab.mailboxes.empty();
  if (!f.hostname.empty()) c.lab.hostname = f.hostname;
  complete_lab(c.lab);
  c.limits = limits(f);
  c.https = endpoint(f.listen, true, "--listen");
  c.http = endpoint(f.http_listen, false, "--http-listen");
  c.tls = tls_settings(f, c.lab.tls);
  c.data_dir = f.data_dir;
  c.log_level = f.log_level;
  c.admin_token = f.admin_token;
  c.public_url = f.public_url;
  if (const char* ui_dir = std::getenv("EASEMU_UI_DIR"); ui_dir != nullptr) c.ui_dir = ui_dir;
  c.heartbeat_min = f.heartbeat_min;
  c.journal_keep = f.journal_keep;
  c.fault_seed = f.fault_seed;
  c.test_clock = f.test_clock;
  if (!f.dns_listen.empty()) {
    c.dns = dns_settings(f);
    // The responder's zone, checked with the public URL it will have; a derived URL's port is
    // known only once the HTTPS port is bound, and any valid port stands in for it here.
    (void)lab_zone(c, public_url_for(c, c.https.port == 0 ? 443 : c.https.port));
  }
  return c;
}

std::string public_url_for(const serve_config& c, std::uint16_t https_port) {
  std::string url = c.public_url;
  if (url.empty()) url = "https://" + c.lab.hostname + (https_port == 443 ? "" : ":" + std::to_string(https_port));
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace easemu::app
