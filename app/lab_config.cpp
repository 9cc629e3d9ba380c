#include "lab_config.hpp"

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <cctype>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "easemu/provisioning/policy.hpp"
#include "easemu/server/exchange_profile.hpp"
#include "easemu/server/faults.hpp"
#include "tls_modes.hpp"

namespace easemu::app {

namespace {

[[noreturn]] void fail(const std::string& file, const YAML::Mark& mark, const std::string& what) {
  std::ostringstream s;
  s << file;
  if (mark.line >= 0) s << ":" << mark.line + 1 << ":" << mark.column + 1;
  s << ": " << what;
  throw config_error(s.str());
}

std::string scalar(const std::string& file, const YAML::Node& n, const std::string& where) {
  if (!n.IsScalar()) fail(file, n.Mark(), where + ": expected a single value");
  return n.Scalar();
}

void check_keys(const std::string& file, const YAML::Node& map, const std::string& where,
                std::initializer_list<const char*> allowed) {
  if (!map.IsMap()) fail(file, map.Mark(), where + ": expected a mapping");
  for (const auto& kv : map) {
    const auto key = kv.first.Scalar();
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
      std::string list;
      for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
      fail(file, kv.first.Mark(), where + ": unknown key '" + key + "' (known: " + list + ")");
    }
  }
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A fault rule written in YAML as the JSON the admin API takes. Plain scalars become numbers and
// booleans where they read as such, except below `match:`, where every value is a name
// (protocol_version: 14.1 stays "14.1").
boost::json::value yaml_to_json(const YAML::Node& n, bool names) {
  if (n.IsMap()) {
    boost::json::object o;
    for (const auto& kv : n) {
      const auto key = kv.first.Scalar();
      o[key] = yaml_to_json(kv.second, names || key == "match");
    }
    return o;
  }
  if (n.IsSequence()) {
    boost::json::array a;
    for (const auto& item : n) a.push_back(yaml_to_json(item, names));
    return a;
  }
  if (n.IsNull()) return nullptr;
  const auto& text = n.Scalar();
  if (names || n.Tag() == "!") return boost::json::value(text);  // "!": a quoted scalar
  if (text == "true" || text == "True") return true;
  if (text == "false" || text == "False") return false;
  boost::system::error_code ec;
  auto number = boost::json::parse(text, ec);
  if (!ec && number.is_number()) return number;
  return boost::json::value(text);
}

// lab: the domain and host names, the Exchange version and the EAS versions it advertises.
void parse_lab_section(const std::string& file, const YAML::Node& l, lab_config& lab) {
  check_keys(file, l, "lab", {"domain", "hostname", "netbios_domain", "exchange_version", "protocol_versions"});
  if (l["domain"]) lab.domain = lower(scalar(file, l["domain"], "lab.domain"));
  if (l["hostname"]) lab.hostname = lower(scalar(file, l["hostname"], "lab.hostname"));
  if (l["netbios_domain"]) lab.netbios_domain = scalar(file, l["netbios_domain"], "lab.netbios_domain");
  if (const auto v = l["exchange_version"]) {
    lab.exchange_version = scalar(file, v, "lab.exchange_version");
    if (server::find_exchange_profile(lab.exchange_version) == nullptr) {
      fail(file, v.Mark(), "lab.exchange_version: '" + lab.exchange_version +
                               "' is not one of 2010SP1, 2013, 2016, 2019, online");
    }
  }
  if (const auto pv = l["protocol_versions"]) {
    if (!pv.IsSequence()) fail(file, pv.Mark(), "lab.protocol_versions: expected a list such as [\"14.0\", \"14.1\"]");
    for (const auto& item : pv) {
      const auto s = scalar(file, item, "lab.protocol_versions");
      const auto v = parse_protocol_version(s);
      if (!v) fail(file, item.Mark(), "lab.protocol_versions: '" + s + "' is not an EAS version (2.5, 12.0, 12.1, 14.0, 14.1, 16.0, 16.1)");
      lab.protocol_versions.push_back(*v);
    }
    std::sort(lab.protocol_versions.begin(), lab.protocol_versions.end());
  }
}

// tls: the certificate mode, the lowest TLS version, the files of mode provided (relative to the
// lab file) and extra names.
tls_config parse_tls_section(const std::string& file, const YAML::Node& t) {
  check_keys(file, t, "tls", {"mode", "min_version", "cert", "key", "san"});
  tls_config tls;
  if (const auto m = t["mode"]) {
    tls.mode = scalar(file, m, "tls.mode");
    if (!parse_tls_mode(tls.mode)) {
      std::string names;
      for (auto mode : all_tls_modes) names += std::string(names.empty() ? "" : ", ") + std::string(to_string(mode));
      fail(file, m.Mark(), "tls.mode: '" + tls.mode + "' is not one of " + names);
    }
  }
  if (const auto v = t["min_version"]) {
    tls.min_version = scalar(file, v, "tls.min_version");
    if (tls.min_version != "1.0" && tls.min_version != "1.1" && tls.min_version != "1.2" && tls.min_version != "1.3") {
      fail(file, v.Mark(), "tls.min_version: '" + tls.min_version + "' is not 1.0, 1.1, 1.2 or 1.3 (quote it in YAML)");
    }
  }
  const auto base = std::filesystem::path(file).parent_path();
  auto path_of = [&](const char* key) {
    const auto value = scalar(file, t[key], std::string("tls.") + key);
    const std::filesystem::path p(value);
    return (p.is_relative() && !base.empty() ? base / p : p).string();
  };
  if (t["cert"]) tls.cert = path_of("cert");
  if (t["key"]) tls.key = path_of("key");
  if (tls.mode == "provided" && (tls.cert.empty() || tls.key.empty())) {
    fail(file, t.Mark(), "tls: mode provided needs 'cert' and 'key'");
  }
  if (const auto san = t["san"]) {
    if (!san.IsSequence()) fail(file, san.Mark(), "tls.san: expected a list of names and IP addresses");
    for (const auto& item : san) tls.san.push_back(scalar(file, item, "tls.san"));
  }
  return tls;
}

std::vector<mailbox_config> parse_mailboxes(const std::string& file, const YAML::Node& m) {
  if (!m.IsSequence()) fail(file, m.Mark(), "mailboxes: expected a list");
  std::vector<mailbox_config> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < m.size(); ++i) {
    const auto where = "mailboxes[" + std::to_string(i) + "]";
    const auto& node = m[i];
    check_keys(file, node, where, {"address", "password", "display_name", "policy"});
    mailbox_config mb;
    if (!node["address"]) fail(file, node.Mark(), where + ": 'address' is required");
    mb.address = lower(scalar(file, node["address"], where + ".address"));
    const auto at = mb.address.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == mb.address.size()) {
      fail(file, node["address"].Mark(), where + ".address: '" + mb.address + "' is not an e-mail address");
    }
    if (!seen.insert(mb.address).second) {
      fail(file, node["address"].Mark(), where + ".address: '" + mb.address + "' is defined twice");
    }
    if (!node["password"]) fail(file, node.Mark(), where + ": 'password' is required");
    mb.password = scalar(file, node["password"], where + ".password");
    if (node["display_name"]) mb.display_name = scalar(file, node["display_name"], where + ".display_name");
    if (node["policy"]) mb.policy = scalar(file, node["policy"], where + ".policy");
    out.push_back(std::move(mb));
  }
  return out;
}

