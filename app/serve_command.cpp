// easemu serve: the composition root of the server. verify() (serve_config.hpp) decides every
// setting; the builders below and in serve_tls, serve_dns and serve_report only read the result.
#include <fcntl.h>
#include <openssl/evp.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <unistd.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "easemu/common/hex.hpp"
#include "easemu/common/time.hpp"
#include "easemu/server/exchange_profile.hpp"
#include "easemu/server/net.hpp"
#include "easemu/server/router.hpp"
#include "easemu/store/cached_store.hpp"
#include "easemu/store/store.hpp"
#include "io.hpp"
#include "serve_config.hpp"
#include "serve_dns.hpp"
#include "serve_report.hpp"
#include "serve_tls.hpp"

namespace easemu::app {

namespace {

std::shared_ptr<spdlog::logger> make_logger(const serve_config& c) {
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
  log->set_level(spdlog::level::from_str(c.log_level));
  log->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  return log;
}

// SQLite in the data dir, or in memory; behind the cache every request reads through.
std::shared_ptr<store::store> open_store(const serve_config& c) {
  std::shared_ptr<store::store> db;
  if (c.data_dir.empty()) {
    db = store::open_memory_store();
  } else {
    std::filesystem::create_directories(c.data_dir);
    db = store::open_sqlite_store((std::filesystem::path(c.data_dir) / "easemu.db").string());
  }
  db->set_journal_retention(c.journal_keep);
  // Routine requests read no SQL (store/cached_store.hpp).
  return store::make_cached_store(std::move(db));
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

server::lab_view lab_view(const serve_config& c, server::ca_downloads ca) {
  const auto& lab = c.lab;
  server::lab_view view;
  view.domain = lab.domain;
  view.hostname = lab.hostname;
  view.netbios_domain = lab.netbios_domain;
  const auto* exchange = server::find_exchange_profile(lab.exchange_version);
  view.server_build = std::string(exchange->server_build);
  view.versions = lab.protocol_versions;
  // Exchange's own list when the lab keeps the release's versions; a lab file's protocol_versions
  // are advertised as written.
  if (lab.protocol_versions == server::advertised_versions(*exchange)) view.versions_header = exchange->protocol_versions;
  view.exchange_version = lab.exchange_version;
  view.ping.min_heartbeat = c.heartbeat_min;
  view.test_clock = c.test_clock;
  for (const auto& mb : lab.mailboxes) view.mailboxes.push_back({mb.address, mb.password, mb.display_name});
  view.ca = std::move(ca);
  return view;
}

std::shared_ptr<server::router> make_router(const serve_config& c, server::lab_view view,
                                            std::shared_ptr<store::store> db, const std::string& token,
                                            std::shared_ptr<spdlog::logger> log) {
  auto r = std::make_shared<server::router>(std::move(view), std::move(db), token, log);
  // Dashboard development: /ui/ from this directory, read at each request, instead of the copies
  // embedded in the binary.
  if (!c.ui_dir.empty()) {
    r->set_ui_dir(c.ui_dir);
    log->info("dashboard files from {} (EASEMU_UI_DIR), not the embedded copies", c.ui_dir);
  }
  if (c.fault_seed) r->faults().reseed(*c.fault_seed);
  return r;
}

// The lab file is the desired state, applied whenever it changed since the last start. While it
// stays the same, what the admin API and the shell changed at run time is kept, so every key a
// phone holds stays valid across restarts. Returns an error naming the lab file, empty on success.
std::string apply_lab(const serve_config& c, const std::shared_ptr<store::store>& db,
                      const std::shared_ptr<server::router>& r, const std::shared_ptr<spdlog::logger>& log) {
  const auto digest = lab_digest(c.lab);
  const bool lab_changed = db->get_lab_state("lab_digest") != digest;
  if (lab_changed) {
    if (auto error = apply_lab_file(c.lab, *db, *r, *log); !error.empty()) return c.lab_name + ": " + error;
  }
  apply_lab_faults(c.lab, *r, *log);
  // POST /api/v1/reset: the lab file's state again (partnerships and mail stay).
  r->set_reset([lab = c.lab, db, rp = r.get(), log, lab_name = c.lab_name] {
    auto error = apply_lab_file(lab, *db, *rp, *log);
    if (error.empty()) apply_lab_faults(lab, *rp, *log);
    return error.empty() ? error : lab_name + ": " + error;
  });
  // The demo lab's mailboxes start with a realistic Inbox (once per data dir).
  if (c.demo) {
    const auto now = common::now_ms();
    for (const auto& mb : c.lab.mailboxes) r->mail().seed_demo_mail(mb.address, now);
  }
  if (lab_changed) {
    db->set_lab_state("lab_digest", digest);
  } else {
    log->info("lab file unchanged since the last start: keeping the data dir's policies and mailboxes");
  }
  return {};
}

int run_serve(const serve_config& c) {
  const auto log = make_logger(c);
  if (!c.absent_lab_file.empty()) log->info("no lab file at {}: the demo lab", c.absent_lab_file);
  const auto tls = load_lab_tls(c);
  auto ca = ca_downloads(tls, c.lab);
  const auto db = open_store(c);
  start_up_facts facts;
  facts.admin_token = c.admin_token.empty() ? generated_token(c.data_dir, facts.token_file) : c.admin_token;
  const auto r = make_router(c, lab_view(c, std::move(ca)), db, facts.admin_token, log);
  if (const auto error = apply_lab(c, db, r, log); !error.empty()) {
    std::cerr << "easemu serve: " << error << '\n';
    return exit_failed;
  }
  server::http_server http(c.limits, [r](server::http_request&& req, server::respond_fn done) {
    r->handle(std::move(req), std::move(done));
  }, log);
  http.on_stopping([r] { r->shutdown(); });  // waiting Pings answer before the grace period
  r->set_tls_control(start_tls_modes(http, tls, c));
  facts.https_port = http.listen(c.https);
  facts.http_port = http.listen(c.http);
  facts.public_url = public_url_for(c, facts.https_port);
  r->set_public_url(facts.public_url);
  auto dns = start_dns_responder(c, facts.public_url, log);
  if (dns.server) {
    facts.dns_zone = dns.zone;
    facts.dns_port = dns.port;
  }
  http.start(2);
  r->set_ready(true);
  facts.ca_created = tls.certificates.created;
  for (const auto& line : start_up_report(c, facts)) log->info("{}", line);
  log->flush();  // the start-up report, before the first request
  http.wait_for_signal();
  if (dns.server) dns.server->stop();
  log->info("stopped");
  log->flush();
  return exit_ok;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "Run the EAS server (HTTPS for phones, plain HTTP for the landing page)");
  auto flags = std::make_shared<serve_flags>();
  add_serve_flags(*cmd, *flags);
  cmd->callback([flags, &exit_code] {
    try {
      exit_code = run_serve(verify(*flags));
    } catch (const std::exception& e) {
      std::cerr << "easemu serve: " << e.what() << '\n';
      exit_code = exit_failed;
    }
  });
}

}  // namespace easemu::app
