// easemu policy check: offline, which settings of a mobile device mailbox policy a phone cannot
// enforce and what the phone will show against Exchange, from a YAML file or cmdlet text.
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>

#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "easemu/admin/cmdlet_parser.hpp"
#include "easemu/common/text.hpp"
#include "easemu/provisioning/document.hpp"
#include "easemu/provisioning/policy.hpp"
#include "easemu/provisioning/provision.hpp"
#include "easemu/server/exchange_profile.hpp"
#include "easemu/simulator/phone/enforcement.hpp"
#include "easemu/simulator/phone/presentation.hpp"
#include "easemu/simulator/phone/profile.hpp"
#include "io.hpp"

namespace easemu::app {

namespace phone = simulator::phone;
namespace prov = provisioning;

namespace {

phone::outcome outcome_of(phone::outcome_kind kind, int status = 0) {
  phone::outcome o;
  o.kind = kind;
  o.status = status;
  return o;
}

// Back to what a new policy has (New-ActiveSyncMailboxPolicy's permissive value).
void relax(prov::policy& p, prov::setting s) {
  static const prov::policy fresh;
  p.set(s, fresh.get(s));
}

bool applies_fully(const phone::device_profile& profile, const prov::policy& p, protocol_version v) {
  return phone::check_policy(profile, p, v).fully_applied();
}

// The settings a bisection may relax: those the phone receives and that ask for more than the default.
std::vector<prov::setting> requirements(const prov::policy& p) {
  std::vector<prov::setting> out;
  for (const auto& s : prov::all_settings()) {
    if (s.sent() && p.is_requirement(s.id)) out.push_back(s.id);
  }
  return out;
}

}  // namespace

std::vector<std::string> bisect_policy(const phone::device_profile& profile, const prov::policy& p, protocol_version v) {
  if (applies_fully(profile, p, v)) return {};
  const auto candidates = requirements(p);
  const auto names = [](const std::vector<prov::setting>& set) {
    std::vector<std::string> out;
    for (const auto s : set) out.emplace_back(prov::info(s).name);
    return out;
  };
  // Smallest first: every subset of size k, k = 1, 2, ...; each test is one offline enforce().
  constexpr std::size_t budget = 20'000;
  std::size_t tested = 0;
  const std::size_t n = candidates.size();
  for (std::size_t k = 1; k <= n && tested < budget; ++k) {
    std::vector<std::size_t> idx(k);
    for (std::size_t i = 0; i < k; ++i) idx[i] = i;
    for (;;) {
      prov::policy q = p;
      std::vector<prov::setting> set;
      for (const auto i : idx) {
        relax(q, candidates[i]);
        set.push_back(candidates[i]);
      }
      if (applies_fully(profile, q, v)) return names(set);
      if (++tested >= budget) break;
      // Next combination in lexicographic order.
      std::size_t i = k;
      while (i > 0 && idx[i - 1] == n - k + i - 1) --i;
      if (i == 0) break;
      ++idx[i - 1];
      for (std::size_t j = i; j < k; ++j) idx[j] = idx[j - 1] + 1;
    }
  }
  // Greedy: relax everything, then put back each setting that the phone can live with.
  prov::policy q = p;
  for (const auto s : candidates) relax(q, s);
  if (!applies_fully(profile, q, v)) return phone::check_policy(profile, p, v).unenforceable_names();
  std::vector<prov::setting> removed;
  for (const auto s : candidates) {
    prov::policy back = q;
    back.set(s, p.get(s));
    if (applies_fully(profile, back, v)) {
      q = back;
    } else {
      removed.push_back(s);
    }
  }
  return names(removed);
}

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

std::string value_text(const admin::cmdlet_value& v) {
  using kind = admin::cmdlet_value::kind;
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
  auto calls = admin::parse_cmdlets(text);
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
          (param.value.type == admin::cmdlet_value::kind::list || param.value.type == admin::cmdlet_value::kind::null)) {
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

// What happens after the acknowledgement, by the rules of PROVISIONING.md 2.1, 2.2 and 2.5 (the
// same the server follows), so the phone's screen can be predicted without a server.
struct prediction {
  phone::outcome outcome;
  bool syncs = false;
  bool partial = false;
  std::string why;
};

prediction predict(const phone::device_profile& profile, const prov::policy& p, protocol_version v,
                   const prov::exchange_rules& rules, const phone::enforcement& e) {
  prediction r;
  const bool anp = p.flag(prov::setting::AllowNonProvisionableDevices);
  const bool body_status = v >= protocol_version::v14_0;  // below 14.0 statuses travel as HTTP (1.8)
  const auto refused = [&](int status, int http) {
    r.outcome = body_status ? outcome_of(phone::outcome_kind::eas_status, status)
                            : outcome_of(phone::outcome_kind::http_status, http);
  };
  if (!profile.provisions) {
    if (anp) {
      r.syncs = true;
      r.why = "never provisions; AllowNonProvisionableDevices $true lets it in";
    } else {
      refused(141, 403);
      r.why = "never provisions and AllowNonProvisionableDevices is $false: 141";
    }
    return r;
  }
  if (!anp && !prov::unsupported_settings(p, v).empty()) {
    refused(139, 403);
    r.why = "EAS " + std::string(to_string(v)) + " cannot carry every setting and ANP is $false: 139";
    return r;
  }
  if (e.ack_status == 1) {
    r.syncs = true;
    r.partial = !e.fully_applied();
    r.why = e.fully_applied() ? "applies the whole policy" : "acknowledges 1 although it cannot enforce everything";
    return r;
  }
  if (anp && e.ack_status == 2) {
    r.syncs = true;
    r.partial = true;
    r.why = "partial acknowledgement accepted (AllowNonProvisionableDevices $true): PartiallyApplied";
    return r;
  }
  if (e.ack_status == 2 && rules.partial_ack_is_139) {
    refused(139, 403);
    r.why = "Exchange 2013 and later refuse a partial acknowledgement without ANP: 139";
    return r;
  }
  // Exchange 2010 (or an ack of 3): the reply carries no PolicyKey.
  if (profile.react.keeps_temporary_key && e.ack_status == 2) {
    refused(144, 449);
    r.why = "no PolicyKey in the reply; the phone keeps the temporary key and gets 144";
  } else {
    r.outcome = outcome_of(phone::outcome_kind::policies_unsupported);
    r.why = "no PolicyKey in the reply: the phone gives up";
  }
  return r;
}

int run(const policy_cli& o) {
  std::string error;
  const auto profile = find_device_profile(o.profile, o.profiles_file, error);
  if (!profile) {
    std::cerr << "easemu policy check: " << error << '\n';
    return exit_usage;
  }
  common::result<prov::policy, std::string> policy = std::string();
  if (!o.policy_file.empty()) {
    auto text = read_input(o.policy_file, 4 << 20, error);
    if (!text) {
      std::cerr << "easemu policy check: " << error << '\n';
      return exit_usage;
    }
    policy = policy_from_yaml(*text, o.policy_file);
  } else {
    policy = policy_from_cmdlets(o.exchange);
  }
  if (!policy) {
    std::cerr << "easemu policy check: " << policy.error() << '\n';
    return exit_usage;
  }
  const auto* exchange = server::find_exchange_profile(o.exchange_version);
  if (exchange == nullptr) {
    std::cerr << "easemu policy check: unknown --exchange-version '" << o.exchange_version
              << "' (2010SP1, 2013, 2016, 2019, online)\n";
    return exit_usage;
  }
  std::optional<protocol_version> version;
  if (!o.protocol.empty()) {
    version = parse_protocol_version(o.protocol);
    if (!version) {
      std::cerr << "easemu policy check: unknown --protocol-version '" << o.protocol << "'\n";
      return exit_usage;
    }
  } else {
    std::string offered;
    for (const auto v : server::advertised_versions(*exchange)) offered += (offered.empty() ? "" : ",") + std::string(to_string(v));
    version = phone::pick_version(*profile, offered);
    if (!version) {
      std::cerr << "easemu policy check: " << profile->name << " and Exchange " << o.exchange_version
                << " have no protocol version in common\n";
      return exit_failed;
    }
  }
  const auto e = phone::check_policy(*profile, *policy, *version);
  const auto rules = prov::rules_for(o.exchange_version);
  auto guess = predict(*profile, *policy, *version, rules, e);
  guess.outcome.server = "The server";
  guess.outcome.unenforceable = e.unenforceable_names();
  if (guess.syncs) guess.outcome.kind = phone::outcome_kind::success;
  const auto screen = phone::present(*profile, guess.outcome);
  const auto smallest = guess.syncs ? std::vector<std::string>() : bisect_policy(*profile, *policy, *version);
  const auto unenforceable = e.unenforceable_names();

  if (o.json) {
    boost::json::array settings;
    for (const auto& el : e.elements) {
      if (!el.requiring) continue;
      settings.push_back(boost::json::object{{"name", std::string(el.name)},
                                             {"value", el.text},
                                             {"support", std::string(phone::to_string(el.verdict))},
                                             {"unenforceable", el.unenforceable()}});
    }
    boost::json::array un, fix;
    for (const auto& u : unenforceable) un.emplace_back(u);
    for (const auto& s : smallest) fix.emplace_back(s);
    boost::json::object out{{"profile", profile->name},
                            {"exchange_version", o.exchange_version},
                            {"protocol_version", std::string(to_string(*version))},
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
  } else {
    std::cout << profile->name << " (" << profile->display_name << ") against Exchange " << o.exchange_version
              << ", EAS " << to_string(*version) << "\n\nRequired by the policy:\n";
    bool any = false;
    for (const auto& el : e.elements) {
      if (!el.requiring) continue;
      any = true;
      std::cout << "  " << (el.unenforceable() ? "cannot enforce  " : std::string(phone::to_string(el.verdict)) + std::string(16 - std::min<std::size_t>(16, phone::to_string(el.verdict).size()), ' '))
                << el.name << " = " << el.text << '\n';
    }
    if (!any) std::cout << "  nothing beyond the defaults\n";
    std::cout << "\nAcknowledgement Status " << e.ack_status << "; " << guess.why << "\n\nThe phone shows:\n";
    std::istringstream lines(screen.text());
    for (std::string line; std::getline(lines, line);) std::cout << "  " << line << '\n';
    if (!smallest.empty()) {
      std::cout << "\nSmallest change that lets it apply the policy: relax";
      for (const auto& s : smallest) std::cout << ' ' << s;
      std::cout << " (or set AllowNonProvisionableDevices $true)\n";
    }
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
