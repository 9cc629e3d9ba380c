#pragma once
// Errors of the EAS request parsers (query string, request headers): an error code with a
// std::error_category, where it happened and a short detail.
#include <cstddef>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

#include "easemu/common/result.hpp"

namespace easemu::eas {

enum class errc {
  // query string, both forms
  empty_query = 1,       // no query at all (a command needs one; OPTIONS has none)
  query_too_long,        // longer than query_limits::max_query_length
  bad_percent_encoding,  // '%' not followed by two hex digits
  field_too_long,        // one value longer than query_limits::max_field_length
  duplicate_parameter,   // the same parameter (name or tag) twice
  // plain form (MS-ASHTTP 2.2.1.1.1.2)
  missing_command,          // no Cmd parameter, or an empty one
  unknown_command,          // Cmd names no command in the table
  missing_device_id,        // no DeviceId parameter
  missing_device_type,      // no DeviceType, or an empty one (either form)
  invalid_parameter_value,  // e.g. SaveInSent other than T or F
  // base64 form (MS-ASHTTP 2.2.1.1.1.1)
  bad_base64,                     // not RFC 2045 base64 after percent-decoding
  truncated,                      // the byte string ends inside a field
  unknown_protocol_version,       // version byte or MS-ASProtocolVersion not a known version
  version_not_allowed_in_base64,  // 2.5 and 12.0 MUST use the plain form
  unknown_command_code,           // command code byte names no command
  empty_device_id,                // DeviceId of length 0 (either form)
  bad_policy_key_length,          // policy key length other than 0 or 4
  unknown_parameter_tag,          // a command parameter tag not in 2.2.1.1.1.1.3
  bad_options_length,             // Options parameter (tag 7) not exactly one byte
  // encoder
  command_has_no_code,  // legacy command: only the plain form can carry it
  missing_version,      // the base64 form needs a protocol version
  // request headers (MS-ASHTTP 2.2.1.1.2)
  invalid_policy_key,        // X-MS-PolicyKey not a decimal uint32
  invalid_accept_multipart,  // MS-ASAcceptMultiPart other than T or F
  auth_not_basic,            // Authorization scheme other than Basic (e.g. Bearer)
  auth_malformed,            // "Basic" without credentials, or with more than one token
  auth_bad_base64,           // Basic credentials are not base64
  auth_missing_colon,        // decoded credentials have no ':' between user and password
  auth_empty_user,           // decoded credentials start with ':'
  invalid_user_name,         // empty user name, empty part around '@' or '\'
};

const std::error_category& eas_category();
inline std::error_code make_error_code(errc e) { return {static_cast<int>(e), eas_category()}; }

// What went wrong and where. `offset` is a byte offset into the text that was parsed: the raw
// query (plain form, percent escapes, base64 text), the decoded byte string (structure of the
// base64 form), or the header value.
struct parse_error {
  std::error_code code;
  std::size_t offset = 0;
  std::string detail;  // e.g. the parameter name, "tag 5", "Cmd=Foo"

  // One line: "unknown parameter tag: tag 5 at byte 21"
  std::string message() const;
};

// A value or a parse_error (std::expected is C++23).
template <class T>
using result = common::result<T, parse_error>;

inline parse_error make_parse_error(errc e, std::size_t offset, std::string detail = {}) {
  return parse_error{make_error_code(e), offset, std::move(detail)};
}

}  // namespace easemu::eas

template <>
struct std::is_error_code_enum<easemu::eas::errc> : std::true_type {};