// One policy: Exchange parameters, each checked as New-ActiveSyncMailboxPolicy would take it.
policy_config parse_policy(const std::string& file, const YAML::Node& node, const std::string& where) {
  if (!node.IsMap()) fail(file, node.Mark(), where + ": expected a mapping of Exchange parameters");
  policy_config pc;
  provisioning::policy checker;
  for (const auto& kv : node) {
    const auto key = kv.first.Scalar();
    std::string value;
    if (kv.second.IsSequence()) {
      for (const auto& item : kv.second) value += (value.empty() ? "" : ",") + scalar(file, item, where + "." + key);
    } else if (kv.second.IsNull()) {
      value = "$null";
    } else {
      value = scalar(file, kv.second, where + "." + key);
    }
    if (value.find_first_of("\t\r\n") != std::string::npos) {
      fail(file, kv.second.Mark(), where + "." + key + ": values are single lines");
    }
    if (key == "Name") pc.name = value;
    if (const auto error = checker.set_parameter(key, value); !error.empty()) {
      fail(file, kv.first.Mark(), where + "." + key + ": " + error);
    }
    pc.parameters.emplace_back(key, value);
  }
  if (pc.name.empty()) fail(file, node.Mark(), where + ": 'Name' is required");
  return pc;
}

std::vector<policy_config> parse_policies(const std::string& file, const YAML::Node& p) {
  if (!p.IsSequence()) fail(file, p.Mark(), "policies: expected a list");
  std::vector<policy_config> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const auto where = "policies[" + std::to_string(i) + "]";
    auto pc = parse_policy(file, p[i], where);
    if (!seen.insert(lower(pc.name)).second) fail(file, p[i].Mark(), where + ": policy '" + pc.name + "' is defined twice");
    out.push_back(std::move(pc));
  }
  return out;
}

// faults: each rule as the JSON POST /api/v1/faults takes, validated as the admin API does.
std::vector<std::string> parse_faults(const std::string& file, const YAML::Node& f) {
  if (!f.IsSequence()) fail(file, f.Mark(), "faults: expected a list of rules ({match, action, probability, count})");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const auto& node = f[i];
    if (!node.IsMap()) fail(file, node.Mark(), "faults[" + std::to_string(i) + "]: expected a mapping");
    const auto text = boost::json::serialize(yaml_to_json(node, false));
    const auto parsed = server::parse_fault_rule(text);
    if (!parsed.rule) fail(file, node.Mark(), "faults[" + std::to_string(i) + "]: " + parsed.error);
    out.push_back(text);
  }
  return out;
}

}  // namespace

