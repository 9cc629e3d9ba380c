// easemu device: one simulated phone adds an Exchange account (simulator/device_flow.hpp) and
// reports each step, what the phone shows and which policy settings it could not enforce.
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "easemu/certs/trust.hpp"
#include "easemu/common/markup.hpp"
#include "easemu/common/text.hpp"
#include "easemu/simulator/device_flow.hpp"
#include "easemu/client/http_client.hpp"
#include "easemu/phone/profile.hpp"
#include "io.hpp"

namespace easemu::app {


// ---- shared with matrix and policy check (commands.hpp) ----

std::optional<std::vector<phone::device_profile>> load_device_profiles(const std::string& profiles_file,
                                                                      std::string& error) {
  std::vector<phone::device_profile> out;
  if (!profiles_file.empty()) {
    auto text = read_input(profiles_file, 4 << 20, error);
    if (!text) return std::nullopt;
    auto loaded = phone::load_profiles(*text);
    if (!loaded) {
      error = profiles_file + ": " + loaded.error();
      return std::nullopt;
    }
    out = std::move(*loaded);
  }
  for (const auto& b : phone::builtin_profiles()) {
    const bool replaced = std::any_of(out.begin(), out.end(), [&](const phone::device_profile& p) {
      return common::iequals(p.name, b.name);
    });
    if (!replaced) out.push_back(b);
  }
  return out;
}

std::optional<phone::device_profile> find_device_profile(const std::string& name, const std::string& profiles_file,
                                                         std::string& error) {
  auto all = load_device_profiles(profiles_file, error);
  if (!all) return std::nullopt;
  for (const auto& p : *all) {
    if (common::iequals(p.name, name)) return p;
  }
  std::string known;
  for (const auto& p : *all) known += (known.empty() ? "" : ", ") + p.name;
  error = "unknown profile '" + name + "' (known: " + known + ")";
  return std::nullopt;
}

std::optional<std::string> read_ca_files(const std::vector<std::string>& files, std::string& error) {
  std::string pem;
  for (const auto& f : files) {
    auto text = read_input(f, 4 << 20, error);
    if (!text) return std::nullopt;
    // The forms a phone installs: a DER .cer opened from a mail or a download, a PKCS#7 chain
    // (.p7b, DER or PEM), or PEM.
    const auto certificates = certs::read_certificates(*text);
    if (certificates.empty()) {
      error = f + ": no certificate in it (PEM, DER .cer or PKCS#7 .p7b)";
      return std::nullopt;
    }
    for (const auto& c : certificates) pem += c;
  }
  return pem;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_resolve(const std::vector<std::string>& entries,
                                                                              std::string& error) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : entries) {
    const auto colon = e.find(':');
    std::string host = colon == std::string::npos ? std::string() : e.substr(0, colon);
    std::string address = colon == std::string::npos ? std::string() : e.substr(colon + 1);
    if (address.size() > 2 && address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
    if (host.empty() || address.empty()) {
      error = "--resolve '" + e + "': expected HOST:ADDRESS, e.g. mail.lab.test:127.0.0.1";
      return std::nullopt;
    }
    out.emplace_back(std::move(host), std::move(address));
  }
  return out;
}

namespace {

struct device_cli {
  std::string server;
  std::string user;
  std::string password;
  std::string profile;
  std::string profiles_file;
  std::vector<std::string> ca_files;
  bool autodiscover = false;
  std::vector<std::string> resolve;
  int ping_hold = 5;
  std::string device_id;
  bool json = false;
  std::string junit;
  std::string send_to;
  std::string subject;
  std::string body = "Written on a simulated phone.";
  std::string attach;  // a file the message carries
  std::string search;
};

std::string dash_or(int v) { return v == 0 ? std::string("-") : std::to_string(v); }

boost::json::object result_json(const phone::device_profile& p, const simulator::flow_result& r) {
  boost::json::array steps;
  for (const auto& s : r.steps) {
    steps.push_back(boost::json::object{{"name", s.name},
                                        {"http_status", s.http_status},
                                        {"eas_status", s.eas_status},
                                        {"ms", s.ms},
                                        {"ok", s.ok},
                                        {"note", s.note}});
  }
  boost::json::array unenforced;
  for (const auto& u : r.unenforceable) unenforced.emplace_back(u);
  boost::json::array items;
  for (const auto& i : r.screen.items) items.emplace_back(i);
  boost::json::object screen{{"error", r.screen.error},
                             {"category", std::string(phone::to_string(r.screen.what))},
                             {"title", r.screen.title},
                             {"message", r.screen.message},
                             {"footer", r.screen.footer},
                             {"items", std::move(items)},
                             {"text", r.screen.text()}};
  screen["code"] = r.screen.code ? boost::json::value(r.screen.code_text()) : boost::json::value(nullptr);
  return boost::json::object{
      {"profile", p.name},
      {"display_name", p.display_name},
      {"device_id", r.device_id},
      {"device_type", p.device_type},
      {"eas_url", r.eas_url},
      {"protocol_version", r.version ? boost::json::value(std::string(to_string(*r.version))) : boost::json::value(nullptr)},
      {"steps", std::move(steps)},
      {"outcome", boost::json::object{{"kind", std::string(phone::to_string(r.outcome.kind))}, {"status", r.outcome.status}}},
      {"screen", std::move(screen)},
      {"unenforceable", std::move(unenforced)},
      {"ack_status", r.ack_status},
      {"policy_key", r.policy_key},
      {"syncing", r.syncing},
      {"partial", r.partial},
      {"sent", r.sent},
      {"found", r.found ? boost::json::value(*r.found) : boost::json::value(nullptr)},
      {"user_action_failed", r.user_action_failed},
  };
}

void print_human(const phone::device_profile& p, const simulator::flow_result& r) {
  std::cout << p.name << " (" << p.display_name << "), device " << r.device_id;
  if (r.version) std::cout << ", EAS " << to_string(*r.version);
  std::cout << "\n\n";
  std::size_t width = 4;
  for (const auto& s : r.steps) width = std::max(width, s.name.size());
  std::cout << "  " << std::left << std::setw(static_cast<int>(width)) << "Step" << "  HTTP  EAS     ms  \n";
  for (const auto& s : r.steps) {
    std::cout << (s.ok ? "  " : "! ") << std::left << std::setw(static_cast<int>(width)) << s.name << "  " << std::right
              << std::setw(4) << dash_or(s.http_status) << "  " << std::setw(3) << dash_or(s.eas_status) << "  "
              << std::setw(5) << s.ms << "  " << s.note << '\n';
  }
  std::cout << "\nThe phone shows:\n";
  std::istringstream lines(r.screen.text());
  for (std::string line; std::getline(lines, line);) std::cout << "  " << line << '\n';
  std::cout << "\nNot enforced: ";
  if (r.unenforceable.empty()) std::cout << "none";
  for (std::size_t i = 0; i < r.unenforceable.size(); ++i) std::cout << (i ? ", " : "") << r.unenforceable[i];
  std::cout << "\nResult: "
            << (r.syncing ? (r.partial ? "syncs (policy partially applied)" : "syncs")
                          : std::string("does not sync (") + std::string(phone::to_string(r.outcome.kind)) + ")")
            << '\n';
  if (r.user_action_failed) std::cout << "The user's send or search did not go through (see the steps marked !)\n";
}

// JUnit XML (the Ant/Jenkins schema most CI systems read): one testcase per step, plus the outcome.
std::string junit_xml(const phone::device_profile& p, const simulator::flow_result& r) {
  const auto esc = [](const std::string& s) { return common::markup_escape(s); };
  std::int64_t total_ms = 0;
  int failures = 0;
  std::string cases;
  const auto seconds = [](std::int64_t ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms) / 1000.0);
    return std::string(buf);
  };
  const std::string cls = "easemu.device." + p.name;
  int n = 0;
  for (const auto& s : r.steps) {
    total_ms += s.ms;
    char index[16];
    std::snprintf(index, sizeof index, "%02d ", ++n);
    cases += "    <testcase classname=\"" + esc(cls) + "\" name=\"" + esc(index + s.name) + "\" time=\"" + seconds(s.ms) + "\">";
    if (!s.ok) {
      ++failures;
      cases += "<failure message=\"" + esc("HTTP " + dash_or(s.http_status) + ", EAS " + dash_or(s.eas_status) +
                                           (s.note.empty() ? "" : ": " + s.note)) + "\"/>";
    }
    cases += "<system-out>" + esc("HTTP " + dash_or(s.http_status) + " EAS " + dash_or(s.eas_status) + " " + s.note) +
             "</system-out></testcase>\n";
  }
  cases += "    <testcase classname=\"" + esc(cls) + "\" name=\"outcome\" time=\"0.000\">";
  if (!r.syncing) {
    ++failures;
    cases += "<failure message=\"" + esc(r.screen.title + ": " + r.screen.message +
                                         (r.screen.code ? " (Error code: " + r.screen.code_text() + ")" : "")) + "\"/>";
  }
  cases += "<system-out>" + esc(r.screen.text()) + "</system-out></testcase>\n";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"" + esc("easemu device " + p.name) +
         "\" tests=\"" + std::to_string(r.steps.size() + 1) + "\" failures=\"" + std::to_string(failures) +
         "\" errors=\"0\" time=\"" + seconds(total_ms) + "\">\n" + cases + "  </testsuite>\n</testsuites>\n";
}

