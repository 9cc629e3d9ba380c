#include "easemu/phone/profile.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <initializer_list>
#include <set>
#include <stdexcept>

#include "easemu/common/text.hpp"
#include "embedded_profiles.hpp"

namespace easemu::phone {

namespace {

using common::iequals;
using provisioning::setting;

const device_profile* find_profile_in(std::string_view name, std::span<const device_profile> profiles) {
  for (const auto& p : profiles) {
    if (iequals(p.name, name)) return &p;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// YAML: users' files and the built-in profiles (phone/profiles/*.yaml) alike

// A sent (document) setting by element name or 2013+ alias; the error says why not.
common::result<setting, std::string> document_setting(std::string_view name) {
  const auto* s = provisioning::find_setting(name);
  if (s == nullptr) {
    return "unknown policy setting '" + std::string(name) +
           "' (use EASProvisionDoc element names such as MaxInactivityTimeDeviceLock or AllowCamera)";
  }
  if (!s->sent()) {
    return "'" + std::string(s->name) + "' is an Exchange-only setting that is never sent to a phone";
  }
  return s->id;
}


struct load_error {
  std::string message;
};

[[noreturn]] void fail(const YAML::Mark& mark, const std::string& what) {
  if (mark.line >= 0) throw load_error{"line " + std::to_string(mark.line + 1) + ": " + what};
  throw load_error{what};
}

std::string scalar(const YAML::Node& n, const std::string& where) {
  if (!n.IsScalar()) fail(n.Mark(), where + ": expected a single value");
  return n.Scalar();
}

bool boolean(const YAML::Node& n, const std::string& where) {
  const auto s = scalar(n, where);
  if (iequals(s, "true") || iequals(s, "yes")) return true;
  if (iequals(s, "false") || iequals(s, "no")) return false;
  fail(n.Mark(), where + ": '" + s + "' is not true or false");
}

std::vector<std::pair<std::string, YAML::Mark>> list(const YAML::Node& n, const std::string& where) {
  if (!n.IsSequence()) fail(n.Mark(), where + ": expected a list such as [a, b]");
  std::vector<std::pair<std::string, YAML::Mark>> out;
  for (const auto& item : n) out.emplace_back(scalar(item, where), item.Mark());
  return out;
}

template <class E>
E named(const YAML::Node& n, const std::string& where, std::initializer_list<E> values) {
  const auto s = scalar(n, where);
  std::string known;
  for (const auto v : values) {
    if (iequals(s, to_string(v))) return v;
    known += (known.empty() ? "" : ", ") + std::string(to_string(v));
  }
  fail(n.Mark(), where + ": '" + s + "' is not one of " + known);
}

constexpr const char* profile_keys[] = {
    "name", "base", "display_name", "versions", "device_type", "user_agent", "device_os", "model",
    "friendly_name", "os_language", "mobile_operator", "base64_query", "device_information_in_provision",
    "device_information_in_settings", "tls_min", "tls_max", "provisions", "sends_policy_key", "enforces",
    "ignores", "cannot_enforce", "others", "on_unenforceable", "keeps_temporary_key", "wipe",
    "trust_public_roots", "trust_roots", "trust_roots_missing", "ca_files", "error_style", "screens", "searches_with",
    "sends_with", "notes"};

// Profiles a `base:` may name: those earlier in the same file first, then `known` (the built-ins
// for users' files; the built-ins loaded so far while the built-ins load).
struct bases {
  const std::vector<device_profile>& earlier;
  std::span<const device_profile> known;

  const device_profile* find(std::string_view name) const {
    const auto* p = find_profile_in(name, earlier);
    return p != nullptr ? p : find_profile_in(name, known);
  }
};

void check_keys(const YAML::Node& node) {
  for (const auto& kv : node) {
    const auto key = kv.first.Scalar();
    if (std::none_of(std::begin(profile_keys), std::end(profile_keys), [&](const char* k) { return key == k; })) {
      std::string known;
      for (const char* k : profile_keys) known += std::string(known.empty() ? "" : ", ") + k;
      fail(kv.first.Mark(), "unknown key '" + key + "' (known: " + known + ")");
    }
  }
}

// What a profile starts from: a copy of its base, or the defaults.
device_profile start_from(const YAML::Node& node, const std::string& where, const bases& b) {
  device_profile p;
  if (const auto n = node["base"]) {
    const auto base = scalar(n, where + ".base");
    const device_profile* found = b.find(base);
    if (found == nullptr) fail(n.Mark(), where + ".base: no profile named '" + base + "' (built-in or earlier in this file)");
    p = *found;
  } else {
    p.others = support::cannot_enforce;
    if (!node["versions"]) fail(node.Mark(), where + ": 'versions' is required without a 'base'");
    if (!node["device_type"]) fail(node.Mark(), where + ": 'device_type' is required without a 'base'");
  }
  return p;
}

void read_identity(const YAML::Node& node, const std::string& where, device_profile& p) {
  const std::pair<const char*, std::string device_profile::*> strings[] = {
      {"display_name", &device_profile::display_name}, {"device_type", &device_profile::device_type},
      {"user_agent", &device_profile::user_agent},     {"device_os", &device_profile::device_os},
      {"model", &device_profile::model},               {"friendly_name", &device_profile::friendly_name},
      {"os_language", &device_profile::os_language},   {"mobile_operator", &device_profile::mobile_operator},
      {"notes", &device_profile::notes}};
  for (const auto& [key, member] : strings) {
    if (const auto n = node[key]) p.*member = scalar(n, where + "." + key);
  }
  if (p.display_name.empty()) p.display_name = p.name;
  const std::pair<const char*, bool device_profile::*> flags[] = {
      {"base64_query", &device_profile::base64_query},
      {"device_information_in_provision", &device_profile::device_information_in_provision},
      {"device_information_in_settings", &device_profile::device_information_in_settings},
      {"provisions", &device_profile::provisions},
      {"sends_policy_key", &device_profile::sends_policy_key}};
  for (const auto& [key, member] : flags) {
    if (const auto n = node[key]) p.*member = boolean(n, where + "." + key);
  }
}

void read_versions(const YAML::Node& node, const std::string& where, device_profile& p) {
  if (const auto n = node["versions"]) {
    p.versions.clear();
    for (const auto& [text, mark] : list(n, where + ".versions")) {
      const auto v = parse_protocol_version(text);
      if (!v) fail(mark, where + ".versions: '" + text + "' is not an EAS version (2.5, 12.0, 12.1, 14.0, 14.1, 16.0, 16.1)");
      p.versions.push_back(*v);
    }
    std::sort(p.versions.begin(), p.versions.end());
    p.versions.erase(std::unique(p.versions.begin(), p.versions.end()), p.versions.end());
    if (p.versions.empty()) fail(n.Mark(), where + ".versions: list at least one version");
  }
  const auto tls = [&](const char* key, tls_version& out) {
    if (const auto n = node[key]) {
      const auto text = scalar(n, where + "." + key);
      const auto v = parse_tls_version(text);
      if (!v) fail(n.Mark(), where + "." + key + ": '" + text + "' is not 1.0, 1.1, 1.2 or 1.3");
      out = *v;
    }
  };
  tls("tls_min", p.tls_min);
  tls("tls_max", p.tls_max);
  if (p.tls_min > p.tls_max) {
    fail((node["tls_min"] ? node["tls_min"] : node).Mark(),
         where + ": tls_min " + std::string(to_string(p.tls_min)) + " is above tls_max " + std::string(to_string(p.tls_max)));
  }
}

// Support lists override the base's entries one setting at a time.
void read_support(const YAML::Node& node, const std::string& where, device_profile& p) {
  std::set<setting> listed;
  const std::pair<const char*, support> groups[] = {
      {"enforces", support::enforced}, {"ignores", support::ignored}, {"cannot_enforce", support::cannot_enforce}};
  for (const auto& [key, how] : groups) {
    const auto n = node[key];
    if (!n) continue;
    for (const auto& [text, mark] : list(n, where + "." + key)) {
      auto s = document_setting(text);
      if (!s) fail(mark, where + "." + key + ": " + s.error());
      if (!listed.insert(*s).second) {
        fail(mark, where + "." + key + ": " + std::string(provisioning::info(*s).name) + " is listed twice");
      }
      p.support_of[*s] = how;
    }
  }
  if (const auto n = node["others"]) {
    p.others = named(n, where + ".others", {support::enforced, support::ignored, support::cannot_enforce});
  }
}

void read_reactions(const YAML::Node& node, const std::string& where, device_profile& p) {
  if (const auto n = node["on_unenforceable"]) {
    p.react.on_unenforceable = named(n, where + ".on_unenforceable",
                                     {partial_reaction::ack_partial, partial_reaction::ack_ok_anyway, partial_reaction::refuse});
  }
  if (const auto n = node["keeps_temporary_key"]) p.react.keeps_temporary_key = boolean(n, where + ".keeps_temporary_key");
  if (const auto n = node["wipe"]) {
    p.react.wipe = named(n, where + ".wipe", {wipe_kind::none, wipe_kind::full, wipe_kind::account_only});
  }
  if (const auto n = node["trust_public_roots"]) p.trust.public_roots = boolean(n, where + ".trust_public_roots");
  if (const auto n = node["trust_roots"]) {
    p.trust.roots.clear();
    for (const auto& [text, mark] : list(n, where + ".trust_roots")) p.trust.roots.push_back(text);
  }
  if (const auto n = node["trust_roots_missing"]) {
    p.trust.roots_missing.clear();
    for (const auto& [text, mark] : list(n, where + ".trust_roots_missing")) p.trust.roots_missing.push_back(text);
  }
  if (const auto n = node["ca_files"]) {
    p.trust.ca_files.clear();
    for (const auto& [text, mark] : list(n, where + ".ca_files")) p.trust.ca_files.push_back(text);
  }
  if (const auto n = node["error_style"]) {
    p.style = named(n, where + ".error_style",
                    {error_style::windows_nexus, error_style::android, error_style::ios, error_style::outlook,
                     error_style::generic});
  }
  if (const auto n = node["searches_with"]) {
    p.searches_with = named(n, where + ".searches_with", {search_command::search, search_command::find});
  }
  if (const auto n = node["sends_with"]) p.sends_with = named(n, where + ".sends_with", {send_path::send_mail, send_path::drafts});
}

void read_screens(const YAML::Node& node, const std::string& where, device_profile& p) {
  const auto n = node["screens"];
  if (!n) return;
  if (!n.IsMap()) fail(n.Mark(), where + ".screens: expected a mapping such as policy: {title: ..., message: ...}");
  for (const auto& kv : n) {
    const auto key = kv.first.Scalar();
    const std::string at = where + ".screens." + key;
    if (!kv.second.IsMap()) fail(kv.second.Mark(), at + ": expected a mapping with title, message, footer");
    screen_text t;
    for (const auto& field : kv.second) {
      const auto name = field.first.Scalar();
      if (name == "title") t.title = scalar(field.second, at + ".title");
      else if (name == "message") t.message = scalar(field.second, at + ".message");
      else if (name == "footer") t.footer = scalar(field.second, at + ".footer");
      else fail(field.first.Mark(), at + ": unknown key '" + name + "' (known: title, message, footer)");
    }
    p.screens[key] = std::move(t);
  }
}

device_profile read_profile(const YAML::Node& node, const bases& b) {
  if (!node.IsMap()) fail(node.Mark(), "a profile is a mapping (name: ..., base: ...)");
  check_keys(node);
  if (!node["name"]) fail(node.Mark(), "a profile needs a 'name'");
  const auto name = scalar(node["name"], "name");
  if (name.empty() || name.find_first_of(" \t,") != std::string::npos) {
    fail(node["name"].Mark(), "name: '" + name + "' must be one word (letters, digits, '-', '.', '_')");
  }
  const std::string where = "profile " + name;
  device_profile p = start_from(node, where, b);
  p.name = name;
  p.display_name = name;
  p.notes.clear();
  read_identity(node, where, p);
  read_versions(node, where, p);
  read_support(node, where, p);
  read_reactions(node, where, p);
  read_screens(node, where, p);
  return p;
}

// The profiles of one YAML text; `known` are the profiles a `base:` may name besides those
// earlier in the text.
common::result<std::vector<device_profile>, std::string> load(const std::string& yaml_text,
                                                              std::span<const device_profile> known) {
  std::vector<device_profile> out;
  try {
    YAML::Node root;
    try {
      root = YAML::Load(yaml_text);
    } catch (const YAML::ParserException& e) {
      fail(e.mark, e.msg);
    }
    if (root.IsNull()) return out;
    YAML::Node items = root;
    if (root.IsMap()) {
      for (const auto& kv : root) {
        if (kv.first.Scalar() != "profiles") fail(kv.first.Mark(), "unknown key '" + kv.first.Scalar() + "' (known: profiles)");
      }
      items = root["profiles"];
      if (!items || items.IsNull()) return out;
    }
    if (!items.IsSequence()) fail(items.Mark(), "profiles: expected a list of profiles");
    for (const auto& node : items) {
      auto p = read_profile(node, bases{out, known});
      if (std::any_of(out.begin(), out.end(), [&](const device_profile& q) { return iequals(q.name, p.name); })) {
        fail(node["name"].Mark(), "profile " + p.name + " is defined twice");
      }
      out.push_back(std::move(p));
    }
  } catch (const load_error& e) {
    return e.message;
  } catch (const YAML::Exception& e) {
    return e.mark.line >= 0 ? "line " + std::to_string(e.mark.line + 1) + ": " + e.msg : e.msg;
  }
  return out;
}

// The built-ins, file by file in their order; each file holds one profile named as the file, and
// may take an earlier built-in as its base. A broken file is a programming error:
// BuiltinProfiles.EveryEmbeddedFileLoads names it first.
std::vector<device_profile> load_builtins() {
  std::vector<device_profile> out;
  for (const auto& source : builtin_profile_sources()) {
    const std::string file(source.file);
    auto loaded = load(std::string(source.yaml), out);
    if (!loaded) throw std::logic_error("built-in profile " + file + ": " + loaded.error());
    if (loaded->size() != 1 || loaded->front().name + ".yaml" != file) {
      throw std::logic_error("built-in profile " + file + ": must hold exactly one profile, named as the file");
    }
    if (find_profile_in(loaded->front().name, out) != nullptr) {
      throw std::logic_error("built-in profile " + file + ": the name is taken");
    }
    out.push_back(std::move(loaded->front()));
  }
  return out;
}

}  // namespace

std::string_view to_string(tls_version v) {
  switch (v) {
    case tls_version::v1_0: return "1.0";
    case tls_version::v1_1: return "1.1";
    case tls_version::v1_2: return "1.2";
    case tls_version::v1_3: return "1.3";
  }
  return "?";
}

std::optional<tls_version> parse_tls_version(std::string_view text) {
  for (auto v : {tls_version::v1_0, tls_version::v1_1, tls_version::v1_2, tls_version::v1_3}) {
    if (to_string(v) == text) return v;
  }
  return std::nullopt;
}

std::string_view to_string(support s) {
  switch (s) {
    case support::enforced: return "enforced";
    case support::ignored: return "ignored";
    case support::cannot_enforce: return "cannot_enforce";
  }
  return "?";
}

std::string_view to_string(partial_reaction r) {
  switch (r) {
    case partial_reaction::ack_partial: return "ack_partial";
    case partial_reaction::ack_ok_anyway: return "ack_ok_anyway";
    case partial_reaction::refuse: return "refuse";
  }
  return "?";
}

std::string_view to_string(wipe_kind w) {
  switch (w) {
    case wipe_kind::none: return "none";
    case wipe_kind::full: return "full";
    case wipe_kind::account_only: return "account_only";
  }
  return "?";
}

std::string_view to_string(error_style s) {
  switch (s) {
    case error_style::windows_nexus: return "windows_nexus";
    case error_style::android: return "android";
    case error_style::ios: return "ios";
    case error_style::outlook: return "outlook";
    case error_style::generic: return "generic";
  }
  return "?";
}

std::string_view to_string(search_command s) { return s == search_command::find ? "find" : "search"; }

std::string_view to_string(send_path s) { return s == send_path::drafts ? "drafts" : "send_mail"; }

support support_for(const device_profile& p, setting s) {
  const auto it = p.support_of.find(s);
  return it != p.support_of.end() ? it->second : p.others;
}

std::optional<protocol_version> pick_version(const device_profile& p, std::string_view server_versions_header) {
  std::optional<protocol_version> best;
  while (!server_versions_header.empty()) {
    const auto comma = server_versions_header.find(',');
    auto item = server_versions_header.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    // Versions this code base does not know (2.0, 2.1) are simply not common ones.
    if (const auto v = parse_protocol_version(item);
        v && std::find(p.versions.begin(), p.versions.end(), *v) != p.versions.end() && (!best || *v > *best)) {
      best = v;
    }
    if (comma == std::string_view::npos) break;
    server_versions_header.remove_prefix(comma + 1);
  }
  return best;
}

bool sends_device_information_in_provision(const device_profile& p, protocol_version v) {
  return p.provisions && p.device_information_in_provision && v >= protocol_version::v14_1;
}

bool sends_device_information_in_settings(const device_profile& p, protocol_version v) {
  // Settings DeviceInformation exists from 12.0 (there is no Settings command in 2.5).
  return p.device_information_in_settings && v >= protocol_version::v12_0 && v < protocol_version::v14_1;
}

bool tls_compatible(const device_profile& p, tls_version server_min, tls_version server_max) {
  return p.tls_min <= server_max && server_min <= p.tls_max;
}

std::span<const builtin_profile_source> builtin_profile_sources() {
  static const std::vector<builtin_profile_source> sources = [] {
    std::vector<builtin_profile_source> out;
    for (std::size_t i = 0; i < detail::embedded_profile_count; ++i) {
      const auto& f = detail::embedded_profiles[i];
      out.push_back({f.file, std::string_view(reinterpret_cast<const char*>(f.data), f.size)});
    }
    return out;
  }();
  return sources;
}

std::span<const device_profile> builtin_profiles() {
  static const std::vector<device_profile> profiles = load_builtins();
  return profiles;
}

const device_profile* find_profile(std::string_view name, std::span<const device_profile> extra) {
  if (const auto* p = find_profile_in(name, extra)) return p;
  return find_profile_in(name, builtin_profiles());
}

common::result<std::vector<device_profile>, std::string> load_profiles(const std::string& yaml_text) {
  return load(yaml_text, builtin_profiles());
}

}  // namespace easemu::phone
