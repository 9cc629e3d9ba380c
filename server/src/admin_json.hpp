#pragma once
// Small helpers of the admin API's JSON answers and query strings, shared by the API's resources
// (admin/api/) and the shell (internal to the server library).
#include <boost/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "easemu/common/time.hpp"
#include "easemu/eas/url.hpp"
#include "easemu/server/http.hpp"

namespace easemu::server::admin_json {

inline http_response json_response(int status, const boost::json::value& v) {
  return http_response::text(status, boost::json::serialize(v) + "\n", "application/json");
}

inline http_response json_error(int status, std::string_view message) {
  return json_response(status, boost::json::object{{"error", message}});
}

// JSON null for "never".
inline boost::json::value optional_time(std::int64_t ms) {
  return ms == 0 ? boost::json::value(nullptr) : boost::json::value(common::iso8601_utc(ms));
}

// A whole non-negative number, or nullopt.
inline std::optional<long long> count_of(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  char* end = nullptr;
  const long long n = std::strtoll(text.c_str(), &end, 10);
  if (*end != '\0' || n < 0 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return n;
}

// The decoded value of one query parameter (the first), or nullopt.
inline std::optional<std::string> query_value(std::string_view query, std::string_view name) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    const auto amp = query.find('&', pos);
    const auto part = query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    const auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) {
      auto v = eas::percent_decode(part.substr(eq + 1), eas::plus_rule::space);
      if (v) return *v;
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return std::nullopt;
}

}  // namespace easemu::server::admin_json