int run(const device_cli& o) {
  std::string error;
  const auto profile = find_device_profile(o.profile, o.profiles_file, error);
  if (!profile) {
    std::cerr << "easemu device: " << error << '\n';
    return exit_usage;
  }
  if (o.server.empty() && !o.autodiscover) {
    std::cerr << "easemu device: give --server URL or --autodiscover\n";
    return exit_usage;
  }
  client::url_parts parts;
  if (!o.server.empty() && !client::parse_url(o.server, parts)) {
    std::cerr << "easemu device: '" << o.server << "' is not an https:// or http:// URL\n";
    return exit_usage;
  }
  const auto ca = read_ca_files(o.ca_files, error);
  if (!ca) {
    std::cerr << "easemu device: " << error << '\n';
    return exit_usage;
  }
  const auto resolve = parse_resolve(o.resolve, error);
  if (!resolve) {
    std::cerr << "easemu device: " << error << '\n';
    return exit_usage;
  }
  simulator::flow_options f;
  f.profile = *profile;
  f.server = o.server;
  f.user = o.user;
  f.password = o.password;
  f.device_id = o.device_id;
  f.extra_ca_pem = *ca;
  f.autodiscover = o.autodiscover;
  f.resolve = *resolve;
  f.ping_hold = std::chrono::seconds(o.ping_hold);
  if (!o.send_to.empty()) {
    simulator::outgoing_mail m;
    m.to = o.send_to;
    m.subject = o.subject.empty() ? "Sent from " + profile->display_name : o.subject;
    m.body = o.body;
    if (!o.attach.empty()) {
      auto content = read_input(o.attach, 10 << 20, error);
      if (!content) {
        std::cerr << "easemu device: " << error << '\n';
        return exit_usage;
      }
      m.attachment = std::move(*content);
      m.attachment_name = std::filesystem::path(o.attach).filename().string();
    }
    f.send = std::move(m);
  }
  f.search = o.search;
  const auto r = simulator::run_device_flow(f);
  if (o.json) {
    std::cout << boost::json::serialize(result_json(*profile, r)) << '\n';
  } else {
    print_human(*profile, r);
  }
  if (!o.junit.empty() && !write_output(o.junit, junit_xml(*profile, r), error)) {
    std::cerr << "easemu device: " << error << '\n';
    return exit_usage;
  }
  if (r.syncing) return r.user_action_failed ? exit_failed : exit_ok;
  return r.answered ? exit_failed : exit_usage;  // nothing answered at the address: 2
}

}  // namespace

