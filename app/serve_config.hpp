#pragma once
// The settings of `easemu serve`: every flag has an EASEMU_* environment twin (the flag wins),
// TLS settings may also come from the lab file, and one verify() turns them into a serve_config
// that the builders of serve_command.cpp only read.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "easemu/server/net.hpp"
#include "easemu/store/store.hpp"
#include "lab_config.hpp"
#include "tls_modes.hpp"

namespace CLI {
class App;
}

namespace easemu::app {

// The flags as given: a flag, else its environment variable (CLI11 reads both), else the default
// written here. An empty string is "not given": verify() then asks the lab file.
struct serve_flags {
  std::string config;
  std::string data_dir;
  std::string listen = "0.0.0.0:8443";
  std::string http_listen = "0.0.0.0:8080";
  std::string hostname;
  std::string public_url;
  std::string admin_token;
  std::string log_level = "info";
  std::string tls_min_version;  // else the lab file, else 1.0
  std::size_t max_body_size = 64u << 20;
  double request_timeout = 30;  // seconds for the headers, and again for the body
  std::size_t max_connections = 10'000;
  std::vector<std::string> san;
  std::string tls_mode;  // else the lab file, else lab-ca
  std::string tls_cert;
  std::string tls_key;
  int heartbeat_min = 60;
  std::size_t journal_keep = store::default_journal_retention;
  std::optional<std::uint64_t> fault_seed;  // fault rule probabilities; default: random
  bool test_clock = false;                  // POST /api/v1/clock may move the clock forward
  std::string dns_listen;                // empty: no DNS responder
  std::vector<std::string> dns_address;  // the A/AAAA answers; default: see lab_zone()
};

// Registers every flag of `easemu serve` on `cmd`, each with its EASEMU_* twin. Values CLI11 can
// judge alone (names, ranges) fail the parse: a usage error, exit 2.
void add_serve_flags(CLI::App& cmd, serve_flags& flags);

// The container image points EASEMU_CONFIG here; with no file mounted the demo lab runs.
inline constexpr const char* optional_lab_file = "/etc/easemu/lab.yaml";

struct serve_tls_config {
  tls_mode mode = tls_mode::lab_ca;
  std::string min_version;          // 1.0 .. 1.3
  provided_files provided;          // --tls-cert and --tls-key, read
  std::vector<std::string> san;     // the lab file's, then the flags'
};

struct serve_dns_config {
  server::listen_endpoint where;
  std::vector<std::string> addresses;  // IPv4 and IPv6 addresses, trimmed
};

// `easemu serve`'s settings, verified; built only by verify() and read by everything after it.
struct serve_config {
  lab_config lab;              // completed (complete_lab), --hostname applied
  bool demo = false;           // no mailboxes in a lab file: the demo lab (its mail is seeded)
  std::string lab_name;        // the lab file as errors name it: its path, or "lab"
  std::string absent_lab_file; // the image's lab file when it is not there (the log says so)
  std::string data_dir;        // empty: in memory
  std::string log_level;
  std::string admin_token;     // empty: generated (and kept in the data dir)
  std::string public_url;      // empty: https://<hostname>[:<port>] once the port is bound
  std::string ui_dir;          // EASEMU_UI_DIR: the dashboard's files from here (development)
  server::server_limits limits;
  server::listen_endpoint https;
  server::listen_endpoint http;
  std::optional<serve_dns_config> dns;
  serve_tls_config tls;
  int heartbeat_min = 60;
  std::size_t journal_keep = store::default_journal_retention;
  std::optional<std::uint64_t> fault_seed;
  bool test_clock = false;
};

// Reads the lab file and decides every value: a flag or its environment twin, else the lab file,
// else the default. Throws config_error with the message `easemu serve: ` prints before exiting
// with 1 (the lab file's file:line: problem, a flag's name and value). Reads the files it names
// (the lab file, --tls-cert, --tls-key) and EASEMU_UI_DIR; starts nothing.
serve_config verify(serve_flags flags);

// The HTTPS URL phones use: --public-url, else https://<hostname>[:<port>] (no port for 443);
// without a trailing slash.
std::string public_url_for(const serve_config& config, std::uint16_t https_port);

}  // namespace easemu::app
