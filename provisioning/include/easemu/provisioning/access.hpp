#pragma once
// Allow/Block/Quarantine (ABQ) as Exchange 2010 SP1 and later decide it (PROVISIONING.md 5.1), and
// what a device in each access state may do. Pure (STYLE.md): the caller gathers the device's
// identity, the mailbox's lists, the organization's rules and default, gets a decision back, records
// DeviceAccessState / DeviceAccessStateReason / DeviceAccessControlRule, sends the notice mails and
// shapes the HTTP answer from command_answer.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "easemu/common/protocol_version.hpp"
#include "easemu/common/result.hpp"
#include "easemu/eas/command.hpp"

namespace easemu::provisioning {

// Exchange's enumerations (PROVISIONING.md 5.1, "Enums"); to_string gives Exchange's spelling,
// which is also what Get-ActiveSyncDevice shows and what the -Filter compares against.
enum class device_access_level : std::uint8_t { allow, block, quarantine };
enum class device_access_state : std::uint8_t { unknown, allowed, blocked, quarantined, device_discovery };
// The 2010 set; the 2013+ auto-block reasons are not modelled (see decide_access).
enum class device_access_state_reason : std::uint8_t { unknown, global, individual, device_rule, upgrade, policy };
enum class device_access_characteristic : std::uint8_t {
  device_type,
  device_model,
  device_os,
  user_agent,
  xmswl_header,
};

std::string_view to_string(device_access_level v);           // "Allow", "Block", "Quarantine"
std::string_view to_string(device_access_state v);           // "Unknown", ..., "DeviceDiscovery"
std::string_view to_string(device_access_state_reason v);    // "Unknown", "Global", ..., "DeviceRule", ...
std::string_view to_string(device_access_characteristic v);  // "DeviceType", ..., "UserAgent", "XMSWLHeader"

// Enumeration parameters as PowerShell binds them: the name, ASCII case-insensitive, surrounding
// blanks ignored, no numbers, no abbreviations. The error text follows policy.cpp's "Cannot bind
// parameter" style and lists the valid names. `parameter` names the parameter in the message
// (e.g. "DefaultAccessLevel" for Set-ActiveSyncOrganizationSettings).
common::result<device_access_level, std::string> parse_access_level(std::string_view text,
                                                                    std::string_view parameter = "AccessLevel");
common::result<device_access_characteristic, std::string> parse_characteristic(
    std::string_view text, std::string_view parameter = "Characteristic");

// New-ActiveSyncDeviceAccessRule -QueryString -Characteristic -AccessLevel.
struct device_access_rule {
  std::string query_string;  // the exact text to compare; no wildcards, no partial matches
  device_access_characteristic characteristic = device_access_characteristic::device_type;
  device_access_level access_level = device_access_level::allow;

  // Exchange's rule identity "<QueryString> (<Characteristic>)", e.g. "WP (DeviceType)" (issue 8).
  std::string identity() const;
  bool operator==(const device_access_rule&) const = default;
};

// Set-ActiveSyncOrganizationSettings (PROVISIONING.md 5.1).
struct organization_settings {
  device_access_level default_access_level = device_access_level::allow;  // Exchange's default
  std::string user_mail_insert;                // footer of the quarantine notice to the user
  std::vector<std::string> admin_mail_recipients;  // who is told about quarantined devices
  bool operator==(const organization_settings&) const = default;
};

// Set-CASMailbox -ActiveSyncAllowedDeviceIDs / -ActiveSyncBlockedDeviceIDs.
struct mailbox_device_lists {
  std::vector<std::string> allowed_device_ids;
  std::vector<std::string> blocked_device_ids;
  bool operator==(const mailbox_device_lists&) const = default;
};

// What decide_access looks at. Views: everything must outlive the call.
struct access_input {
  // The device as it identified itself. An empty value matches no rule.
  std::string_view device_id;     // DeviceId request parameter
  std::string_view device_type;   // DeviceType request parameter
  std::string_view device_model;  // DeviceInformation Model
  std::string_view device_os;     // DeviceInformation OS
  std::string_view user_agent;    // User-Agent header (or DeviceInformation UserAgent)
  std::string_view xmswl_header;  // X-MS-WL header

  std::span<const std::string> allowed_device_ids;  // the mailbox's lists
  std::span<const std::string> blocked_device_ids;
  std::span<const device_access_rule> rules;  // the organization's rules, in any order
  device_access_level default_access_level = device_access_level::allow;