void add_device_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("device", "Add an account on a simulated phone and show what the phone shows");
  auto o = std::make_shared<device_cli>();
  cmd->add_option("--server", o->server, "The server's HTTPS URL, e.g. https://mail.lab.test:8443");
  cmd->add_option("--user", o->user, "E-mail address of the mailbox")->envname("EASEMU_USER")->required();
  cmd->add_option("--password", o->password, "Its password")->envname("EASEMU_PASSWORD")->required();
  cmd->add_option("--profile", o->profile, "Device profile: wp7, wp75, wp8, wm65, ios, android, outlook-mobile, "
                                           "outlook-desktop, or one from --profiles-file")
      ->required();
  cmd->add_option("--profiles-file", o->profiles_file, "YAML file with more profiles (docs/device-profiles.md)")
      ->envname("EASEMU_PROFILES_FILE");
  cmd->add_option("--ca", o->ca_files, "A CA certificate installed on the phone: PEM, DER (.cer) or PKCS#7 (.p7b) (repeatable)");
  cmd->add_flag("--autodiscover", o->autodiscover,
                "Find the server by Autodiscover (https://<domain>, then autodiscover.<domain>, on --server's port)");
  cmd->add_option("--resolve", o->resolve, "HOST:ADDRESS, connect to ADDRESS for HOST as a hosts file would (repeatable)");
  cmd->add_option("--ping-hold", o->ping_hold, "Seconds a Ping may stay open (0: no Ping)")
      ->check(CLI::Range(0, 3600))->capture_default_str();
  cmd->add_option("--device-id", o->device_id, "DeviceId to use (default: a new one per run)");
  cmd->add_option("--send-to", o->send_to,
                  "Once syncing, send a message to this address (as a draft through Sync and email2:Send at 16.x on "
                  "ios and outlook-mobile, else with SendMail)");
  cmd->add_option("--subject", o->subject, "The message's subject (default: Sent from <the phone's name>)");
  cmd->add_option("--body", o->body, "The message's text")->capture_default_str();
  cmd->add_option("--attach", o->attach, "A file the message carries as an attachment");
  cmd->add_option("--search", o->search,
                  "Once syncing (and after --send-to), search the mailbox for this text (Find at 16.1 on ios and "
                  "outlook-mobile, else Search)");
  cmd->add_flag("--json", o->json, "Print one JSON document");
  cmd->add_option("--junit", o->junit, "Write a JUnit XML report to this file");
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace easemu::app
