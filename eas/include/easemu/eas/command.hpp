#pragma once
// The EAS command table: every command a client can name in Cmd= (or by code in the base64
// query), the protocol versions that have it, how the server treats it and the response element
// a status travels in. One table drives the query parser, the version gate, the provisioning
// gate, which handlers may answer later, the envelope of a refusal and the OPTIONS response.
#include <array>
#include <cstddef>
#include <functional>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "easemu/common/protocol_version.hpp"
#include "easemu/common/text.hpp"
#include "easemu/wbxml/code_pages.hpp"

namespace easemu::eas {

// In the order of the MS-ASProtocolCommands example (MS-ASHTTP section 4), Find last.
enum class command_id : std::uint8_t {
  sync,
  send_mail,
  smart_forward,
  smart_reply,
  get_attachment,
  get_hierarchy,
  create_collection,
  delete_collection,
  move_collection,
  folder_sync,
  folder_create,
  folder_delete,
  folder_update,
  move_items,
  get_item_estimate,
  meeting_response,
  search,
  settings,
  ping,
  item_operations,
  provision,
  resolve_recipients,
  validate_cert,
  find,
};

enum class command_flags : std::uint8_t {
  none = 0,
  // The provisioning gate applies: the request must carry the current policy key (the server's
  // pipeline runs the gate for exactly these commands). Provision and Ping are exempt
  // (grommunio-sync gsync.php marks both UNPROVISIONED; Ping must keep working while the device
  // re-provisions).
  policy_key = 1u << 0,
  // The request body is WBXML (for mime_before_14 commands only from 14.0 on).
  wbxml_body = 1u << 1,
  // 2.5-12.1 send the message as a raw message/rfc822 body (SendMail, SmartReply, SmartForward;
  // MS-ASCMD 2.2.1.17/.19/.20: WBXML ComposeMail from 14.0).
  mime_before_14 = 1u << 2,
  // May hang until something changes or a heartbeat expires (Ping; Sync with Wait or
  // HeartbeatInterval): only these commands may have a handler that answers later.
  long_poll = 1u << 3,
  // Not in the base64 command code table and gone from current protocol versions.
  legacy = 1u << 4,
};

constexpr command_flags operator|(command_flags a, command_flags b) {
  return static_cast<command_flags>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
constexpr bool has(command_flags set, command_flags f) {
  return (static_cast<std::uint8_t>(set) & static_cast<std::uint8_t>(f)) != 0;
}

// The root element of a command's WBXML response and the Status element under it: where a
// status that refuses the command travels when the version lets the body carry it (MS-ASCMD
// 2.2.2; eas/status.hpp).
struct response_envelope {
  wbxml::tag_id root;
  wbxml::tag_id status;
};

struct command_info {
  command_id id;
  std::string_view name;             // spelled as in MS-ASCMD and MS-ASProtocolCommands
  std::optional<std::uint8_t> code;  // base64 query command code (MS-ASHTTP 2.2.1.1.1.1.2)
  protocol_version first;            // first protocol version that has the command
  protocol_version last;             // last protocol version that has it
  command_flags flags;
  // nullopt for commands without a WBXML response (GetAttachment answers with the file; the
  // 2.5 collection commands with HTTP alone).
  std::optional<response_envelope> envelope;
  std::string_view spec;  // where the version table is

  constexpr bool has(command_flags f) const { return eas::has(flags, f); }
  constexpr bool supported_in(protocol_version v) const { return first <= v && v <= last; }
};

namespace detail {
constexpr auto P = command_flags::policy_key;
constexpr auto W = command_flags::wbxml_body;
constexpr auto M = command_flags::mime_before_14;
constexpr auto L = command_flags::long_poll;
constexpr auto X = command_flags::legacy;
constexpr auto N = command_flags::none;
using V = protocol_version;

// The response root "Page:Name" and the Status element of the same code page (every EAS
// response root has one); a misspelt root does not compile.
consteval std::optional<response_envelope> R(std::string_view root) {
  const auto r = wbxml::tag(root);
  for (const auto& t : wbxml::all_tags()) {
    if (t.page == r.page && t.name == "Status") return response_envelope{r, wbxml::tag_id{t.page, t.token}};
  }
  throw "the response root's code page has no Status element";
}
inline constexpr std::optional<response_envelope> no_wbxml_response = std::nullopt;
}  // namespace detail

// Version ranges: the "Protocol Versions" table of each MS-ASCMD 2.2.1.x section. The four
// collection commands are not in MS-ASCMD any more; they survive only in the
// MS-ASProtocolCommands example of MS-ASHTTP section 4 (an Exchange 2010 server that still
// lists 1.0-2.5), so we give them 2.5 alone.
inline constexpr std::array<command_info, 24> commands = {{
    {command_id::sync, "Sync", 0, detail::V::v2_5, detail::V::v16_1, detail::P | detail::W | detail::L,
     detail::R("AirSync:Sync"), "MS-ASCMD 2.2.1.21"},
    {command_id::send_mail, "SendMail", 1, detail::V::v2_5, detail::V::v16_1, detail::P | detail::W | detail::M,
     detail::R("ComposeMail:SendMail"), "MS-ASCMD 2.2.1.17"},
    {command_id::smart_forward, "SmartForward", 2, detail::V::v2_5, detail::V::v16_1,
     detail::P | detail::W | detail::M, detail::R("ComposeMail:SmartForward"), "MS-ASCMD 2.2.1.19"},
    {command_id::smart_reply, "SmartReply", 3, detail::V::v2_5, detail::V::v16_1, detail::P | detail::W | detail::M,
     detail::R("ComposeMail:SmartReply"), "MS-ASCMD 2.2.1.20"},
    // No request body: the attachment is named by the AttachmentName parameter. Dropped in 14.0.
    {command_id::get_attachment, "GetAttachment", 4, detail::V::v2_5, detail::V::v12_1, detail::P,
     detail::no_wbxml_response, "MS-ASCMD 2.2.1.7"},
    // No request body. 2.5-12.1 per the tables of MS-ASCMD 2.2.3.75.1 / 2.2.3.71.1.
    {command_id::get_hierarchy, "GetHierarchy", std::nullopt, detail::V::v2_5, detail::V::v12_1,
     detail::P | detail::X, detail::no_wbxml_response, "MS-ASCMD 2.2.1.8"},
    {command_id::create_collection, "CreateCollection", std::nullopt, detail::V::v2_5, detail::V::v2_5,
     detail::P | detail::X, detail::no_wbxml_response, "MS-ASHTTP 4 (OPTIONS example)"},
    {command_id::delete_collection, "DeleteCollection", std::nullopt, detail::V::v2_5, detail::V::v2_5,
     detail::P | detail::X, detail::no_wbxml_response, "MS-ASHTTP 4 (OPTIONS example)"},
    {command_id::move_collection, "MoveCollection", std::nullopt, detail::V::v2_5, detail::V::v2_5,
     detail::P | detail::X, detail::no_wbxml_response, "MS-ASHTTP 4 (OPTIONS example)"},
    {command_id::folder_sync, "FolderSync", 9, detail::V::v2_5, detail::V::v16_1, detail::P | detail::W,
     detail::R("FolderHierarchy:FolderSync"), "MS-ASCMD 2.2.1.5"},
    {command_id::folder_create, "FolderCreate", 10, detail::V::v2_5, detail::V::v16_1, detail::P | detail::W,
     detail::R("FolderHierarchy:FolderCreate"), "MS-ASCMD 2.2.1.3"},
    {command_id::folder_delete, "FolderDelete", 11, detail::V::v2_5, detail::V::v16_1, detail::P | detail::W,
     detail::R("FolderHierarchy:FolderDelete"), "MS-ASCMD 2.2.1.4"},
    {command_id::folder_update, "FolderUpdate", 12, detail::V::v2_5, detail::V::v16_1, detail::P | detail::W,
     detail::R("FolderHierarchy:FolderUpdate"), "MS-ASCMD 2.2.1.6"},
    {command_id::move_items, "MoveItems", 13, detail::V::v2_5, detail::V::v16_1, detail::P | detail::W,
     detail::R("Move:MoveItems"), "MS-ASCMD 2.2.1.12"},
    {command_id::get_item_estimate, "GetItemEstimate", 14, detail::V::v2_5, detail::V::v16_1, detail::P | detail::W,
     detail::R("GetItemEstimate:GetItemEstimate"), "MS-ASCMD 2.2.1.9"},
    {command_id::meeting_response, "MeetingResponse", 15, detail::V::v2_5, detail::V::v16_1, detail::P | detail::W,
     detail::R("MeetingResponse:MeetingResponse"), "MS-ASCMD 2.2.1.11"},
    {command_id::search, "Search", 16, detail::V::v2_5, detail::V::v16_1, detail::P | detail::W,
     detail::R("Search:Search"), "MS-ASCMD 2.2.1.16"},
    {command_id::settings, "Settings", 17, detail::V::v12_0, detail::V::v16_1, detail::P | detail::W,
     detail::R("Settings:Settings"), "MS-ASCMD 2.2.1.18"},
    // An empty Ping reuses the cached previous request (MS-ASCMD 3.1.5.8).
    {command_id::ping, "Ping", 18, detail::V::v2_5, detail::V::v16_1, detail::W | detail::L, detail::R("Ping:Ping"),
     "MS-ASCMD 2.2.1.13"},
    {command_id::item_operations, "ItemOperations", 19, detail::V::v12_0, detail::V::v16_1, detail::P | detail::W,
     detail::R("ItemOperations:ItemOperations"), "MS-ASCMD 2.2.1.10"},
    {command_id::provision, "Provision", 20, detail::V::v2_5, detail::V::v16_1, detail::W,
     detail::R("Provision:Provision"), "MS-ASCMD 2.2.1.14"},
    {command_id::resolve_recipients, "ResolveRecipients", 21, detail::V::v2_5, detail::V::v16_1,
     detail::P | detail::W, detail::R("ResolveRecipients:ResolveRecipients"), "MS-ASCMD 2.2.1.15"},
    {command_id::validate_cert, "ValidateCert", 22, detail::V::v2_5, detail::V::v16_1, detail::P | detail::W,
     detail::R("ValidateCert:ValidateCert"), "MS-ASCMD 2.2.1.22"},
    // Find is in the MS-ASHTTP 2.2.1.1.1.1.2 table; the value 23 is grommunio-sync's
    // (unverified against the spec text).
    {command_id::find, "Find", 23, detail::V::v16_1, detail::V::v16_1, detail::P | detail::W, detail::R("Find:Find"),
     "MS-ASCMD 2.2.1.2"},
}};

constexpr const command_info& info(command_id id) { return commands[static_cast<std::size_t>(id)]; }

namespace detail {
using common::ascii_lower;
using common::iequals;
}  // namespace detail

// By name, ASCII case-insensitive ("sync" finds Sync): no two commands differ only in case, and
// servers built on ASP.NET or PHP differ in how strict they are, so we take the lenient side.
// `table` is `commands` unless a test adds commands of its own.
constexpr const command_info* find_command(std::span<const command_info> table, std::string_view name) {
  for (const auto& c : table) {
    if (detail::iequals(c.name, name)) return &c;
  }
  return nullptr;
}
constexpr const command_info* find_command(std::string_view name) { return find_command(commands, name); }

// By base64 query command code; nullptr for 5-8 and codes past the table.
constexpr const command_info* find_command(std::span<const command_info> table, std::uint8_t code) {
  for (const auto& c : table) {
    if (c.code && *c.code == code) return &c;
  }
  return nullptr;
}
constexpr const command_info* find_command(std::uint8_t code) { return find_command(commands, code); }

enum class body_kind : std::uint8_t { none, wbxml, mime };

// What a request body of this command is in this version (an empty body may still be allowed:
// Sync from 12.1, Ping).
constexpr body_kind request_body(const command_info& c, protocol_version v) {
  if (c.has(command_flags::mime_before_14) && v < protocol_version::v14_0) return body_kind::mime;
  if (c.has(command_flags::wbxml_body)) return body_kind::wbxml;
  return body_kind::none;
}

// The MS-ASProtocolCommands value (MS-ASHTTP 2.2.4.1.2.1) for a server that offers `versions`:
// every command that one of them has, in table order, comma-separated without spaces.
std::string protocol_commands_header(std::span<const protocol_version> versions);
// The same, keeping only the commands `advertise` accepts (the server lists what it serves).
std::string protocol_commands_header(std::span<const protocol_version> versions,
                                     const std::function<bool(const command_info&)>& advertise);

// The MS-ASProtocolVersions value (MS-ASHTTP 2.2.4.1.2.2): the versions, comma-separated without
// spaces, in the order given ("2.5,12.0,12.1,14.0,14.1").
std::string protocol_versions_header(std::span<const protocol_version> versions);

}  // namespace easemu::eas
