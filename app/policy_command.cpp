// easemu policy check: offline, which settings of a mobile device mailbox policy a phone cannot
// enforce and what the phone will show against Exchange, from a YAML file or cmdlet text.
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "easemu/shell/cmdlet_parser.hpp"
#include "easemu/common/text.hpp"
#include "easemu/provisioning/document.hpp"
#include "easemu/provisioning/policy.hpp"
#include "easemu/provisioning/provision.hpp"
#include "easemu/server/exchange_profile.hpp"
#include "easemu/phone/enforcement.hpp"
#include "easemu/phone/policy_check.hpp"
#include "easemu/phone/presentation.hpp"
#include "easemu/phone/profile.hpp"
#include "io.hpp"

namespace easemu::app {

namespace prov = provisioning;

namespace {

struct policy_cli {
  std::string profile;
  std::string profiles_file;
  std::string policy_file;
  std::string exchange;
  std::string exchange_version = "2010SP1";
  std::string protocol;
  bool json = false;
};

// A YAML mapping of Exchange parameters (Name: X, RequireDeviceEncryption: $true), or a lab file
// with `policies:` (then `name` picks one; the only one, or the first, otherwise).
common::result<prov::policy, std::string> policy_from_yaml(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return file + ": " + e.what();
  }
  YAML::Node node = root;
  if (root.IsMap() && root["policies"]) {
    const auto list = root["policies"];
    if (!list.IsSequence() || list.size() == 0) return file + ": policies: expected a non-empty list";
    node = list[0];
  }
  if (!node.IsMap()) return file + ": expected a mapping of Exchange parameters (RequireDeviceEncryption: $true ...)";
  prov::policy p;
  for (const auto& kv : node) {
    const auto key = kv.first.Scalar();
    std::string error;
    if (kv.second.IsSequence()) {
      std::vector<std::string> items;
      for (const auto& i : kv.second) items.push_back(i.Scalar());
      error = p.set_parameter(key, items);
    } else {
      error = p.set_parameter(key, kv.second.IsNull() ? std::string("$null") : kv.second.Scalar());
    }
    if (!error.empty()) return file + ":" + std::to_string(kv.first.Mark().line + 1) + ": " + key + ": " + error;
  }
  return p;
}

std::string value_text(const shell::cmdlet_value& v) {
  using kind = shell::cmdlet_value::kind;
  switch (v.type) {
    case kind::text: return v.text;
    case kind::boolean: return v.flag ? "$true" : "$false";
    case kind::null: return "$null";
    case kind::present: return "$true";
    case kind::list: {
      std::string out;
      for (const auto& i : v.items) out += (out.empty() ? "" : ",") + value_text(i);
      return out;
    }
    case kind::hashtable: break;
  }
  return {};
}

// New-/Set-ActiveSyncMailboxPolicy (and the MobileDevice twins) lines, applied in order, as the
// server's shell does (server/src/exchange_shell.cpp).
common::result<prov::policy, std::string> policy_from_cmdlets(const std::string& text) {
  auto calls = shell::parse_cmdlets(text);
  if (!calls) {
    return "line " + std::to_string(calls.error().line) + ", column " + std::to_string(calls.error().column) + ": " +
           calls.error().message;
  }
  prov::policy p;
  bool any = false;
  for (const auto& call : *calls) {
    const bool is_new = common::iequals(call.name, "New-ActiveSyncMailboxPolicy") ||
                        common::iequals(call.name, "New-MobileDeviceMailboxPolicy");
    const bool is_set = common::iequals(call.name, "Set-ActiveSyncMailboxPolicy") ||
                        common::iequals(call.name, "Set-MobileDeviceMailboxPolicy");
    if (!is_new && !is_set) return "'" + call.name + "' is not a policy cmdlet (New-/Set-ActiveSyncMailboxPolicy)";
    // PROVISIONING.md 2.3: New-MobileDeviceMailboxPolicy (2013+) defaults ANP to $true.
    if (common::iequals(call.name, "New-MobileDeviceMailboxPolicy")) {
      p.set(prov::setting::AllowNonProvisionableDevices, {1, {}});
    }
    any = true;
    for (const auto& param : call.parameters) {
      if (common::iequals(param.name, "Identity") || common::iequals(param.name, "WhatIf") ||
          common::iequals(param.name, "Confirm")) {
        continue;
      }
      const auto* s = prov::find_setting(param.name);
      std::string error;
      if (s != nullptr && (s->kind == prov::setting_kind::name_list || s->kind == prov::setting_kind::hash_list) &&
          (param.value.type == shell::cmdlet_value::kind::list || param.value.type == shell::cmdlet_value::kind::null)) {
        std::vector<std::string> items;
        for (const auto& i : param.value.items) items.push_back(value_text(i));
        error = p.set_parameter(param.name, items);
      } else {
        error = p.set_parameter(param.name, value_text(param.value));
      }
      if (!error.empty()) return "line " + std::to_string(param.line) + ": " + error;
    }
    if (!call.positional.empty() && p.name.empty()) p.name = value_text(call.positional.front());
  }
  if (!any) return std::string("no New-ActiveSyncMailboxPolicy line");
  return p;
}

// The policy of --policy-file (YAML) or --exchange (cmdlet lines); nullopt after printing why.
std::optional<prov::policy> read_policy(const policy_cli& o) {
  common::result<prov::policy, std::string> policy = std::string();
  if (!o.policy_file.empty()) {
    std::string error;
    auto text = read_input(o.policy_file, 4 << 20, error);
    if (!text) {
      std::cerr << "easemu policy check: " << error << '\n';
      return std::nullopt;
    }
    policy = policy_from_yaml(*text, o.policy_file);
  } else {
    policy = policy_from_cmdlets(o.exchange);
  }
  if (!policy) {
    std::cerr << "easemu policy check: " << policy.error() << '\n';
    return std::nullopt;
  }
  return *policy;
}

// --protocol-version, else what the phone picks from what the Exchange version advertises;
// nullopt after printing why, with the exit code in `status`.
std::optional<protocol_version> check_version(const policy_cli& o, const phone::device_profile& profile, int& status) {
  status = exit_usage;
  const auto* exchange = server::find_exchange_profile(o.exchange_version);
  if (exchange == nullptr) {
    std::cerr << "easemu policy check: unknown --exchange-version '" << o.exchange_version
              << "' (2010SP1, 2013, 2016, 2019, online)\n";
    return std::nullopt;
  }
  if (!o.protocol.empty()) {
    const auto version = parse_protocol_version(o.protocol);
    if (!version) std::cerr << "easemu policy check: unknown --protocol-version '" << o.protocol << "'\n";
    return version;
  }
  std::string offered;
  for (const auto v : server::advertised_versions(*exchange)) offered += (offered.empty() ? "" : ",") + std::string(to_string(v));
  const auto version = phone::pick_version(profile, offered);
  if (!version) {
    std::cerr << "easemu policy check: " << profile.name << " and Exchange " << o.exchange_version
              << " have no protocol version in common\n";
    status = exit_failed;
  }
  return version;
}

void print_json(const policy_cli& o, const phone::device_profile& profile, protocol_version version,
                const phone::policy_prediction& guess, const std::vector<std::string>& smallest) {
  const auto& e = guess.enforced;
  const auto& screen = guess.shown;
  boost::json::array settings;
  for (const auto& el : e.elements) {
    if (!el.requiring) continue;
    settings.push_back(boost::json::object{{"name", std::string(el.name)},
                                           {"value", el.text},
                                           {"support", std::string(phone::to_string(el.verdict))},
                                           {"unenforceable", el.unenforceable()}});
  }
  boost::json::array un, fix;
  for (const auto& u : guess.unenforceable) un.emplace_back(u);
  for (const auto& s : smallest) fix.emplace_back(s);
  boost::json::object out{{"profile", profile.name},
                          {"exchange_version", o.exchange_version},
                          {"protocol_version", std::string(to_string(version))},
                          {"requirements", std::move(settings)},
                          {"unenforceable", std::move(un)},
                          {"ack_status", e.ack_status},
                          {"syncs", guess.syncs},
                          {"partial", guess.partial},
                          {"why", guess.why},
                          {"screen", screen.text()},
                          {"code", screen.code ? boost::json::value(screen.code_text()) : boost::json::value(nullptr)},
                          {"smallest_fix", std::move(fix)}};
  std::cout << boost::json::serialize(out) << '\n';
}

void print_text(const policy_cli& o, const phone::device_profile& profile, protocol_version version,
                const phone::policy_prediction& guess, const std::vector<std::string>& smallest) {
  const auto& e = guess.enforced;
  std::cout << profile.name << " (" << profile.display_name << ") against Exchange " << o.exchange_version
            << ", EAS " << to_string(version) << "\n\nRequired by the policy:\n";
  bool any = false;
  for (const auto& el : e.elements) {
    if (!el.requiring) continue;
    any = true;
    std::cout << "  " << (el.unenforceable() ? "cannot enforce  " : std::string(phone::to_string(el.verdict)) + std::string(16 - std::min<std::size_t>(16, phone::to_string(el.verdict).size()), ' '))
              << el.name << " = " << el.text << '\n';
  }
  if (!any) std::cout << "  nothing beyond the defaults\n";
  std::cout << "\nAcknowledgement Status " << e.ack_status << "; " << guess.why << "\n\nThe phone shows:\n";
  std::istringstream lines(guess.shown.text());
  for (std::string line; std::getline(lines, line);) std::cout << "  " << line << '\n';
  if (!smallest.empty()) {
    std::cout << "\nSmallest change that lets it apply the policy: relax";
    for (const auto& s : smallest) std::cout << ' ' << s;
    std::cout << " (or set AllowNonProvisionableDevices $true)\n";
  }
}

int run(const policy_cli& o) {
  std::string error;
  const auto profile = find_device_profile(o.profile, o.profiles_file, error);
  if (!profile) {
    std::cerr << "easemu policy check: " << error << '\n';
    return exit_usage;
  }
  const auto policy = read_policy(o);
  if (!policy) return exit_usage;
  int status = exit_ok;
  const auto version = check_version(o, *profile, status);
  if (!version) return status;
  const auto guess = phone::predict_policy(*profile, *policy, *version, prov::rules_for(o.exchange_version), "The server");
  const auto smallest = guess.syncs ? std::vector<std::string>() : phone::bisect_policy(*profile, *policy, *version);
  if (o.json) {
    print_json(o, *profile, *version, guess, smallest);
  } else {
    print_text(o, *profile, *version, guess, smallest);
  }
  return guess.syncs ? exit_ok : exit_failed;
}

}  // namespace

