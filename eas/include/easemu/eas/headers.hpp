#pragma once
// Values of the EAS request headers (MS-ASHTTP 2.2.1.1.2), parsed without any HTTP library:
// the caller passes the field value (leading and trailing spaces and tabs are ignored).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "easemu/common/protocol_version.hpp"
#include "easemu/eas/error.hpp"

namespace easemu::eas {

// MS-ASProtocolVersion (2.2.1.1.2.6): exactly "2.5", "12.0", ... "16.1".
result<protocol_version> parse_protocol_version_header(std::string_view value);

// X-MS-PolicyKey (2.2.1.1.2.8; MS-ASPROV 2.2.2.42): a decimal uint32, digits only (no sign, no
// spaces inside). "0" is a valid value and means "not provisioned yet".
result<std::uint32_t> parse_policy_key_header(std::string_view value);

// MS-ASAcceptMultiPart (2.2.1.1.2.5): "T" or "F", either case.
result<bool> parse_accept_multipart_header(std::string_view value);

struct basic_credentials {
  std::string user;      // as sent: may be DOMAIN\user, user@domain or bare (split_user_name)
  std::string password;  // may be empty, may contain ':'

  bool operator==(const basic_credentials&) const = default;
};

// Authorization: Basic <base64(user:password)> (2.2.1.1.2.2; RFC 7617). The scheme is
// case-insensitive; the credentials are split at the first ':' (user names cannot contain one,
// passwords can). Bytes are kept as sent (clients send UTF-8).
result<basic_credentials> parse_basic_authorization(std::string_view value,
                                                    std::size_t max_length = 8192);

enum class user_name_form : std::uint8_t {
  bare,        // jdoe
  upn,         // jdoe@example.com (UPN or SMTP address)
  down_level,  // EXAMPLE\jdoe (NetBIOS domain, then user)
};

struct user_name {
  user_name_form form = user_name_form::bare;
  std::string user;    // jdoe
  std::string domain;  // example.com / EXAMPLE; empty for bare

  bool operator==(const user_name&) const = default;
};

// Splits a logon name into its form and parts. A '\' makes it down-level (split at the first
// one; the user part may itself be an address, as some clients send DOMAIN\user@example.com);
// otherwise an '@' makes it a UPN (split at the last one). Empty names, empty parts and a second
// '\' are errc::invalid_user_name.
result<user_name> split_user_name(std::string_view name);

}  // namespace easemu::eas
