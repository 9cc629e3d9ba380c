#pragma once
// Device profiles: what a simulated phone is (the strings it sends, the protocol and TLS versions
// it speaks, which policy settings it can enforce, how it reacts and how it shows errors), as
// data. The built-in profiles follow PROVISIONING.md 2.4 and 4; docs/device-profiles.md gives the
// reasons. The built-in profiles are YAML files too (phone/profiles/<name>.yaml, embedded at build
// time and read by load_profiles' loader); users add their own (load_profiles) without
// rebuilding. Pure: no I/O.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "easemu/common/protocol_version.hpp"
#include "easemu/common/result.hpp"
#include "easemu/provisioning/policy.hpp"

namespace easemu::phone {

enum class tls_version : std::uint8_t { v1_0 = 10, v1_1 = 11, v1_2 = 12, v1_3 = 13 };
std::string_view to_string(tls_version v);  // "1.0" ... "1.3"
std::optional<tls_version> parse_tls_version(std::string_view text);

// What a phone does with one EASProvisionDoc setting when the policy requires it
// (PROVISIONING.md 4.2: Y, I, N).
enum class support : std::uint8_t {
  enforced,        // applies it
  ignored,         // accepts it without applying it, and still counts it as applied
  cannot_enforce,  // cannot apply it: the policy is only partly applied
};
std::string_view to_string(support s);  // "enforced", "ignored", "cannot_enforce"

// What a phone acknowledges when some required setting cannot be enforced.
enum class partial_reaction : std::uint8_t {
  ack_partial,    // applies what it can and acknowledges Status 2 (AOSP, PROVISIONING.md 2.4)
  ack_ok_anyway,  // acknowledges Status 1 as if everything had been applied
  refuse,         // applies nothing and acknowledges Status 3 (MS-ASPROV 2.2.2.54.1)
};
std::string_view to_string(partial_reaction r);

enum class wipe_kind : std::uint8_t { none, full, account_only };
std::string_view to_string(wipe_kind w);

// How the phone reports a failure to the person holding it (presentation.hpp).
enum class error_style : std::uint8_t { windows_nexus, android, ios, outlook, generic };
std::string_view to_string(error_style s);

// How the phone searches the server's mailbox when its user searches (`easemu device --search`):
// with Find at 16.1 (MS-ASCMD 2.2.1.2, the 16.1 clients' search), else with Search and Store
// Mailbox (2.2.1.16; mailbox search from 12.0).
enum class search_command : std::uint8_t { search, find };
std::string_view to_string(search_command s);  // "search", "find"

// How the phone sends a message its user writes (`easemu device --send-to`): as a draft written
// through Sync into Drafts and sent with email2:Send at 16.0 and later (MS-ASCMD 2.2.3.7.2,
// MS-ASEMAIL 2.2.2.69), else with SendMail (MS-ASCMD 2.2.1.17).
enum class send_path : std::uint8_t { send_mail, drafts };
std::string_view to_string(send_path s);  // "send_mail", "drafts"

// The system CA bundle that "trusts the public roots" stands for.
inline constexpr std::string_view public_ca_bundle = "/etc/ssl/certs/ca-certificates.crt";

struct trust_store {
  bool public_roots = true;            // the built-in public set (public_ca_bundle)
  // When not empty, only the roots of the public set with these subjects (RFC 2253 text, as
  // `openssl x509 -subject -nameopt RFC2253` prints it): the device's own root list.
  std::vector<std::string> roots;
  // Roots the device had that the public set no longer holds (a note: they cannot be trusted).
  std::vector<std::string> roots_missing;
  std::vector<std::string> ca_files;   // CA certificates the user installed (PEM files)

  bool operator==(const trust_store&) const = default;
};

// One screen's words, as the device shows them (presentation.hpp fills {server}, {detail} and
// {seconds}). An empty field keeps what a less specific entry, or the style, says.
struct screen_text {
  std::string title;
  std::string message;
  std::string footer;  // under the message: WP's "Last tried xx seconds ago"

