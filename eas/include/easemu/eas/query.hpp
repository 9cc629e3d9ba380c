#pragma once
// The request-target query of an EAS command, in either of its two forms (MS-ASHTTP 2.2.1.1.1):
//   plain   Cmd=Sync&User=jdoe&DeviceId=ABC123&DeviceType=iPhone[&CollectionId=...]
//   base64  jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob25l  (a byte string, base64 then percent-encoded)
// Both parse to the same eas_query value; only the base64 form carries the protocol version,
// policy key, locale and AcceptMultiPart (the plain form sends those as headers).
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "easemu/common/protocol_version.hpp"
#include "easemu/eas/command.hpp"
#include "easemu/eas/error.hpp"

namespace easemu::eas {

// Command parameters (MS-ASHTTP 2.2.1.1.1.2.5; base64 tags 2.2.1.1.1.1.3). 2.5-12.1 clients use
// them with GetAttachment and SendMail/SmartReply/SmartForward; 14.0+ moved them into WBXML.
struct command_params {
  std::optional<std::string> attachment_name;  // GetAttachment: the file reference
  std::optional<std::string> collection_id;    // folder of the source message
  std::optional<std::string> item_id;          // the source message
  std::optional<std::string> long_id;          // a Search result
  std::optional<std::string> occurrence;       // instance of a recurring meeting

  bool operator==(const command_params&) const = default;
};

struct eas_query {
  const command_info* command = nullptr;  // entry of `commands`; never null after parsing
  std::optional<std::string> user;        // absent: take the user from Authorization
  std::string device_id;                  // raw bytes as sent; may be binary in base64 form
  std::string device_type;
  command_params params;
  // Only the base64 form carries these three; for the plain form they are absent and the
  // MS-ASProtocolVersion / X-MS-PolicyKey headers apply.
  std::optional<protocol_version> version;
  std::optional<std::uint32_t> policy_key;  // absent: policy key length 0
  std::optional<std::uint16_t> locale;      // LCID, e.g. 0x0409 en-US
  bool accept_multipart = false;            // base64 Options bit 0x02 (plain: header)
  bool save_in_sent = false;                // SaveInSent=T / Options bit 0x01 (default F)
  bool is_base64 = false;

  // The DeviceId as text for logs, the store and the admin API: the bytes themselves when they
  // are all printable ASCII without space (0x21-0x7E), else lower-case hex. Windows devices send
  // a 16-byte binary GUID in the base64 form, which becomes 32 hex digits (Z-Push and
  // grommunio-sync hex-encode every base64-form DeviceId; we do so only when we must, so a device
  // that switches forms keeps one identity).
  std::string printable_device_id() const;

  bool operator==(const eas_query&) const = default;
};

// The query parameters as data: plain-form name and base64 tag.
enum class query_param : std::uint8_t {
  cmd,
  user,
  device_id,
  device_type,
  attachment_name,
  collection_id,
  item_id,
  long_id,
  occurrence,
  save_in_sent,
  options,
};

struct query_param_info {
  query_param id;
  std::string_view name;            // plain-form name (matched case-insensitively)
  bool in_plain;                    // has a name=value form
  std::optional<std::uint8_t> tag;  // base64 command parameter tag
  std::optional<std::string> command_params::*field;  // string parameters only
};

inline constexpr std::array<query_param_info, 11> query_params = {{
    {query_param::cmd, "Cmd", true, std::nullopt, nullptr},
    {query_param::user, "User", true, 8, nullptr},
    {query_param::device_id, "DeviceId", true, std::nullopt, nullptr},
    {query_param::device_type, "DeviceType", true, std::nullopt, nullptr},
    {query_param::attachment_name, "AttachmentName", true, 0, &command_params::attachment_name},
    {query_param::collection_id, "CollectionId", true, 1, &command_params::collection_id},
    {query_param::item_id, "ItemId", true, 3, &command_params::item_id},
    {query_param::long_id, "LongId", true, 4, &command_params::long_id},
    {query_param::occurrence, "Occurrence", true, 6, &command_params::occurrence},
    {query_param::save_in_sent, "SaveInSent", true, std::nullopt, nullptr},
    // A bitmask byte, base64 form only; its bits replace SaveInSent=T and the
    // MS-ASAcceptMultiPart header.
    {query_param::options, "Options", false, 7, nullptr},
}};

inline constexpr std::uint8_t option_save_in_sent = 0x01;
inline constexpr std::uint8_t option_accept_multipart = 0x02;

struct query_limits {
  std::size_t max_query_length = 8192;  // raw query text, before any decoding
  // One decoded value (User, DeviceId, DeviceType, a command parameter). 255 is the most the
  // base64 form can carry in its one-byte lengths, so both forms accept the same values.
  std::size_t max_field_length = 255;
  // The commands Cmd= and the base64 command code name (a test may add its own).
  std::span<const command_info> table = commands;
};

enum class query_form : std::uint8_t { plain, base64 };

// Which form a (non-empty) query is in. Plain text has name=value pairs: an '&', an '=' that is
// followed by something other than '=', or a character outside the base64 alphabet. Base64 text
// has only A-Z a-z 0-9 + / and percent escapes, with '=' only as trailing padding (percent
// escapes are decoded first, so %2B, %2F and %3D count as base64 characters).
query_form detect_query_form(std::string_view target_query);

// Parses the raw query string that follows '?' in the request target.
// Plain form: parameter names are ASCII case-insensitive (as ASP.NET's query collection is);
// unknown names are ignored; values are percent-decoded with '+' meaning space (HTML form
// encoding, as Exchange on ASP.NET and PHP servers decode them); Cmd is matched
// case-insensitively; Cmd, DeviceId and DeviceType are required, User is optional.
// Base64 form: percent-decoded with '+' kept literally (it is base64), missing padding
// tolerated, then the byte layout of MS-ASHTTP 2.2.1.1.1.1 with little-endian integers.
result<eas_query> parse_query(std::string_view target_query, const query_limits& limits = {});

// The base64 form of `q` (for simulated devices). Needs a command with a code, a version of 12.1
// or later, a non-empty DeviceId and DeviceType, and fields of at most 255 bytes. Locale defaults
// to 0x0409. With `percent_encoded`, '+', '/' and '=' are sent as %2B, %2F and %3D.
result<std::string> encode_base64_query(const eas_query& q, bool percent_encoded = false);

// The plain form of `q`: Cmd, User (when present), DeviceId, DeviceType, then the command
// parameters, every value percent-encoded. The version, policy key, locale and AcceptMultiPart
// are not part of it (they travel as headers).
result<std::string> encode_plain_query(const eas_query& q);

}  // namespace easemu::eas
