// easemu fault: add, list and remove the fault injection rules of a running server
// (/api/v1/faults; docs/faults.md). The server validates the rules; this only builds them.
#include <boost/json.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "io.hpp"
#include "easemu/eas/url.hpp"
#include "easemu/client/http_client.hpp"

namespace easemu::app {

namespace {

struct fault_cli {
  std::string server = "http://127.0.0.1:8080";
  std::string token;
  std::string ca;  // --ca: PEM CA to verify an https:// server
  bool json = false;
  // add
  std::string user, device_id, device_type, command, protocol_version;
  std::optional<int> http_status;
  std::optional<int> retry_after;
  std::string location;
  std::optional<int> eas_status;
  std::optional<int> delay_ms;
  bool drop = false;
  bool corrupt_body = false;
  bool truncate_body = false;
  bool policy_refresh = false;
  std::optional<double> probability;
  std::optional<std::uint64_t> count;
  // remove
  std::string id;
  bool all = false;
};

// Sends a request to the admin API; nullopt (message printed) on a transport error.
std::optional<client::client_response> call(const fault_cli& o, const std::string& method, const std::string& path,
                                               const std::string& body = {}) {
  client::url_parts parts;
  if (!client::parse_url(o.server, parts)) {
    std::cerr << "easemu fault: '" << o.server << "' is not an http:// or https:// URL\n";
    return std::nullopt;
  }
  if (!apply_ca_option(o.ca, parts, "fault")) return std::nullopt;
  auto r = client::request_below(parts, method, path);
  r.headers.emplace_back("Authorization", "Bearer " + o.token);
  if (!body.empty()) {
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = body;
  }
  auto res = client::send(parts.port, r);
  if (!res.error.empty()) {
    std::cerr << "easemu fault: " << o.server << ": " << res.error << '\n';
    return std::nullopt;
  }
  return res;
}

// The server's {"error": ...} message, or the body as it is.
std::string error_of(const client::client_response& res) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(res.body, ec);
  if (!ec && v.is_object()) {
    if (const auto* e = v.as_object().if_contains("error"); e != nullptr && e->is_string()) return std::string(e->as_string());
  }
  return std::to_string(res.status) + " " + res.body;
}

std::string text_of(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return "";
  if (v->is_string()) return std::string(v->as_string());
  // Boost.JSON writes doubles in exponent form (1E0); people read 1 and 0.25.
  if (v->is_double()) return fmt::format("{}", v->as_double());
  return boost::json::serialize(*v);
}

// "user=alice@lab.test command=Sync", or "*" for a rule matching every request.
std::string match_text(const boost::json::object& rule) {
  std::string out;
  if (const auto* m = rule.if_contains("match"); m != nullptr && m->is_object()) {
    for (const auto& kv : m->as_object()) {
      const auto& v = kv.value();
      out += (out.empty() ? "" : " ") + std::string(kv.key()) + "=" +
             (v.is_string() ? std::string(v.as_string()) : boost::json::serialize(v));
    }
  }
  return out.empty() ? "*" : out;
}

std::string action_text(const boost::json::object& rule) {
  std::string out;
  if (const auto* a = rule.if_contains("action"); a != nullptr && a->is_object()) {
    for (const auto& kv : a->as_object()) {
      const auto& v = kv.value();
      out += (out.empty() ? "" : " ") + std::string(kv.key()) +
             (v.is_bool() ? std::string() : "=" + (v.is_string() ? std::string(v.as_string()) : boost::json::serialize(v)));
    }
  }
  return out;
}

void print_rule(const boost::json::object& r) {
  const auto count = text_of(r, "count");
  std::cout << text_of(r, "id") << "  " << action_text(r) << "  match: " << match_text(r)
            << "  probability: " << text_of(r, "probability") << "  hits: " << text_of(r, "hits") << "/"
            << (count.empty() ? "unlimited" : count) << (r.contains("exhausted") && r.at("exhausted").as_bool() ? " (exhausted)" : "")
            << "  source: " << text_of(r, "source") << '\n';
}

int run_add(const fault_cli& o) {
  const int actions = (o.http_status ? 1 : 0) + (o.eas_status ? 1 : 0) + (o.delay_ms ? 1 : 0) + (o.drop ? 1 : 0) +
                      (o.corrupt_body ? 1 : 0) + (o.truncate_body ? 1 : 0) + (o.policy_refresh ? 1 : 0);
  if (actions != 1) {
    std::cerr << "easemu fault add: give exactly one action: --http-status N, --eas-status N, --delay-ms N, --drop, "
                 "--corrupt-body, --truncate-body or --policy-refresh\n";
    return exit_usage;
  }
  if ((o.retry_after || !o.location.empty()) && !o.http_status) {
    std::cerr << "easemu fault add: --retry-after and --location go with --http-status\n";
    return exit_usage;
  }
  boost::json::object match;
  for (auto [key, value] : {std::pair{"user", &o.user}, std::pair{"device_id", &o.device_id},
                            std::pair{"device_type", &o.device_type}, std::pair{"command", &o.command},
                            std::pair{"protocol_version", &o.protocol_version}}) {
    if (!value->empty()) match[key] = *value;
  }
  boost::json::object action;
  if (o.http_status) action["http_status"] = *o.http_status;
  if (o.retry_after) action["retry_after"] = *o.retry_after;
  if (!o.location.empty()) action["location"] = o.location;
  if (o.eas_status) action["eas_status"] = *o.eas_status;
  if (o.delay_ms) action["delay_ms"] = *o.delay_ms;
  if (o.drop) action["drop"] = true;
  if (o.corrupt_body) action["corrupt_body"] = true;
  if (o.truncate_body) action["truncate_body"] = true;
  if (o.policy_refresh) action["policy_refresh"] = true;
  boost::json::object rule{{"match", std::move(match)}, {"action", std::move(action)}};
  if (o.probability) rule["probability"] = *o.probability;
  if (o.count) rule["count"] = *o.count;

  const auto res = call(o, "POST", "/api/v1/faults", boost::json::serialize(rule));
  if (!res) return exit_failed;
  boost::system::error_code ec;
  const auto body = boost::json::parse(res->body, ec);
  if (res->status != 201 || ec || !body.is_object()) {
    std::cerr << "easemu fault add: " << error_of(*res) << '\n';
    return exit_failed;
  }
  if (o.json) {
    std::cout << boost::json::serialize(body) << '\n';
  } else {
    print_rule(body.as_object());
  }
  return exit_ok;
}

int run_list(const fault_cli& o) {
  const auto res = call(o, "GET", "/api/v1/faults");
  if (!res) return exit_failed;
  boost::system::error_code ec;
  const auto body = boost::json::parse(res->body, ec);
  const auto* faults = ec || !body.is_object() ? nullptr : body.as_object().if_contains("faults");
  if (res->status != 200 || faults == nullptr || !faults->is_array()) {
    std::cerr << "easemu fault list: " << error_of(*res) << '\n';
    return exit_failed;
  }
  if (o.json) {
    std::cout << boost::json::serialize(body) << '\n';
    return exit_ok;
  }
  if (faults->as_array().empty()) std::cout << "no fault rules\n";
  for (const auto& r : faults->as_array()) {
    if (r.is_object()) print_rule(r.as_object());
  }
  return exit_ok;
}

int run_remove(const fault_cli& o) {
  if (o.all == !o.id.empty()) {
    std::cerr << "easemu fault remove: give a rule id (see easemu fault list) or --all\n";
    return exit_usage;
  }
  const auto res = call(o, "DELETE", o.all ? "/api/v1/faults" : "/api/v1/faults/" + eas::percent_encode(o.id));
  if (!res) return exit_failed;
  if (res->status != 200) {
    std::cerr << "easemu fault remove: " << error_of(*res) << '\n';
    return exit_failed;
  }
  boost::system::error_code ec;
  const auto body = boost::json::parse(res->body, ec);
  if (o.all && !ec && body.is_object()) {
    std::cout << "removed " << text_of(body.as_object(), "removed") << " fault rule(s)\n";
  } else {
    std::cout << "removed " << o.id << '\n';
  }
  return exit_ok;
}

void common_options(CLI::App* cmd, fault_cli& o) {
  cmd->add_option("--server", o.server, "Base URL of the server (plain HTTP or HTTPS listener)")
      ->envname("EASEMU_SERVER")->capture_default_str();
  cmd->add_option("--admin-token", o.token, "The server's admin token")->envname("EASEMU_ADMIN_TOKEN")->required();
  cmd->add_option("--ca", o.ca, "CA certificate (PEM) to verify an https:// --server with (default: not verified)");
  cmd->add_flag("--json", o.json, "Print the server's JSON");
}

}  // namespace

