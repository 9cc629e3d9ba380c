#pragma once
// Autodiscover for mobile clients: the mobilesync request and response schemas (MS-ASCMD
// 2.2.1.1 and section 6.2-6.4; PROTOCOL.md section 3), both ways: the server parses requests and
// answers them, the simulated phone builds requests and reads the answers. Pure.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "easemu/common/result.hpp"

namespace easemu::eas {

inline constexpr std::string_view mobilesync_request_schema =
    "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006";
inline constexpr std::string_view mobilesync_response_schema =
    "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006";

struct autodiscover_request {
  std::string email_address;
  std::string acceptable_response_schema;
};

// ErrorCode values (MS-ASCMD 2.2.3.64): 600 invalid request, 601 no provider for the schema.
enum class autodiscover_error { invalid_request = 600, no_provider = 601 };

struct autodiscover_parse_result {
  std::optional<autodiscover_request> request;
  autodiscover_error error = autodiscover_error::invalid_request;
  std::string reason;  // for the log
};

// Parses a request body with limits; DTDs are skipped and no entity is ever expanded.
autodiscover_parse_result parse_autodiscover_request(std::string_view body, std::size_t max_size = 64 * 1024);

struct autodiscover_user {
  std::string display_name;
  std::string email_address;
};

// The mobilesync success response naming the EAS URL.
std::string autodiscover_response(const autodiscover_user& user, std::string_view eas_url);

// The error response; `time` as an ISO 8601 UTC text and `id` are what Exchange puts in the
// Error element's attributes.
std::string autodiscover_error_response(autodiscover_error code, std::string_view time, std::string_view id);

// ---- the phone's side ----

// The mobilesync request for one e-mail address (MS-ASCMD 2.2.3.1 AcceptableResponseSchema).
std::string autodiscover_request_body(std::string_view email_address);

// What a mobilesync response tells the phone (MS-ASCMD 2.2.3.6 Action, 2.2.3.63 Error).
enum class autodiscover_answer { settings, redirect, error };

struct autodiscover_reply {
  autodiscover_answer answer = autodiscover_answer::error;
  std::string display_name;   // User/DisplayName, when given
  std::string email_address;  // User/EMailAddress, when given
  // settings: the Url (2.2.3.188) of the first Server whose Type is MobileSync (2.2.3.164,
  // 2.2.3.186.1); other servers (CertEnroll) are not the phone's business here.
  std::string eas_url;
  // redirect: the SMTP address whose domain the phone runs Autodiscover for next (2.2.3.147).
  std::string redirect_address;
  // error: Response/Error/ErrorCode (600, 601; 2.2.3.64), or Action/Error's ErrorCode when it
  // has one; 0 when the Error carries none.
  int error_code = 0;
  int error_status = 0;       // error: Action/Error/Status (2 protocol error; 2.2.3.177.1), 0 when none
  std::string error_message;  // error: Message, for the log
};

struct autodiscover_reply_error {
  std::string reason;      // "malformed XML: ...", "no MobileSync Server in Settings"
  std::size_t offset = 0;  // byte offset into the body where the parser stopped (0 when not known)
};

// Parses a response body with limits; DTDs are skipped and no entity is ever expanded, as for
// requests. A response that names no MobileSync URL, redirect or error is an error here.
[[nodiscard]] common::result<autodiscover_reply, autodiscover_reply_error> parse_autodiscover_response(
    std::string_view body, std::size_t max_size = 64 * 1024);

}  // namespace easemu::eas