lab_config parse_lab_yaml(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    fail(file, e.mark, e.msg);
  }
  lab_config lab;
  if (root.IsNull()) return lab;
  check_keys(file, root, "lab file", {"lab", "tls", "mailboxes", "policies", "exchange_commands", "faults"});
  if (const auto l = root["lab"]) parse_lab_section(file, l, lab);
  if (lab.domain.empty() || lab.domain.find('.') == std::string::npos) {
    fail(file, root["lab"] ? root["lab"]["domain"].Mark() : YAML::Mark::null_mark(),
         "lab.domain: '" + lab.domain + "' is not a DNS domain");
  }
  if (const auto t = root["tls"]) lab.tls = parse_tls_section(file, t);
  if (const auto m = root["mailboxes"]) lab.mailboxes = parse_mailboxes(file, m);
  if (const auto p = root["policies"]) lab.policies = parse_policies(file, p);
  if (const auto c = root["exchange_commands"]) lab.exchange_commands = scalar(file, c, "exchange_commands");
  if (const auto f = root["faults"]) lab.faults = parse_faults(file, f);
  return lab;
}

lab_config load_lab_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config_error(path + ": cannot be read");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return parse_lab_yaml(text, path);
}

void complete_lab(lab_config& lab) {
  if (lab.hostname.empty()) lab.hostname = "mail." + lab.domain;
  if (lab.netbios_domain.empty()) {
    lab.netbios_domain = lab.domain.substr(0, lab.domain.find('.'));
    for (auto& c : lab.netbios_domain) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (lab.mailboxes.empty() && lab.policies.empty()) {
    // The demo lab's policies for the two classic experiments (assigned with Set-CASMailbox):
    // "WP7" configures exactly the twelve settings Microsoft lists as Windows Phone 7's
    // (PROVISIONING.md 4.1), so a WP7 syncs with it; "Strict" requires device encryption without
    // AllowNonProvisionableDevices, which a WP7 answers with 86000C2B (PROVISIONING.md 2.5).
    lab.policies.push_back(policy_config{
        "WP7",
        {{"Name", "WP7"}, {"DevicePasswordEnabled", "$true"}, {"MinDevicePasswordLength", "4"},
         {"MaxInactivityTimeDeviceLock", "00:15:00"}, {"MaxDevicePasswordFailedAttempts", "8"},
         {"AllowSimpleDevicePassword", "$false"}, {"DevicePasswordExpiration", "90.00:00:00"},
         {"DevicePasswordHistory", "5"}, {"AllowStorageCard", "$false"}, {"AllowIrDA", "$false"},
         {"AllowDesktopSync", "$false"}, {"AllowRemoteDesktop", "$false"}, {"AllowInternetSharing", "$false"},
         {"AllowNonProvisionableDevices", "$false"}}});
    lab.policies.push_back(policy_config{"Strict",
                                         {{"Name", "Strict"},
                                          {"DevicePasswordEnabled", "$true"},
                                          {"RequireDeviceEncryption", "$true"},
                                          {"AllowNonProvisionableDevices", "$false"}}});
  }
  if (lab.mailboxes.empty()) {
    for (const char* user : {"alice", "bob"}) {
      mailbox_config mb;
      mb.address = std::string(user) + "@" + lab.domain;
      mb.password = "Passw0rd";
      mb.display_name = std::string(1, static_cast<char>(std::toupper(user[0]))) + (user + 1) + " Lab";
      lab.mailboxes.push_back(std::move(mb));
    }
  }
  // Every lab has Exchange's built-in policy "Default" unless the file names its own default.
  const auto is_default = [](const policy_config& p) {
    for (const auto& [k, v] : p.parameters) {
      if ((k == "IsDefault" || k == "IsDefaultPolicy") && (v == "$true" || v == "true" || v == "True")) return true;
    }
    return false;
  };
  const bool has_default = std::any_of(lab.policies.begin(), lab.policies.end(), is_default);
  const bool has_named_default = std::any_of(lab.policies.begin(), lab.policies.end(),
                                             [](const policy_config& p) { return lower(p.name) == "default"; });
  if (!has_default && !has_named_default) {
    // Exchange's built-in policy: permissive, and AllowNonProvisionableDevices so that clients
    // that never provision still sync.
    lab.policies.insert(lab.policies.begin(),
                        policy_config{"Default", {{"Name", "Default"}, {"AllowNonProvisionableDevices", "$true"}, {"IsDefault", "$true"}}});
  }
  if (lab.protocol_versions.empty()) {
    lab.protocol_versions = server::advertised_versions(*server::find_exchange_profile(lab.exchange_version));
  }
}

}  // namespace easemu::app
