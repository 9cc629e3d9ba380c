#include "easemu/provisioning/access.hpp"

#include "easemu/common/text.hpp"
#include "easemu/eas/status.hpp"

#include <algorithm>
#include <array>
#include <optional>

namespace easemu::provisioning {
namespace {

using common::iequals;

template <class E>
struct enum_name {
  E value;
  std::string_view name;
};

// Exchange's spellings, in each enumeration's order (PROVISIONING.md 5.1, "Enums";
// New-ActiveSyncDeviceAccessRule.md for the access levels and characteristics).
constexpr std::array<enum_name<device_access_level>, 3> access_level_names = {{
    {device_access_level::allow, "Allow"},
    {device_access_level::block, "Block"},
    {device_access_level::quarantine, "Quarantine"},
}};
constexpr std::array<enum_name<device_access_state>, 5> access_state_names = {{
    {device_access_state::unknown, "Unknown"},
    {device_access_state::allowed, "Allowed"},
    {device_access_state::blocked, "Blocked"},
    {device_access_state::quarantined, "Quarantined"},
    {device_access_state::device_discovery, "DeviceDiscovery"},
}};
constexpr std::array<enum_name<device_access_state_reason>, 6> access_state_reason_names = {{
    {device_access_state_reason::unknown, "Unknown"},
    {device_access_state_reason::global, "Global"},
    {device_access_state_reason::individual, "Individual"},
    {device_access_state_reason::device_rule, "DeviceRule"},
    {device_access_state_reason::upgrade, "Upgrade"},
    {device_access_state_reason::policy, "Policy"},
}};
constexpr std::array<enum_name<device_access_characteristic>, 5> characteristic_names = {{
    {device_access_characteristic::device_type, "DeviceType"},
    {device_access_characteristic::device_model, "DeviceModel"},
    {device_access_characteristic::device_os, "DeviceOS"},
    {device_access_characteristic::user_agent, "UserAgent"},
    {device_access_characteristic::xmswl_header, "XMSWLHeader"},
}};

// Each table lists its enumerators in declaration order, so to_string can index it.
template <class E, std::size_t N>
constexpr bool in_order(const std::array<enum_name<E>, N>& table) {
  for (std::size_t i = 0; i < N; ++i) {
    if (static_cast<std::size_t>(table[i].value) != i) return false;
  }
  return true;
}
static_assert(in_order(access_level_names) && in_order(access_state_names) && in_order(access_state_reason_names) &&
              in_order(characteristic_names));

template <class E, std::size_t N>
std::string_view name_of(const std::array<enum_name<E>, N>& table, E v) {
  const auto i = static_cast<std::size_t>(v);
  return i < N ? table[i].name : std::string_view("Unknown");
}

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// policy.cpp's wording for an enumeration parameter that does not bind.
template <class E, std::size_t N>
common::result<E, std::string> parse_enum(const std::array<enum_name<E>, N>& table, std::string_view text,
                                          std::string_view parameter) {
  const auto value = trim(text);
  for (const auto& [v, name] : table) {
    if (iequals(name, value)) return v;
  }
  std::string names;
  for (const auto& [v, name] : table) names += (names.empty() ? "" : ", ") + std::string(name);
  return "Cannot bind parameter '" + std::string(parameter) + "'. Cannot convert value '" + std::string(value) +
         "'. Specify one of the following enumerator names: " + names + ".";
}

// PROVISIONING.md 5.1 step 5: rules are tried by characteristic in this order. XMSWLHeader is not
// in that list; it comes last here [inference: it was added after the 2010 order was set].
constexpr std::array<device_access_characteristic, 5> rule_order = {
    device_access_characteristic::user_agent, device_access_characteristic::device_os,
    device_access_characteristic::device_model, device_access_characteristic::device_type,
    device_access_characteristic::xmswl_header};

std::string_view value_of(const access_input& in, device_access_characteristic c) {
  switch (c) {
    case device_access_characteristic::device_type: return in.device_type;
    case device_access_characteristic::device_model: return in.device_model;
    case device_access_characteristic::device_os: return in.device_os;
    case device_access_characteristic::user_agent: return in.user_agent;
    case device_access_characteristic::xmswl_header: return in.xmswl_header;
  }
  return {};
}

device_access_state state_for(device_access_level level) {
  switch (level) {
    case device_access_level::allow: return device_access_state::allowed;
    case device_access_level::block: return device_access_state::blocked;
    case device_access_level::quarantine: return device_access_state::quarantined;
  }
  return device_access_state::unknown;
}

// Device IDs are compared ASCII case-insensitively: Exchange keys the partnership by the ID without
// regard to case [inference: ActiveSyncAllowedDeviceIDs/BlockedDeviceIDs are directory string values,
// which compare case-insensitively].
bool listed(std::span<const std::string> list, std::string_view id) {
  return !id.empty() && std::any_of(list.begin(), list.end(), [&](const std::string& s) { return iequals(s, id); });
}

}  // namespace

std::string_view to_string(device_access_level v) { return name_of(access_level_names, v); }
std::string_view to_string(device_access_state v) { return name_of(access_state_names, v); }
std::string_view to_string(device_access_state_reason v) { return name_of(access_state_reason_names, v); }
std::string_view to_string(device_access_characteristic v) { return name_of(characteristic_names, v); }

common::result<device_access_level, std::string> parse_access_level(std::string_view text, std::string_view parameter) {
  return parse_enum(access_level_names, text, parameter);
}

common::result<device_access_characteristic, std::string> parse_characteristic(std::string_view text,
                                                                               std::string_view parameter) {
  return parse_enum(characteristic_names, text, parameter);
}

std::string device_access_rule::identity() const {
  return query_string + " (" + std::string(to_string(characteristic)) + ")";
}

access_decision decide_access(const access_input& in) {
  using reason = device_access_state_reason;
  using state = device_access_state;
  access_decision d;
  // 1. The mailbox's blocked list.
  if (listed(in.blocked_device_ids, in.device_id)) {
    d.state = state::blocked;
    d.reason = reason::individual;
    d.explanation = "device ID in ActiveSyncBlockedDeviceIDs";
    return d;
  }
  // 2. Auto-block (Exchange 2013+) is not modelled: see the header.
  // 3. The mailbox's allowed list.
  if (listed(in.allowed_device_ids, in.device_id)) {
    d.state = state::allowed;
    d.reason = reason::individual;
    d.explanation = "device ID in ActiveSyncAllowedDeviceIDs";
    return d;
  }
  // 4. Rules need the model and OS, which arrive with DeviceInformation: wait for them. The reason
  // is Unknown because neither a rule nor the default has decided [inference: PROVISIONING.md 5.1
  // names no reason for this step].
  if (!in.rules.empty() && in.awaiting_device_information) {
    if (in.upgrade_grace) {
      d.state = state::allowed;
      d.reason = reason::upgrade;
      d.explanation = "upgrade grace window instead of device discovery";
    } else {
      d.state = state::device_discovery;
      d.reason = reason::unknown;
      d.explanation = "device access rules exist and DeviceInformation has not arrived";
    }
    return d;
  }
  // 5. Rules: exact text, no wildcards or partial matches (New-ActiveSyncDeviceAccessRule.md,
  // -QueryString). The page is silent on case; we ignore ASCII case [inference: rules are directory
  // objects and Exchange's identity lookups are case-insensitive], so a rule "WP" matches "wp".
  for (const auto c : rule_order) {
    const std::string_view value = value_of(in, c);
    if (value.empty()) continue;
    for (const auto& rule : in.rules) {
      if (rule.characteristic != c || rule.query_string.empty() || !iequals(rule.query_string, value)) continue;
      d.state = state_for(rule.access_level);
      d.reason = reason::device_rule;
      d.rule_identity = rule.identity();
      d.explanation = "device access rule " + d.rule_identity;
      return d;
    }
  }
  // 6. The organization default; a Quarantine default lets DeviceInformation arrive first.
  d.reason = reason::global;
  if (in.default_access_level == device_access_level::quarantine && in.awaiting_device_information) {
    d.state = state::device_discovery;
    d.explanation = "DefaultAccessLevel Quarantine, waiting for DeviceInformation";
    return d;
  }
  d.state = state_for(in.default_access_level);
  d.explanation = "DefaultAccessLevel " + std::string(to_string(in.default_access_level));
  return d;
}

// --- what the device sees ---------------------------------------------------------------------------------------

namespace {

using eas::command_id;

// One row per EAS command, in the command table's order; whether a refusal's status can travel
// in the response body is the command table's (eas/status.hpp), not this table's.
struct quarantine_row {
  command_id command;
  bool runs;   // allowed while quarantined
  int status;  // refused: the Status in the body (0: none)
  int http;    // refused: the HTTP status when the body cannot carry `status`
};

// PROVISIONING.md 5.1 "What the device sees", Quarantined / DeviceDiscovery. Rows marked
// [inference] name an "error reply" the notes give no number for: we answer HTTP 500.
constexpr std::array<quarantine_row, 24> quarantine_table = {{
    {command_id::sync, true, 0, 200},  // every collection filtered down to the quarantine notice
    // Mail submission: 120 MailSubmissionFailed in the body from 14.0; before 14.0 these commands
    // carry MIME and 120 cannot travel in a body, so HTTP 500.
    {command_id::send_mail, false, 120, 500},
    {command_id::smart_forward, false, 120, 500},
    {command_id::smart_reply, false, 120, 500},
    {command_id::get_attachment, false, 0, 500},
    {command_id::get_hierarchy, true, 0, 200},
    // Folder and collection edits: status 6 (FolderCreate/Update/Delete: "an error occurred on the
    // server"). The 2.5 collection commands have no XML body, so they get the HTTP form.
    {command_id::create_collection, false, 6, 500},
    {command_id::delete_collection, false, 6, 500},
    {command_id::move_collection, false, 6, 500},
    {command_id::folder_sync, true, 0, 200},
    {command_id::folder_create, false, 6, 500},
    {command_id::folder_delete, false, 6, 500},
    {command_id::folder_update, false, 6, 500},
    {command_id::move_items, false, 0, 500},  // [inference] "validation error"
    {command_id::get_item_estimate, true, 0, 200},
    {command_id::meeting_response, false, 0, 500},  // [inference] "error reply"
    {command_id::search, false, 3, 500},            // Status 3: "server error" in its status table
    {command_id::settings, true, 0, 200},
    {command_id::ping, true, 0, 200},
    {command_id::item_operations, false, 3, 500},     // Status 3, as Search
    {command_id::provision, true, 0, 200},
    {command_id::resolve_recipients, false, 0, 500},  // [inference] "error reply"
    {command_id::validate_cert, false, 0, 500},       // [inference] "error reply"
    {command_id::find, false, 0, 500},                // [inference] 16.1 only, not in the notes
}};

constexpr bool one_row_per_command() {
  if (quarantine_table.size() != eas::commands.size()) return false;
  for (std::size_t i = 0; i < quarantine_table.size(); ++i) {
    if (quarantine_table[i].command != eas::commands[i].id) return false;
  }
  return true;
}
static_assert(one_row_per_command());

// A refusal with `status` (0: none) resolved for the version: in the body where it can go, else HTTP.
command_answer refuse(const eas::command_info* command, int status, int http, protocol_version v) {
  command_answer a;
  a.status = status;
  if (command != nullptr && eas::status_in_body(*command, v, status)) {
    a.action = command_answer::kind::status_in_body;
    a.http_status = 200;
  } else {
    a.action = command_answer::kind::http_error;
    a.http_status = http;
  }
  return a;
}

}  // namespace

command_answer blocked_answer(const eas::command_info* command, protocol_version v, device_access_state_reason reason) {
  // 129 DeviceIsBlockedForThisUser (MS-ASCMD 2.2.2); HTTP 403 when it cannot go in the body.
  command_answer a = refuse(command, 129, 403, v);
  // X-MS-ASThrottle (MS-ASHTTP 2.2.2.1.2.13) carries the reason's name (PROVISIONING.md 5.1).
  a.throttle = std::string(to_string(reason));
  return a;
}

command_answer blocked_answer(std::string_view command, protocol_version v, device_access_state_reason reason) {
  return blocked_answer(eas::find_command(command), v, reason);
}

command_answer quarantine_answer(const eas::command_info* command, protocol_version v) {
  if (command == nullptr) return refuse(nullptr, 0, 500, v);
  const auto row = std::find_if(quarantine_table.begin(), quarantine_table.end(),
                                 [&](const quarantine_row& r) { return r.command == command->id; });
  if (row == quarantine_table.end()) return refuse(nullptr, 0, 500, v);  // a command of a test's own table
  if (row->runs) {
    command_answer a;
    a.restricted = true;
    return a;
  }
  return refuse(command, row->status, row->http, v);
}

command_answer quarantine_answer(std::string_view command, protocol_version v) {
  return quarantine_answer(eas::find_command(command), v);
}

command_answer access_answer(device_access_state state, device_access_state_reason reason,
                             const eas::command_info* command, protocol_version v) {
  switch (state) {
    case device_access_state::blocked: return blocked_answer(command, v, reason);
    case device_access_state::quarantined:
    case device_access_state::device_discovery: return quarantine_answer(command, v);
    case device_access_state::unknown:
    case device_access_state::allowed: break;
  }
  return {};
}

command_answer access_answer(device_access_state state, device_access_state_reason reason, std::string_view command,
                             protocol_version v) {
  return access_answer(state, reason, eas::find_command(command), v);
}

}  // namespace easemu::provisioning
