// easemu ca init|issue|export: the lab CA outside the server, on the same files the server uses
// (<data-dir>/certs/ca.pem, ca.key).
#include <openssl/x509_vfy.h>

#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "easemu/certs/certs.hpp"
#include "easemu/certs/trust.hpp"
#include "easemu/phone/presentation.hpp"
#include "easemu/phone/profile.hpp"
#include "easemu/simulator/device_flow.hpp"
#include "io.hpp"

namespace easemu::app {

namespace {

namespace fs = std::filesystem;

struct ca_cli {
  std::string data_dir = ".";
  bool ecdsa = false;
  std::string domain = "lab.test";
  std::vector<std::string> names;
  std::vector<std::string> ips;
  std::string email;
  std::string serial;
  std::string cert_file;
  std::string format = "pem";
  std::string output;
  // check-chain
  std::string chain_file;
  std::string host;
  std::string at;
  std::vector<std::string> profiles;
  std::string profiles_file;
};

int fail(const std::string& what) {
  std::cerr << "easemu ca: " << what << '\n';
  return exit_failed;
}

fs::path certs_dir(const ca_cli& o) { return fs::path(o.data_dir) / "certs"; }

std::optional<certs::key_pair> load_ca(const ca_cli& o, std::string& error) {
  auto pem = read_input((certs_dir(o) / "ca.pem").string(), 1 << 20, error);
  auto key = pem ? read_input((certs_dir(o) / "ca.key").string(), 1 << 20, error) : std::nullopt;
  if (!pem || !key) {
    error += " (run `easemu ca init --data-dir " + o.data_dir + "` first)";
    return std::nullopt;
  }
  return certs::key_pair{*pem, *key};
}

int run_init(const ca_cli& o) {
  if (fs::exists(certs_dir(o) / "ca.pem")) {
    return fail((certs_dir(o) / "ca.pem").string() + " exists; the lab CA is kept (phones trust it)");
  }
  certs::ca_options ca;
  ca.common_name = "easemu Lab Root CA (" + o.domain + ")";
  ca.key = o.ecdsa ? certs::key_type::ecdsa_p256 : certs::key_type::rsa2048;
  certs::server_options srv;
  srv.common_name = "mail." + o.domain;
  srv.dns_names = {"mail." + o.domain, o.domain, "autodiscover." + o.domain, "localhost"};
  srv.ip_addresses = {"127.0.0.1", "::1"};
  srv.key = ca.key;
  certs::load_or_create(certs_dir(o).string(), ca, srv);
  std::cout << "lab CA created in " << certs_dir(o).string() << "\n";
  return exit_ok;
}

int run_issue(const ca_cli& o) {
  std::string error;
  auto ca = load_ca(o, error);
  if (!ca) return fail(error);
  if (o.names.empty() == o.email.empty()) return fail("give --name (a server certificate) or --email (S/MIME)");
  if (!o.email.empty()) {
    certs::smime_options sm;
    sm.email = o.email;
    sm.key = o.ecdsa ? certs::key_type::ecdsa_p256 : certs::key_type::rsa2048;
    const auto leaf = certs::issue_smime_certificate(*ca, sm);
    const auto base = o.output.empty() ? (certs_dir(o) / o.email).string() : o.output;
    if (!write_output(base + ".pem", leaf.certificate_pem, error) || !write_output(base + ".key", leaf.private_key_pem, error)) {
      return fail(error);
    }
    fs::permissions(base + ".key", fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    std::cout << "issued " << base << ".pem (S/MIME, serial " << certs::serial_hex(leaf.certificate_pem) << ") and "
              << base << ".key\n";
    return exit_ok;
  }
  certs::server_options srv;
  srv.common_name = o.names.front();
  srv.dns_names = o.names;
  srv.ip_addresses = o.ips;
  srv.key = o.ecdsa ? certs::key_type::ecdsa_p256 : certs::key_type::rsa2048;
  const auto leaf = certs::issue_server_certificate(*ca, srv);
  const auto base = o.output.empty() ? (certs_dir(o) / o.names.front()).string() : o.output;
  if (!write_output(base + ".pem", leaf.certificate_pem + ca->certificate_pem, error) ||
      !write_output(base + ".key", leaf.private_key_pem, error)) {
    return fail(error);
  }
  fs::permissions(base + ".key", fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  std::cout << "issued " << base << ".pem (chain) and " << base << ".key\n";
  return exit_ok;
}

int run_revoke(const ca_cli& o) {
  std::string error;
  auto ca = load_ca(o, error);
  if (!ca) return fail(error);
  if (o.serial.empty() == o.cert_file.empty()) return fail("give --serial or --cert");
  std::string serial = o.serial;
  if (!o.cert_file.empty()) {
    auto pem = read_input(o.cert_file, 1 << 20, error);
    if (!pem) return fail(error);
    serial = certs::serial_hex(*pem);
  }
  const bool added = certs::revoke(certs_dir(o).string(), serial);
  std::cout << (added ? "revoked " : "already revoked: ") << serial << " (listed in /certsrv/ca.crl)\n";
  return exit_ok;
}

int run_export(const ca_cli& o) {
  std::string error;
  auto ca = load_ca(o, error);
  if (!ca) return fail(error);
  std::string out;
  if (o.format == "pem") {
    out = ca->certificate_pem;
  } else if (o.format == "der") {
    out = certs::pem_to_der(ca->certificate_pem);
  } else {
    out = certs::pem_chain_to_p7b(ca->certificate_pem);
  }
  if (!write_output(o.output, out, error)) return fail(error);
  return exit_ok;
}

// "2026-12-07" or "2026-12-07T10:00:00Z" (UTC); nullopt when it is neither.
std::optional<std::time_t> parse_when(const std::string& text) {
  std::tm tm{};
  std::istringstream in(text);
  in >> std::get_time(&tm, text.size() > 10 ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d");
  if (in.fail()) return std::nullopt;
  return timegm(&tm);
}

// A chain a profile refuses, as the phone takes it (the same split as its TLS handshake).
phone::outcome_kind refusal(const certs::validation& v) {
  switch (v.openssl_error) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: return phone::outcome_kind::certificate_name_mismatch;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID: return phone::outcome_kind::certificate_expired;
    default: return phone::outcome_kind::certificate_untrusted;
  }
}

// Offline: the chain in the file against each profile's trust store (its own root list, the CA
// files it installed), as the phone's TLS handshake would judge it. Exit 1 when one refuses it.
int run_check_chain(const ca_cli& o) {
  std::string error;
  auto bytes = read_input(o.chain_file, 4 << 20, error);
  if (!bytes) return fail(error);
  const auto chain = certs::read_certificates(*bytes);
  if (chain.empty()) return fail(o.chain_file + ": no certificate in it (PEM, DER .cer or PKCS#7 .p7b)");
  certs::server_chain_input in;
  in.chain_pem = chain;
  in.host = o.host;
  if (!o.at.empty()) {
    const auto when = parse_when(o.at);
    if (!when) return fail("--at '" + o.at + "': expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC)");
    in.at = *when;
  }
  auto all = load_device_profiles(o.profiles_file, error);
  if (!all) return fail(error);
  std::vector<phone::device_profile> chosen;
  for (const auto& name : o.profiles) {
    auto p = find_device_profile(name, o.profiles_file, error);
    if (!p) return fail(error);
    chosen.push_back(std::move(*p));
  }
  if (chosen.empty()) chosen = std::move(*all);

  std::cout << "Chain (" << chain.size() << (chain.size() == 1 ? " certificate" : " certificates") << ", the server's first):\n";
  for (std::size_t i = 0; i < chain.size(); ++i) std::cout << "  " << i << "  " << certs::subject_rfc2253(chain[i]) << '\n';
  if (!in.host.empty()) std::cout << "Host: " << in.host << '\n';
  std::cout << '\n' << std::left << std::setw(18) << "Profile" << std::setw(9) << "Trusted" << "Why\n";
  bool all_trust = true;
  for (const auto& p : chosen) {
    std::string trust_error;
    const auto trusted = simulator::trust_pem(p.trust, "", trust_error);
    const auto v = certs::check_server_chain(in, trusted);
    std::string why;
    if (v.result == certs::verdict::valid) {
      why = "ends at " + v.anchor;
    } else {
      all_trust = false;
      phone::outcome out;
      out.kind = refusal(v);
      out.server = in.host;
      const auto screen = phone::present(p, out);
      why = v.detail + " (depth " + std::to_string(v.depth) + "); the phone shows \"" + screen.title + "\"" +
            (screen.code ? " " + screen.code_text() : std::string());
    }
    if (!trust_error.empty()) why += " [" + trust_error + "]";
    std::cout << std::setw(18) << p.name << std::setw(9) << (v.result == certs::verdict::valid ? "yes" : "no") << why << '\n';
  }
  return all_trust ? exit_ok : exit_failed;
}

}  // namespace

void add_ca_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("ca", "Create the lab CA, issue and revoke certificates, export the CA, check a chain against the phones");
  cmd->require_subcommand(1);
  auto o = std::make_shared<ca_cli>();
  auto run_with = [o, &exit_code](CLI::App* sub, int (*run)(const ca_cli&)) {
    sub->callback([o, &exit_code, run] {
      try {
        exit_code = run(*o);
      } catch (const std::exception& e) {
        exit_code = fail(e.what());
      }
    });
  };
  auto common = [o](CLI::App* sub) {
    sub->add_option("--data-dir", o->data_dir, "The server's data directory (certificates in <dir>/certs)")
        ->envname("EASEMU_DATA_DIR")->capture_default_str();
  };
  auto* init = cmd->add_subcommand("init", "Create the lab CA and the server certificate");
  common(init);
  init->add_option("--domain", o->domain, "Lab domain")->capture_default_str();
  init->add_flag("--ecdsa", o->ecdsa, "ECDSA P-256 keys instead of RSA 2048 (old phones need RSA)");
  run_with(init, run_init);
  auto* issue = cmd->add_subcommand("issue", "Issue a server certificate (--name) or an S/MIME one (--email) from the lab CA");
  common(issue);
  issue->add_option("--name", o->names, "DNS name (repeatable; the first is the common name)");
  issue->add_option("--email", o->email, "E-mail address: an S/MIME certificate for a lab user");
  issue->add_option("--ip", o->ips, "IP address (repeatable)");
  issue->add_flag("--ecdsa", o->ecdsa, "ECDSA P-256 key");
  issue->add_option("-o,--output", o->output, "Output path without extension (default <dir>/certs/<name>)");
  run_with(issue, run_issue);
  auto* rev = cmd->add_subcommand("revoke", "Put a certificate on the lab CA's revocation list");
  common(rev);
  rev->add_option("--serial", o->serial, "Serial number (hexadecimal)");
  rev->add_option("--cert", o->cert_file, "PEM certificate file");
  run_with(rev, run_revoke);
  auto* exp = cmd->add_subcommand("export", "Write the lab CA certificate");
  common(exp);
  exp->add_option("--format", o->format, "pem, der (.cer for Windows and Windows Phone) or p7b")
      ->check(CLI::IsMember({"pem", "der", "p7b"}))->capture_default_str();
  exp->add_option("-o,--output", o->output, "Output file (default stdout)");
  run_with(exp, run_export);
  auto* check = cmd->add_subcommand(
      "check-chain", "Offline: would each phone profile trust this server certificate chain? (exit 1 when one refuses it)");
  check->add_option("file", o->chain_file, "The chain: PEM, DER (.cer) or PKCS#7 (.p7b), the server's certificate first")
      ->required();
  check->add_option("--host", o->host, "The name the phones connect to (checked against the certificate)");
  check->add_option("--at", o->at, "Check at this time, YYYY-MM-DD[THH:MM:SS] UTC (default now)");
  check->add_option("--profile", o->profiles, "Only this profile (repeatable; default every profile)");
  check->add_option("--profiles", o->profiles_file, "YAML file with your own device profiles");
  run_with(check, run_check_chain);
}

}  // namespace easemu::app