void add_fault_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("fault", "Add, list and remove fault injection rules of a running server");
  cmd->require_subcommand(1);
  auto o = std::make_shared<fault_cli>();

  auto* add = cmd->add_subcommand("add", "Add a rule: a match (every field optional), one action, probability, count");
  common_options(add, *o);
  add->add_option("--user", o->user, "Match: the mailbox address or alias");
  add->add_option("--device-id", o->device_id, "Match: DeviceId");
  add->add_option("--device-type", o->device_type, "Match: DeviceType");
  add->add_option("--command", o->command, "Match: the EAS command (Sync, FolderSync, Ping, ...)");
  add->add_option("--protocol-version", o->protocol_version, "Match: the EAS version (2.5 ... 16.1)");
  add->add_option("--http-status", o->http_status, "Action: answer with this HTTP status (401, 403, 449, 451, 500, 503, ...)");
  add->add_option("--retry-after", o->retry_after, "With --http-status 503: Retry-After seconds (default 30)");
  add->add_option("--location", o->location, "With --http-status 451: the X-MS-Location URL (default: this server)");
  add->add_option("--eas-status", o->eas_status, "Action: this status in the command's body (or its HTTP status)");
  add->add_option("--delay-ms", o->delay_ms, "Action: answer normally after this many milliseconds");
  add->add_flag("--drop", o->drop, "Action: close the connection without answering");
  add->add_flag("--corrupt-body", o->corrupt_body, "Action: the real answer with every bit of its body flipped");
  add->add_flag("--truncate-body", o->truncate_body, "Action: the real answer with its body cut in half");
  add->add_flag("--policy-refresh", o->policy_refresh, "Action: force re-provisioning (143, or HTTP 449 before 14.0)");
  add->add_option("--probability", o->probability, "Chance that a matching request is hit, 0-1 (default 1)");
  add->add_option("--count", o->count, "Hits before the rule stops (default unlimited)");
  add->callback([o, &exit_code] { exit_code = run_add(*o); });

  auto* list = cmd->add_subcommand("list", "List the rules with their hit counts");
  common_options(list, *o);
  list->callback([o, &exit_code] { exit_code = run_list(*o); });

  auto* remove = cmd->add_subcommand("remove", "Remove one rule, or all with --all");
  common_options(remove, *o);
  remove->add_option("id", o->id, "The rule id (f1, f2, ...)");
  remove->add_flag("--all", o->all, "Remove every rule");
  remove->callback([o, &exit_code] { exit_code = run_remove(*o); });
}

}  // namespace easemu::app