  // The discovery window: true while the device has not reported DeviceInformation and the server
  // is still waiting for it. Exchange holds such a device in DeviceDiscovery because the model and
  // OS that rules may test are not known yet. The caller decides when to stop waiting: clients that
  // cannot send DeviceInformation (2.5, 12.0) should get false, otherwise they would never leave
  // DeviceDiscovery.
  bool awaiting_device_information = false;
  // The upgrade grace window: during it a device that would enter DeviceDiscovery is Allowed with
  // reason Upgrade instead (PROVISIONING.md 5.1 step 4).
  bool upgrade_grace = false;
};

struct access_decision {
  device_access_state state = device_access_state::unknown;
  device_access_state_reason reason = device_access_state_reason::unknown;
  std::string rule_identity;  // DeviceAccessControlRule: the deciding rule's identity, empty otherwise
  std::string explanation;    // what decided, for the debug log
  bool operator==(const access_decision&) const = default;
};

// Exchange's evaluation order (PROVISIONING.md 5.1, "Evaluation order"); the first step that applies
// decides:
//   1. the device ID is in the blocked list                 -> Blocked / Individual
//   2. (2013+ behaviour auto-block: NOT MODELLED. It needs request history and a clock and answers
//      503 with Retry-After; it would slot in here, before the allowed list.)
//   3. the device ID is in the allowed list                 -> Allowed / Individual
//   4. rules exist and awaiting_device_information          -> DeviceDiscovery / Unknown
//      (with upgrade_grace instead                          -> Allowed / Upgrade)
//   5. the first rule whose QueryString equals the device's value, characteristics tried in the
//      order UserAgent, DeviceOS, DeviceModel, DeviceType, then XMSWLHeader -> the rule's level
//      (Allowed/Blocked/Quarantined) / DeviceRule
//   6. the organization default                             -> Allowed/Blocked/Quarantined / Global;
//      a Quarantine default while awaiting_device_information -> DeviceDiscovery / Global.
// Device IDs and query strings compare ASCII case-insensitively (see access.cpp for the sources).
access_decision decide_access(const access_input& input);

// --- what the device sees --------------------------------------------------------------------------------------

// The answer to one command, already resolved for the protocol version.
struct command_answer {
  enum class kind : std::uint8_t {
    run,             // handle the command (see `restricted`)
    status_in_body,  // HTTP 200, body <CommandRoot><Status>status</Status></CommandRoot>
    http_error,      // the bare HTTP status, no body
  };
  kind action = kind::run;
  int status = 0;          // the EAS status (also for http_error, where it is what the HTTP code stands for; 0: none)
  int http_status = 200;
  bool restricted = false; // run while quarantined: content commands see only the quarantine notice
  std::string throttle;    // X-MS-ASThrottle header value; empty: no header
  bool operator==(const command_answer&) const = default;
};

// Whether a refused command's status goes in its body (status_in_body) or becomes the bare HTTP
// status (http_error) is the EAS rule of eas/status.hpp: the command table says which commands
// have a WBXML response, the version how far the body can carry the status.

// A Blocked device, whatever the command: 129 DeviceIsBlockedForThisUser, HTTP 403 where the body
// cannot carry it, and X-MS-ASThrottle naming the reason (PROVISIONING.md 5.1). `command` is an
// entry of the EAS command table (nullptr: an unknown command), or its name, ASCII
// case-insensitive.
command_answer blocked_answer(const eas::command_info* command, protocol_version v, device_access_state_reason reason);
command_answer blocked_answer(std::string_view command, protocol_version v, device_access_state_reason reason);

// A Quarantined or DeviceDiscovery device (PROVISIONING.md 5.1, "What the device sees"): the
// commands it may run, run restricted; the others are refused per command. `command` is the EAS
// command name, ASCII case-insensitive; an unknown name is refused with HTTP 500.
command_answer quarantine_answer(const eas::command_info* command, protocol_version v);
command_answer quarantine_answer(std::string_view command, protocol_version v);

// The answer for a device in `state`: run (Allowed, Unknown), blocked_answer (Blocked) or
// quarantine_answer (Quarantined, DeviceDiscovery).
command_answer access_answer(device_access_state state, device_access_state_reason reason,
                             const eas::command_info* command, protocol_version v);
command_answer access_answer(device_access_state state, device_access_state_reason reason, std::string_view command,
                             protocol_version v);

}  // namespace easemu::provisioning
