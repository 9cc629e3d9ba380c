#include "easemu/eas/error.hpp"

namespace easemu::eas {

namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "eas"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::empty_query: return "empty query string";
      case errc::query_too_long: return "query string too long";
      case errc::bad_percent_encoding: return "bad percent-encoding";
      case errc::field_too_long: return "query value too long";
      case errc::duplicate_parameter: return "parameter given twice";
      case errc::missing_command: return "no Cmd parameter";
      case errc::unknown_command: return "unknown command";
      case errc::missing_device_id: return "no DeviceId parameter";
      case errc::missing_device_type: return "no DeviceType";
      case errc::invalid_parameter_value: return "invalid parameter value";
      case errc::bad_base64: return "base64 query is not valid base64";
      case errc::truncated: return "base64 query ends inside a field";
      case errc::unknown_protocol_version: return "unknown protocol version";
      case errc::version_not_allowed_in_base64:
        return "protocol version cannot use the base64 query (2.5 and 12.0 use plain text)";
      case errc::unknown_command_code: return "unknown command code";
      case errc::empty_device_id: return "empty DeviceId";
      case errc::bad_policy_key_length: return "policy key length is neither 0 nor 4";
      case errc::unknown_parameter_tag: return "unknown parameter tag";
      case errc::bad_options_length: return "Options parameter is not one byte";
      case errc::command_has_no_code: return "command has no base64 command code";
      case errc::missing_version: return "base64 query needs a protocol version";
      case errc::invalid_policy_key: return "X-MS-PolicyKey is not a decimal uint32";
      case errc::invalid_accept_multipart: return "MS-ASAcceptMultiPart is neither T nor F";
      case errc::auth_not_basic: return "Authorization scheme is not Basic";
      case errc::auth_malformed: return "malformed Basic Authorization header";
      case errc::auth_bad_base64: return "Basic credentials are not base64";
      case errc::auth_missing_colon: return "Basic credentials have no ':'";
      case errc::auth_empty_user: return "Basic credentials have an empty user name";
      case errc::invalid_user_name: return "invalid user name";
    }
    return "unknown eas error";
  }
};

}  // namespace

const std::error_category& eas_category() {
  static const category instance;
  return instance;
}

std::string parse_error::message() const {
  std::string out = code.message();
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  out += " at byte " + std::to_string(offset);
  return out;
}

}  // namespace easemu::eas
