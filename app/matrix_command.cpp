// easemu matrix: every profile against every policy on a running server. Each policy is applied
// to the mailbox through the admin API (Set-CASMailbox -ActiveSyncMailboxPolicy), then the
// profiles add the account in parallel, each as its own device; the cells say what happened,
// with the settings responsible (policy bisection is offline: phone::bisect_policy, policy_check.hpp).
#include <boost/json.hpp>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "commands.hpp"
#include "easemu/common/text.hpp"
#include "easemu/provisioning/document.hpp"
#include "easemu/provisioning/policy.hpp"
#include "easemu/simulator/device_flow.hpp"
#include "easemu/client/http_client.hpp"
#include "easemu/phone/policy_check.hpp"
#include "easemu/phone/profile.hpp"

namespace easemu::app {

namespace {

namespace prov = provisioning;

struct matrix_cli {
  std::string server;
  std::string admin_server;  // default: --server
  std::string token;
  std::string user;
  std::string password;
  std::vector<std::string> ca_files;
  std::vector<std::string> resolve;
  std::vector<std::string> profiles;
  std::vector<std::string> policies;
  std::string profiles_file;
  int ping_hold = 1;
  bool json = false;
  bool markdown = false;
};

struct cell {
  std::string text;                      // "syncs", "partial", "rejected (86000C2B)"
  std::vector<std::string> responsible;  // settings
  simulator::flow_result flow;
};

// Cmdlet lines through POST /api/v1/exchange; the results array, or nullopt and `error`.
std::optional<boost::json::array> shell(const client::url_parts& admin, const std::string& token,
                                        const std::string& lines, std::string& error) {
  auto r = client::request_below(admin, "POST", "/api/v1/exchange");
  r.headers.emplace_back("Authorization", "Bearer " + token);
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = lines;
  r.timeout = std::chrono::seconds(30);
  const auto res = client::send(admin.port, r);
  if (!res.error.empty()) {
    error = res.error;
    return std::nullopt;
  }
  boost::system::error_code ec;
  const auto body = boost::json::parse(res.body, ec);
  const auto* results = ec || !body.is_object() ? nullptr : body.as_object().if_contains("results");
  if (results == nullptr || !results->is_array()) {
    error = "the admin API answered " + std::to_string(res.status) + ": " + res.body.substr(0, 200);
    return std::nullopt;
  }
  for (const auto& item : results->as_array()) {
    if (!item.at("ok").as_bool()) {
      error = std::string(item.at("command").as_string()) + ": " + std::string(item.at("error").as_string());
      return std::nullopt;
    }
  }
  return results->as_array();
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// A policy from Get-ActiveSyncMailboxPolicy's output (display values back to cmdlet text).
prov::policy policy_from_output(const boost::json::object& o) {
  prov::policy p;
  static const std::regex bytes(R"(.*\(([0-9,]+) bytes\)$)");
  for (const auto& kv : o) {
    const std::string key(kv.key());
    if (key == "Name") {
      p.name = std::string(kv.value().as_string());
      continue;
    }
    const auto* s = prov::find_setting(key);
    if (s == nullptr) continue;
    if (kv.value().is_array()) {
      std::vector<std::string> items;
      for (const auto& i : kv.value().as_array()) {
        if (i.is_string()) items.emplace_back(i.as_string());
      }
      (void)p.set_parameter(key, items);
      continue;
    }
    std::string text;
    if (kv.value().is_string()) {
      text = std::string(kv.value().as_string());
    } else if (kv.value().is_bool()) {
      text = kv.value().as_bool() ? "$true" : "$false";
    } else if (kv.value().is_int64()) {
      text = std::to_string(kv.value().as_int64());
    } else if (kv.value().is_null()) {
      text = "$null";
    } else {
      continue;
    }
    if (text == "True") text = "$true";
    if (text == "False") text = "$false";
    if (text.empty()) text = "$null";
    std::smatch m;
    if (std::regex_match(text, m, bytes)) {
      text = m[1].str();
      text.erase(std::remove(text.begin(), text.end(), ','), text.end());
    }
    (void)p.set_parameter(key, text);
  }
  return p;
}

std::string code_of(const simulator::flow_result& r) {
  if (r.screen.code) return r.screen.code_text();
  switch (r.outcome.kind) {
    case phone::outcome_kind::eas_status: return "status " + std::to_string(r.outcome.status);
    case phone::outcome_kind::http_status: return "HTTP " + std::to_string(r.outcome.status);
    case phone::outcome_kind::policies_unsupported: return "policies unsupported";
    default: return std::string(phone::to_string(r.outcome.kind));
  }
}

cell judge(const phone::device_profile& profile, const std::optional<prov::policy>& policy, simulator::flow_result r) {
  cell c;
  if (r.syncing) {
    c.text = r.partial ? "partial" : "syncs";
    c.responsible = r.unenforceable;
  } else {
    c.text = "rejected (" + code_of(r) + ")";
    if (!profile.provisions) {
      c.responsible = {"AllowNonProvisionableDevices"};  // it never provisions (PROVISIONING.md 2.1)
    } else if (policy && r.version &&
               (r.screen.what == phone::category::policy || r.screen.what == phone::category::access_denied)) {
      c.responsible = phone::bisect_policy(profile, *policy, *r.version);
      if (c.responsible.empty()) {
        // What the version cannot carry (the 139 gate, PROVISIONING.md 2.1).
        for (const auto s : prov::unsupported_settings(*policy, *r.version)) c.responsible.emplace_back(prov::info(s).name);
      }
    }
  }
  c.flow = std::move(r);
  return c;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// What a run needs before it asks the server anything.
struct matrix_setup {
  client::url_parts admin;
  std::vector<phone::device_profile> profiles;
  std::string ca_pem;
  std::vector<std::pair<std::string, std::string>> resolve;
};

// The URLs, the profiles, --ca and --resolve; nullopt after printing why (a usage error).
std::optional<matrix_setup> set_up(const matrix_cli& o) {
  std::string error;
  client::url_parts eas, admin;
  if (!client::parse_url(o.server, eas)) {
    std::cerr << "easemu matrix: '" << o.server << "' is not an https:// or http:// URL\n";
    return std::nullopt;
  }
  if (!client::parse_url(o.admin_server.empty() ? o.server : o.admin_server, admin)) {
    std::cerr << "easemu matrix: '" << o.admin_server << "' is not an https:// or http:// URL\n";
    return std::nullopt;
  }
  admin.target = "/";
  const auto all = load_device_profiles(o.profiles_file, error);
  const auto ca = read_ca_files(o.ca_files, error);
  const auto resolve = parse_resolve(o.resolve, error);
  if (!all || !ca || !resolve) {
    std::cerr << "easemu matrix: " << error << '\n';
    return std::nullopt;
  }
  // The admin API is reached through the same --resolve names as the phones.
  for (const auto& [host, address] : *resolve) {
    if (common::iequals(host, admin.host)) admin.connect_address = address;
  }
  matrix_setup s{std::move(admin), {}, *ca, *resolve};
  if (o.profiles.empty()) {
    s.profiles = *all;
    return s;
  }
  for (const auto& name : o.profiles) {
    const auto p = std::find_if(all->begin(), all->end(), [&](const phone::device_profile& d) { return common::iequals(d.name, name); });
    if (p == all->end()) {
      std::cerr << "easemu matrix: unknown profile '" << name << "'\n";
      return std::nullopt;
    }
    s.profiles.push_back(*p);
  }
  return s;
}

// The server's policies (for the names and the offline bisection), the columns, and the policy
// the mailbox has now (empty: the default), to give it back at the end.
struct server_policies {
  std::vector<prov::policy> known;
  std::vector<std::string> columns;
  std::string original;
};

// Nullopt after printing why, with the exit code in `status`.
std::optional<server_policies> read_server_policies(const matrix_cli& o, const client::url_parts& admin, int& status) {
  std::string error;
  const auto listed = shell(admin, o.token, "Get-ActiveSyncMailboxPolicy", error);
  const auto mailbox = listed ? shell(admin, o.token, "Get-CASMailbox -Identity " + quote(o.user), error) : std::nullopt;
  if (!listed || !mailbox) {
    std::cerr << "easemu matrix: " << error << '\n';
    status = error.find("answered") != std::string::npos ? exit_failed : exit_usage;
    return std::nullopt;
  }
  server_policies out;
  for (const auto& item : listed->at(0).at("output").as_array()) out.known.push_back(policy_from_output(item.as_object()));
  out.columns = o.policies;
  if (out.columns.empty()) {
    for (const auto& p : out.known) out.columns.push_back(p.name);
  }
  const auto& box = mailbox->at(0).at("output").as_array().at(0).as_object();
  const bool defaulted = box.at("ActiveSyncMailboxPolicyIsDefaulted").as_bool();
  out.original = defaulted || box.at("ActiveSyncMailboxPolicy").is_null()
                     ? std::string()
                     : std::string(box.at("ActiveSyncMailboxPolicy").as_string());
  return out;
}

// Every profile adds the account at once, each as a fresh device.
std::vector<simulator::flow_result> run_profiles(const matrix_cli& o, const matrix_setup& s) {
  std::vector<simulator::flow_result> results(s.profiles.size());
  std::vector<std::thread> threads;
  for (std::size_t row = 0; row < s.profiles.size(); ++row) {
    threads.emplace_back([&, row] {
      simulator::flow_options f;
      f.profile = s.profiles[row];
      f.server = o.server;
      f.user = o.user;
      f.password = o.password;
      f.extra_ca_pem = s.ca_pem;
      f.resolve = s.resolve;
      f.ping_hold = std::chrono::seconds(o.ping_hold);
      f.device_id = simulator::make_device_id(s.profiles[row]);  // a fresh partnership per cell
      results[row] = simulator::run_device_flow(f);
    });
  }
  for (auto& t : threads) t.join();
  return results;
}

using matrix_table = std::vector<std::vector<cell>>;  // [profile][policy]

// Column by column: the mailbox gets the policy, then every profile tries. The mailbox gets its
// own policy back in the end. exit_failed when a policy could not be assigned.
int fill_table(const matrix_cli& o, const matrix_setup& s, const server_policies& sp, matrix_table& table) {
  std::string error;
  int status = exit_ok;
  for (std::size_t col = 0; col < sp.columns.size(); ++col) {
    if (!shell(s.admin, o.token,
               "Set-CASMailbox -Identity " + quote(o.user) + " -ActiveSyncMailboxPolicy " + quote(sp.columns[col]), error)) {
      std::cerr << "easemu matrix: " << error << '\n';
      status = exit_failed;
      break;
    }
    std::optional<prov::policy> policy;
    for (const auto& p : sp.known) {
      if (common::iequals(p.name, sp.columns[col])) policy = p;
    }
    auto results = run_profiles(o, s);
    for (std::size_t row = 0; row < s.profiles.size(); ++row) table[row][col] = judge(s.profiles[row], policy, std::move(results[row]));
  }
  // Give the mailbox its policy back.
  (void)shell(s.admin, o.token,
              "Set-CASMailbox -Identity " + quote(o.user) + " -ActiveSyncMailboxPolicy " +
                  (sp.original.empty() ? "$null" : quote(sp.original)),
              error);
  return status;
}

void print_json(const std::vector<phone::device_profile>& profiles, const std::vector<std::string>& policies,
                const matrix_table& table) {
  boost::json::array rows;
  for (std::size_t r = 0; r < profiles.size(); ++r) {
    boost::json::array cells;
    for (std::size_t c = 0; c < policies.size(); ++c) {
      const auto& x = table[r][c];
      boost::json::array resp;
      for (const auto& s : x.responsible) resp.emplace_back(s);
      cells.push_back(boost::json::object{
          {"policy", policies[c]},
          {"cell", x.text},
          {"syncing", x.flow.syncing},
          {"partial", x.flow.partial},
          {"outcome", std::string(phone::to_string(x.flow.outcome.kind))},
          {"status", x.flow.outcome.status},
          {"code", x.flow.screen.code ? boost::json::value(x.flow.screen.code_text()) : boost::json::value(nullptr)},
          {"screen", x.flow.screen.text()},
          {"responsible", std::move(resp)},
          {"device_id", x.flow.device_id}});
    }
    rows.push_back(boost::json::object{{"profile", profiles[r].name}, {"cells", std::move(cells)}});
  }
  boost::json::array cols;
  for (const auto& p : policies) cols.emplace_back(p);
  std::cout << boost::json::serialize(boost::json::object{{"policies", std::move(cols)}, {"rows", std::move(rows)}}) << '\n';
}

void print_markdown(const std::vector<phone::device_profile>& profiles, const std::vector<std::string>& policies,
                    const matrix_table& table) {
  std::cout << "| Profile |";
  for (const auto& p : policies) std::cout << ' ' << p << " |";
  std::cout << "\n|---|";
  for (std::size_t c = 0; c < policies.size(); ++c) std::cout << "---|";
  std::cout << '\n';
  for (std::size_t r = 0; r < profiles.size(); ++r) {
    std::cout << "| `" << profiles[r].name << "` |";
    for (std::size_t c = 0; c < policies.size(); ++c) {
      const auto& x = table[r][c];
      std::cout << ' ' << x.text;
      if (!x.responsible.empty()) std::cout << "<br>" << join(x.responsible, ", ");
      std::cout << " |";
    }
    std::cout << '\n';
  }
}

// Columns as wide as their widest cell, then the settings responsible for each cell.
void print_text(const std::vector<phone::device_profile>& profiles, const std::vector<std::string>& policies,
                const matrix_table& table) {
  std::size_t first = 7;
  for (const auto& p : profiles) first = std::max(first, p.name.size());
  std::vector<std::size_t> widths;
  for (std::size_t c = 0; c < policies.size(); ++c) {
    std::size_t w = policies[c].size();
    for (std::size_t r = 0; r < profiles.size(); ++r) w = std::max(w, table[r][c].text.size());
    widths.push_back(w);
  }
  std::cout << std::left << std::setw(static_cast<int>(first)) << "Profile";
  for (std::size_t c = 0; c < policies.size(); ++c) std::cout << "  " << std::setw(static_cast<int>(widths[c])) << policies[c];
  std::cout << '\n';
  for (std::size_t r = 0; r < profiles.size(); ++r) {
    std::cout << std::setw(static_cast<int>(first)) << profiles[r].name;
    for (std::size_t c = 0; c < policies.size(); ++c) std::cout << "  " << std::setw(static_cast<int>(widths[c])) << table[r][c].text;
    std::cout << '\n';
  }
  bool header = false;
  for (std::size_t r = 0; r < profiles.size(); ++r) {
    for (std::size_t c = 0; c < policies.size(); ++c) {
      const auto& x = table[r][c];
      if (x.responsible.empty()) continue;
      if (!header) std::cout << "\nSettings responsible:\n";
      header = true;
      std::cout << "  " << profiles[r].name << " x " << policies[c] << ": " << join(x.responsible, ", ")
                << (x.flow.syncing ? " (not enforced)" : "") << '\n';
    }
  }
}

int run(const matrix_cli& o) {
  const auto s = set_up(o);
  if (!s) return exit_usage;
  int status = exit_ok;
  const auto sp = read_server_policies(o, s->admin, status);
  if (!sp) return status;
  matrix_table table(s->profiles.size(), std::vector<cell>(sp->columns.size()));
  status = fill_table(o, *s, *sp, table);
  if (status != exit_ok) return status;
  bool nothing_answered = true;
  for (const auto& row : table) {
    for (const auto& c : row) nothing_answered = nothing_answered && !c.flow.answered;
  }
  if (o.json) {
    print_json(s->profiles, sp->columns, table);
  } else if (o.markdown) {
    print_markdown(s->profiles, sp->columns, table);
  } else {
    print_text(s->profiles, sp->columns, table);
  }
  return nothing_answered ? exit_usage : exit_ok;
}

std::vector<std::string> split_commas(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& s : in) {
    std::string cur;
    for (const char c : s + ",") {
      if (c == ',') {
        if (!cur.empty()) out.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
  }
  return out;
}

}  // namespace

void add_matrix_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("matrix", "Every device profile against every policy on a running server");
  auto o = std::make_shared<matrix_cli>();
  cmd->add_option("--server", o->server, "The server's HTTPS URL, e.g. https://mail.lab.test:8443")->required();
  cmd->add_option("--admin-server", o->admin_server, "Where the admin API is (default: --server)");
  cmd->add_option("--admin-token", o->token, "The server's admin token")->envname("EASEMU_ADMIN_TOKEN")->required();
  cmd->add_option("--user", o->user, "E-mail address of the mailbox")->envname("EASEMU_USER")->required();
  cmd->add_option("--password", o->password, "Its password")->envname("EASEMU_PASSWORD")->required();
  cmd->add_option("--ca", o->ca_files, "A CA certificate installed on every phone: PEM, DER (.cer) or PKCS#7 (.p7b) (repeatable)");
  cmd->add_option("--resolve", o->resolve, "HOST:ADDRESS, as a hosts file would (repeatable)");
  cmd->add_option("--profiles", o->profiles, "Profiles, comma-separated (default: all)");
  cmd->add_option("--profiles-file", o->profiles_file, "YAML file with more profiles")->envname("EASEMU_PROFILES_FILE");
  cmd->add_option("--policies", o->policies, "Policy names, comma-separated (default: every policy on the server)");
  cmd->add_option("--ping-hold", o->ping_hold, "Seconds each Ping may stay open (0: no Ping)")
      ->check(CLI::Range(0, 600))->capture_default_str();
  auto* json = cmd->add_flag("--json", o->json, "Print one JSON document");
  auto* md = cmd->add_flag("--markdown", o->markdown, "Print a Markdown table");
  json->excludes(md);
  cmd->callback([o, &exit_code] {
    o->profiles = split_commas(o->profiles);
    o->policies = split_commas(o->policies);
    exit_code = run(*o);
  });
}

}  // namespace easemu::app