void add_policy_command(CLI::App& app, int& exit_code) {
  auto* policy = app.add_subcommand("policy", "Mobile device mailbox policies, offline");
  policy->require_subcommand(1);
  auto* cmd = policy->add_subcommand("check", "Which settings a phone cannot enforce, and what it will show");
  auto o = std::make_shared<policy_cli>();
  cmd->add_option("--profile", o->profile, "Device profile (wp7, wm65, ios, android, ...)")->required();
  cmd->add_option("--profiles-file", o->profiles_file, "YAML file with more profiles")->envname("EASEMU_PROFILES_FILE");
  auto* file = cmd->add_option("--policy", o->policy_file,
                               "YAML: Exchange parameters (Name: X, RequireDeviceEncryption: $true), or a lab file's first policy");
  auto* shell = cmd->add_option("--exchange", o->exchange, "New-ActiveSyncMailboxPolicy ... line(s)");
  file->excludes(shell);
  shell->excludes(file);
  cmd->add_option("--exchange-version", o->exchange_version, "Whose rules: 2010SP1, 2013, 2016, 2019, online")
      ->capture_default_str();
  cmd->add_option("--protocol-version", o->protocol, "EAS version (default: what the phone picks from that Exchange)");
  cmd->add_flag("--json", o->json, "Print one JSON document");
  cmd->callback([o, &exit_code] {
    if (o->policy_file.empty() && o->exchange.empty()) {
      std::cerr << "easemu policy check: give --policy FILE or --exchange 'New-ActiveSyncMailboxPolicy ...'\n";
      exit_code = exit_usage;
      return;
    }
    exit_code = run(*o);
  });
}

}  // namespace easemu::app
