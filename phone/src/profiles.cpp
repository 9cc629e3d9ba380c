#include "easemu/phone/profile.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <initializer_list>
#include <set>
#include <stdexcept>

#include "easemu/common/text.hpp"

namespace easemu::phone {

namespace {

using common::iequals;
using provisioning::setting;
using enum protocol_version;

// ---------------------------------------------------------------------------------------------
// Built-in profiles. The support lists are PROVISIONING.md 4.1/4.2 with the EASProvisionDoc
// element names of settings.def; docs/device-profiles.md explains every choice.

// One profile's support lists, element names separated by spaces.
struct support_lists {
  std::string_view enforced;
  std::string_view ignored;
  std::string_view cannot_enforce;
  support others;
};

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

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto start = text.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    text.remove_prefix(start);
    const auto end = text.find(' ');
    out.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end);
  }
  return out;
}

void apply(device_profile& p, const support_lists& lists) {
  p.others = lists.others;
  const std::pair<std::string_view, support> groups[] = {
      {lists.enforced, support::enforced}, {lists.ignored, support::ignored}, {lists.cannot_enforce, support::cannot_enforce}};
  for (const auto& [names, how] : groups) {
    for (const auto name : words(names)) {
      auto s = document_setting(name);
      // A broken built-in table is a programming error; phone_test catches it first.
      if (!s) throw std::logic_error("built-in profile " + p.name + ": " + s.error());
      if (!p.support_of.emplace(*s, how).second) {
        throw std::logic_error("built-in profile " + p.name + ": " + std::string(name) + " listed twice");
      }
    }
  }
}

// PROVISIONING.md 4.1: the 12 settings Microsoft lists for Windows Phone 7 (PasswordRequired,
// MinPasswordLength, IdleTimeoutFrequencyValue, DeviceWipeThreshold, AllowSimplePassword,
// PasswordExpiration, PasswordHistory, DisableRemovableStorage, DisableIrDA, DisableDesktopSync,
// BlockRemoteDesktop, BlockInternetSharing) as the elements they stand for.
constexpr std::string_view wp7_enforced =
    "DevicePasswordEnabled MinDevicePasswordLength MaxInactivityTimeDeviceLock MaxDevicePasswordFailedAttempts "
    "AllowSimpleDevicePassword DevicePasswordExpiration DevicePasswordHistory AllowStorageCard AllowIrDA "
    "AllowDesktopSync AllowRemoteDesktop AllowInternetSharing";