  bool operator==(const screen_text&) const = default;
};

struct reactions {
  partial_reaction on_unenforceable = partial_reaction::ack_partial;
  // When the reply to its acknowledgement carries no PolicyKey, it keeps sending the temporary
  // key of the download (WP7, PROVISIONING.md 2.5); otherwise it sends none (AOSP: failure).
  bool keeps_temporary_key = false;
  wipe_kind wipe = wipe_kind::full;

  bool operator==(const reactions&) const = default;
};

struct device_profile {
  std::string name;          // "wp7": what --profile takes
  std::string display_name;  // "Windows Phone 7.0"
  std::vector<protocol_version> versions;  // offered, ascending
  // The request's query values and headers (MS-ASHTTP 2.2.1.1), and the DeviceInformation it
  // sends (MS-ASPROV 2.2.2.53, MS-ASCMD Settings).
  std::string device_type;
  std::string user_agent;
  std::string device_os;
  std::string model;
  std::string friendly_name;
  std::string os_language;
  std::string mobile_operator;
  bool base64_query = false;  // MS-ASHTTP 2.2.1.1.1.1
  bool device_information_in_provision = false;  // at 14.1 and later
  bool device_information_in_settings = false;   // below 14.1, once provisioned
  tls_version tls_min = tls_version::v1_2;
  tls_version tls_max = tls_version::v1_3;
  bool provisions = true;         // false: never sends Provision (Outlook desktop)
  bool sends_policy_key = true;   // false: never sends X-MS-PolicyKey
  // Per-setting support; settings not listed get `others`.
  std::map<provisioning::setting, support> support_of;
  support others = support::cannot_enforce;
  reactions react;
  trust_store trust;
  error_style style = error_style::generic;
  search_command searches_with = search_command::search;
  send_path sends_with = send_path::send_mail;
  // The device's own texts, keyed from general to specific: "error" (any error), a category
  // ("policy", "certificate", ...), an outcome kind ("certificate_untrusted"), "status_<n>" (an
  // EAS status) or "http_<n>". A profile with a base replaces the base's entries key by key.
  std::map<std::string, screen_text> screens;
  std::string notes;  // where the profile's facts come from, one line

  bool operator==(const device_profile&) const = default;
};

// The profile's support for one setting.
support support_for(const device_profile& p, provisioning::setting s);

// The version the phone uses: the highest one it offers that the server lists in
// the OPTIONS response's MS-ASProtocolVersions header (MS-ASHTTP 2.2.2.1.2, "2.0,2.1,2.5,12.0,...");
// nullopt when none.
std::optional<protocol_version> pick_version(const device_profile& p, std::string_view server_versions_header);

// Whether the phone sends settings:DeviceInformation in Provision (only 14.1 and later carry
// it, MS-ASPROV 2.2.2.53) or in a Settings command (below 14.1).
bool sends_device_information_in_provision(const device_profile& p, protocol_version v);
bool sends_device_information_in_settings(const device_profile& p, protocol_version v);

// Whether a handshake can succeed against a server accepting [server_min, server_max].
bool tls_compatible(const device_profile& p, tls_version server_min, tls_version server_max = tls_version::v1_3);

// wp7, wp75, wp8, wm65, ios, android, outlook-mobile, outlook-desktop.
std::span<const device_profile> builtin_profiles();

// The YAML text each built-in profile is loaded from, in the order of builtin_profiles().
struct builtin_profile_source {
  std::string_view file;  // "wp7.yaml"
  std::string_view yaml;
};
std::span<const builtin_profile_source> builtin_profile_sources();

// By name (ASCII case-insensitive): `extra` (user profiles) first, so a user profile may replace
// a built-in one, then the built-ins; nullptr when unknown.
const device_profile* find_profile(std::string_view name, std::span<const device_profile> extra = {});

// User profiles from YAML text:
//   profiles:
//     - name: wp7-lab
//       base: wp7                      # inherit a built-in or an earlier profile, then override
//       user_agent: MSFT-WP/7.0.7392
//       enforces: [AllowCamera]        # EASProvisionDoc element names (or 2013+ aliases)
//       cannot_enforce: [AllowBluetooth]
// A top-level list of profiles is accepted too. Errors name the line ("line 7: ...").
common::result<std::vector<device_profile>, std::string> load_profiles(const std::string& yaml_text);

}  // namespace easemu::phone
