#include "easemu/eas/headers.hpp"

#include <algorithm>

#include "easemu/common/base64.hpp"
#include "easemu/eas/command.hpp"

namespace easemu::eas {

namespace {

bool ows(char c) { return c == ' ' || c == '\t'; }

// Trims optional white space; `offset` receives how many bytes were dropped at the front.
std::string_view trim(std::string_view s, std::size_t& offset) {
  std::size_t b = 0;
  while (b < s.size() && ows(s[b])) ++b;
  std::size_t e = s.size();
  while (e > b && ows(s[e - 1])) --e;
  offset = b;
  return s.substr(b, e - b);
}

}  // namespace

result<protocol_version> parse_protocol_version_header(std::string_view value) {
  std::size_t at = 0;
  const auto v = trim(value, at);
  if (auto parsed = parse_protocol_version(v)) return *parsed;
  return make_parse_error(errc::unknown_protocol_version, at, std::string(v.substr(0, 32)));
}

result<std::uint32_t> parse_policy_key_header(std::string_view value) {
  std::size_t at = 0;
  const auto v = trim(value, at);
  if (v.empty()) return make_parse_error(errc::invalid_policy_key, at, "empty");
  std::uint64_t key = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (c < '0' || c > '9')
      return make_parse_error(errc::invalid_policy_key, at + i, "not a digit");
    key = key * 10 + static_cast<std::uint64_t>(c - '0');
    if (key > 0xFFFFFFFFu)
      return make_parse_error(errc::invalid_policy_key, at + i, "above 2^32-1");
  }
  return static_cast<std::uint32_t>(key);
}

result<bool> parse_accept_multipart_header(std::string_view value) {
  std::size_t at = 0;
  const auto v = trim(value, at);
  if (detail::iequals(v, "T")) return true;
  if (detail::iequals(v, "F")) return false;
  return make_parse_error(errc::invalid_accept_multipart, at, std::string(v.substr(0, 32)));
}

result<basic_credentials> parse_basic_authorization(std::string_view value,
                                                    std::size_t max_length) {
  if (value.size() > max_length) return make_parse_error(errc::field_too_long, max_length);
  std::size_t at = 0;
  const auto v = trim(value, at);
  std::size_t scheme_end = 0;
  while (scheme_end < v.size() && !ows(v[scheme_end])) ++scheme_end;
  if (!detail::iequals(v.substr(0, scheme_end), "Basic")) {
    return make_parse_error(errc::auth_not_basic, at,
                            std::string(v.substr(0, std::min<std::size_t>(scheme_end, 32))));
  }
  std::size_t token_at = scheme_end;
  while (token_at < v.size() && ows(v[token_at])) ++token_at;
  const auto token = v.substr(token_at);
  if (token.empty()) return make_parse_error(errc::auth_malformed, at + token_at, "no credentials");
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (ows(token[i])) {
      return make_parse_error(errc::auth_malformed, at + token_at + i, "more than one token");
    }
  }
  const auto decoded = common::base64_decode(token);
  if (!decoded) return make_parse_error(errc::auth_bad_base64, at + token_at);
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return make_parse_error(errc::auth_missing_colon, at + token_at);
  if (colon == 0) return make_parse_error(errc::auth_empty_user, at + token_at);
  return basic_credentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

result<user_name> split_user_name(std::string_view name) {
  if (name.empty()) return make_parse_error(errc::invalid_user_name, 0, "empty");
  if (const auto slash = name.find('\\'); slash != std::string_view::npos) {
    const auto domain = name.substr(0, slash);
    const auto user = name.substr(slash + 1);
    if (domain.empty()) return make_parse_error(errc::invalid_user_name, slash, "empty domain");
    if (user.empty()) return make_parse_error(errc::invalid_user_name, slash, "empty user");
    if (const auto again = user.find('\\'); again != std::string_view::npos) {
      return make_parse_error(errc::invalid_user_name, slash + 1 + again, "second '\\'");
    }
    return user_name{user_name_form::down_level, std::string(user), std::string(domain)};
  }
  if (const auto at = name.rfind('@'); at != std::string_view::npos) {
    const auto user = name.substr(0, at);
    const auto domain = name.substr(at + 1);
    if (user.empty()) return make_parse_error(errc::invalid_user_name, at, "empty user");
    if (domain.empty()) return make_parse_error(errc::invalid_user_name, at, "empty domain");
    return user_name{user_name_form::upn, std::string(user), std::string(domain)};
  }
  return user_name{user_name_form::bare, std::string(name), {}};
}

}  // namespace easemu::eas