std::vector<device_profile> make_builtins() {
  std::vector<device_profile> out;

  {
    device_profile p;
    p.name = "wp7";
    p.display_name = "Windows Phone 7.0";
    // WP7 also talks to Exchange 2003 (2.5) and 2007 (12.x); 14.0 is its highest.
    p.versions = {v2_5, v12_0, v12_1, v14_0};
    p.device_type = "WP";
    p.user_agent = "MSFT-WP/7.0.7004";
    p.device_os = "Windows Phone7.0";
    p.model = "HD7 T9292";
    p.friendly_name = "Windows Phone";
    p.os_language = "English";
    p.mobile_operator = "Lab Mobile";
    p.device_information_in_settings = true;
    p.tls_min = p.tls_max = tls_version::v1_0;
    apply(p, {wp7_enforced, "", "", support::cannot_enforce});
    // PROVISIONING.md 2.5: WP7 acknowledges what it could apply and keeps using the temporary
    // key when Exchange 2010 answers without one, so its next command fails with 144.
    p.react = {partial_reaction::ack_partial, true, wipe_kind::full};
    p.style = error_style::windows_nexus;
    p.notes = "EX13 mobile-device-mailbox-policies help: only 12 settings; SURFACEHUB error codes";
    out.push_back(std::move(p));
  }
  {
    device_profile p = out.back();
    p.name = "wp75";
    p.display_name = "Windows Phone 7.5 (7.10)";
    // PROVISIONING.md 2.5: a WP 7.5 device logs protocolVersion 141 (tine20 issue #3626).
    p.versions = {v2_5, v12_0, v12_1, v14_0, v14_1};
    p.user_agent = "MSFT-WP/7.10.7720";
    p.device_os = "Windows Phone7.10.7720";
    p.model = "Lumia 800";
    p.device_information_in_provision = true;  // a 14.1 client must (status 165 otherwise)
    // No public list for 7.5 (PROVISIONING.md 4.1): WP7's twelve.
    p.notes = "WP7's list (Microsoft documents only WP7 and WP8); EAS 14.1 per tine20 #3626";
    out.push_back(std::move(p));
  }
  {
    device_profile p;
    p.name = "wp8";
    p.display_name = "Windows Phone 8";
    p.versions = {v2_5, v12_0, v12_1, v14_0, v14_1};
    p.device_type = "WP8";
    p.user_agent = "MSFT-WP/8.0.10211";
    p.device_os = "Windows Phone8.0.10211";
    p.model = "Lumia 920";
    p.friendly_name = "Windows Phone";
    p.os_language = "English";
    p.mobile_operator = "Lab Mobile";
    p.device_information_in_provision = true;
    p.device_information_in_settings = true;
    p.tls_min = tls_version::v1_0;
    p.tls_max = tls_version::v1_2;
    // PROVISIONING.md 4.1 (EX13 mobile-phone-and-tablet-features); DevicePasswordHistory is not
    // listed there but is part of the same password policy engine (4.2 "?": taken as enforced).
    apply(p, {"AllowSimpleDevicePassword AlphanumericDevicePasswordRequired DevicePasswordEnabled "
              "DevicePasswordExpiration DevicePasswordHistory MaxDevicePasswordFailedAttempts "
              "MaxInactivityTimeDeviceLock MinDevicePasswordComplexCharacters MinDevicePasswordLength "
              "RequireDeviceEncryption",
              "", "", support::cannot_enforce});
    p.react = {partial_reaction::ack_partial, true, wipe_kind::full};
    p.style = error_style::windows_nexus;
    p.notes = "EX13 mobile-phone-and-tablet-features help: WP8 list; same EAS stack and codes as WP7";
    out.push_back(std::move(p));
  }
  {
    device_profile p;
    p.name = "wm65";
    p.display_name = "Windows Mobile 6.5";
    p.versions = {v2_5, v12_0, v12_1};
    p.device_type = "PocketPC";
    p.user_agent = "MSFT-PPC/5.2.5082";
    p.device_os = "Windows CE 5.2.21234";
    p.model = "Touch Pro2";
    p.friendly_name = "Pocket PC";
    p.os_language = "English";
    p.mobile_operator = "Lab Mobile";
    p.base64_query = true;
    p.device_information_in_settings = true;
    p.tls_min = p.tls_max = tls_version::v1_0;
    // PROVISIONING.md 4.1: the 12.1 element set was designed for Windows Mobile 6.x.
    apply(p, {"", "", "", support::enforced});
    p.react = {partial_reaction::ack_partial, false, wipe_kind::full};
    p.style = error_style::windows_nexus;
    p.notes = "MS-ASPROV element descriptions (designed for Windows Mobile 6.x): supports all 12.1 elements";
    out.push_back(std::move(p));
  }
  {
    device_profile p;
    p.name = "ios";
    p.display_name = "iPhone (iOS Mail)";
    p.versions = {v2_5, v12_0, v12_1, v14_0, v14_1, v16_0, v16_1};
    p.device_type = "iPhone";
    p.user_agent = "Apple-iPhone14C2/2001.88";
    p.device_os = "iOS 16.0 20A362";
    p.model = "iPhone14C2";
    p.friendly_name = "iPhone";
    p.os_language = "en";
    p.mobile_operator = "Lab Mobile";
    p.device_information_in_provision = true;
    p.device_information_in_settings = true;
    // PROVISIONING.md 4.1/4.2: the password family works (Y* taken as Y); encryption is always
    // on in current hardware; PasswordRecoveryEnabled does not work. Features an iPhone does not
    // have are accepted (MS-ASPROV 3.1.5.1.1: what the client lacks counts as enforced), and so
    // is every "?" cell: iOS parses the whole document and reports it applied.
    apply(p, {"DevicePasswordEnabled MinDevicePasswordLength AlphanumericDevicePasswordRequired "
              "MinDevicePasswordComplexCharacters AllowSimpleDevicePassword MaxInactivityTimeDeviceLock "
              "MaxDevicePasswordFailedAttempts DevicePasswordExpiration DevicePasswordHistory RequireDeviceEncryption "
              "AllowCamera AllowBrowser",
              "", "PasswordRecoveryEnabled", support::ignored});
    p.react = {partial_reaction::ack_partial, false, wipe_kind::full};
    p.style = error_style::ios;
    p.notes = "sysadminlab.net iPhone OS 4 and EAS policies; joedj/ExchangePolicyCleaner; '?' taken as accepted";
    out.push_back(std::move(p));
  }
  {
    device_profile p;
    p.name = "android";
    p.display_name = "Android (stock AOSP Exchange client)";
    p.versions = {v2_5, v12_0, v12_1, v14_0, v14_1};
    p.device_type = "Android";
    p.user_agent = "Android/10-EAS-2.0";
    p.device_os = "Android 10";
    p.model = "Pixel 3";
    p.friendly_name = "Pixel 3";
    p.os_language = "English";
    p.mobile_operator = "Lab Mobile";
    // AOSP EasOperation/EasProvision: in Provision at 14.1, with Settings at 12.1/14.0.
    p.device_information_in_provision = true;
    p.device_information_in_settings = true;
    // PROVISIONING.md 4.1 (AOSP ProvisionParser.parseProvisionDocWbxml); the hardware-dependent
    // items (AllowCamera, RequireDeviceEncryption, RequireStorageCardEncryption) as on a phone
    // with DPM camera control, encryption and no removable storage.
    apply(p, {"DevicePasswordEnabled MinDevicePasswordLength AlphanumericDevicePasswordRequired "
              "MaxInactivityTimeDeviceLock MaxDevicePasswordFailedAttempts DevicePasswordExpiration "
              "DevicePasswordHistory MinDevicePasswordComplexCharacters AllowCamera RequireDeviceEncryption "
              "RequireStorageCardEncryption AttachmentsEnabled MaxAttachmentSize RequireManualSyncWhenRoaming "
              "MaxCalendarAgeFilter MaxEmailAgeFilter",
              "AllowSimpleDevicePassword PasswordRecoveryEnabled AllowDesktopSync "
              "AllowSMIMEEncryptionAlgorithmNegotiation AllowSMIMESoftCerts AllowRemoteDesktop",
              "", support::cannot_enforce});
    // PROVISIONING.md 2.4: applies the supported part and acknowledges Status 2; an ack reply
    // without a PolicyKey means provisioning failed.
    p.react = {partial_reaction::ack_partial, false, wipe_kind::full};
    p.style = error_style::android;
    p.notes = "AOSP adapter/ProvisionParser.java, eas/EasProvision.java (LineageOS android_packages_apps_Exchange)";
    out.push_back(std::move(p));
  }
  {
    device_profile p;
    p.name = "outlook-mobile";
    p.display_name = "Outlook for iOS and Android (simulation)";
    // Simulation only: the real app reaches on-premises Exchange through Microsoft's cloud.
    p.versions = {v16_0, v16_1};
    p.device_type = "Outlook";
    p.user_agent = "Outlook-iOS-Android/1.0";
    p.device_os = "Android 10";
    p.model = "Outlook for iOS and Android";
    p.friendly_name = "Outlook for iOS and Android";
    p.os_language = "en";
    p.mobile_operator = "";
    p.device_information_in_provision = true;
    // PROVISIONING.md 4.1 (secure-outlook-for-ios-and-android); the rest is accepted.
    apply(p, {"DevicePasswordEnabled MinDevicePasswordLength RequireDeviceEncryption AllowBluetooth", "", "",
              support::ignored});
    p.react = {partial_reaction::ack_partial, false, wipe_kind::account_only};
    p.style = error_style::outlook;
    p.notes = "EX13 secure-outlook-for-ios-and-android: four settings, account-only wipe; simulation only";
    out.push_back(std::move(p));
  }
  {
    device_profile p;
    p.name = "outlook-desktop";
    p.display_name = "Outlook desktop (EAS account)";
    p.versions = {v14_0, v14_1, v16_0, v16_1};
    p.device_type = "WindowsOutlook15";
    p.user_agent = "Outlook/15.0 (15.0.4420.1017; MSI; x86)";
    p.device_os = "Windows 10.0.19045";
    p.model = "Outlook for Windows";
    p.friendly_name = "Outlook";
    p.os_language = "English";
    // Never provisions, never sends a key: Exchange lets it in only with
    // AllowNonProvisionableDevices (PROVISIONING.md 2.1, first row).
    p.provisions = false;
    p.sends_policy_key = false;
    apply(p, {"", "", "", support::ignored});
    p.react = {partial_reaction::ack_ok_anyway, false, wipe_kind::none};
    p.style = error_style::outlook;
    p.notes = "a non-provisioning client (PROVISIONING.md 2.1)";
    out.push_back(std::move(p));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// YAML

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
    "trust_public_roots", "ca_files", "error_style", "notes"};

device_profile read_profile(const YAML::Node& node, const std::vector<device_profile>& earlier) {
  if (!node.IsMap()) fail(node.Mark(), "a profile is a mapping (name: ..., base: ...)");
  for (const auto& kv : node) {
    const auto key = kv.first.Scalar();
    if (std::none_of(std::begin(profile_keys), std::end(profile_keys), [&](const char* k) { return key == k; })) {
      std::string known;
      for (const char* k : profile_keys) known += std::string(known.empty() ? "" : ", ") + k;
      fail(kv.first.Mark(), "unknown key '" + key + "' (known: " + known + ")");
    }
  }
  if (!node["name"]) fail(node.Mark(), "a profile needs a 'name'");
  const auto name = scalar(node["name"], "name");
  if (name.empty() || name.find_first_of(" \t,") != std::string::npos) {
    fail(node["name"].Mark(), "name: '" + name + "' must be one word (letters, digits, '-', '.', '_')");
  }
  const std::string where = "profile " + name;

  device_profile p;
  if (const auto b = node["base"]) {
    const auto base = scalar(b, where + ".base");
    const device_profile* found = find_profile(base, earlier);
    if (found == nullptr) fail(b.Mark(), where + ".base: no profile named '" + base + "' (built-in or earlier in this file)");
    p = *found;
  } else {
    p.others = support::cannot_enforce;
    if (!node["versions"]) fail(node.Mark(), where + ": 'versions' is required without a 'base'");
    if (!node["device_type"]) fail(node.Mark(), where + ": 'device_type' is required without a 'base'");
  }
  p.name = name;
  p.display_name = name;
  p.notes.clear();

  const std::pair<const char*, std::string device_profile::*> strings[] = {
      {"display_name", &device_profile::display_name}, {"device_type", &device_profile::device_type},
      {"user_agent", &device_profile::user_agent},     {"device_os", &device_profile::device_os},
      {"model", &device_profile::model},               {"friendly_name", &device_profile::friendly_name},
      {"os_language", &device_profile::os_language},   {"mobile_operator", &device_profile::mobile_operator},
      {"notes", &device_profile::notes}};
  for (const auto& [key, member] : strings) {
    if (const auto n = node[key]) p.*member = scalar(n, where + "." + key);
  }
  if (p.display_name.empty()) p.display_name = name;

  const std::pair<const char*, bool device_profile::*> flags[] = {
      {"base64_query", &device_profile::base64_query},
      {"device_information_in_provision", &device_profile::device_information_in_provision},
      {"device_information_in_settings", &device_profile::device_information_in_settings},
      {"provisions", &device_profile::provisions},
      {"sends_policy_key", &device_profile::sends_policy_key}};
  for (const auto& [key, member] : flags) {
    if (const auto n = node[key]) p.*member = boolean(n, where + "." + key);
  }

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

  // Support lists override the base's entries one setting at a time.
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
  if (const auto n = node["on_unenforceable"]) {
    p.react.on_unenforceable = named(n, where + ".on_unenforceable",
                                     {partial_reaction::ack_partial, partial_reaction::ack_ok_anyway, partial_reaction::refuse});
  }
  if (const auto n = node["keeps_temporary_key"]) p.react.keeps_temporary_key = boolean(n, where + ".keeps_temporary_key");
  if (const auto n = node["wipe"]) {
    p.react.wipe = named(n, where + ".wipe", {wipe_kind::none, wipe_kind::full, wipe_kind::account_only});
  }
  if (const auto n = node["trust_public_roots"]) p.trust.public_roots = boolean(n, where + ".trust_public_roots");
  if (const auto n = node["ca_files"]) {
    p.trust.ca_files.clear();
    for (const auto& [text, mark] : list(n, where + ".ca_files")) p.trust.ca_files.push_back(text);
  }
  if (const auto n = node["error_style"]) {
    p.style = named(n, where + ".error_style",
                    {error_style::windows_nexus, error_style::android, error_style::ios, error_style::outlook,
                     error_style::generic});
  }
  return p;
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

std::span<const device_profile> builtin_profiles() {
  static const std::vector<device_profile> profiles = make_builtins();
  return profiles;
}

const device_profile* find_profile(std::string_view name, std::span<const device_profile> extra) {
  for (const auto& p : extra) {
    if (iequals(p.name, name)) return &p;
  }
  for (const auto& p : builtin_profiles()) {
    if (iequals(p.name, name)) return &p;
  }
  return nullptr;
}

common::result<std::vector<device_profile>, std::string> load_profiles(const std::string& yaml_text) {
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
      auto p = read_profile(node, out);
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

}  // namespace easemu::phone
