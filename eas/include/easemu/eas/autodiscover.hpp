#pragma once
// Autodiscover for mobile clients: the mobilesync request and response schemas (MS-ASCMD
// 2.2.1.1 and section 6.2-6.4; PROTOCOL.md section 3). Pure: parsing and answering.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

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

}  // namespace easemu::eas
