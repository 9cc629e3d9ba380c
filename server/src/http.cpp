#include "easemu/server/http.hpp"

#include <strings.h>

namespace easemu::server {

const std::string* find_header(const header_list& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), name.size()) == 0) return &v;
  }
  return nullptr;
}

std::string_view http_request::path() const {
  const std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view http_request::query() const {
  const std::string_view t = target;
  const auto q = t.find('?');
  return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

http_response& http_response::set(std::string name, std::string value) {
  for (auto& [k, v] : headers) {
    if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), name.size()) == 0) {
      v = std::move(value);
      return *this;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

http_response http_response::text(int status, std::string body, std::string content_type) {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  r.set("Content-Type", std::move(content_type));
  return r;
}

std::string loggable_target(std::string_view target) {
  const auto q = target.find('?');
  // Every request passes here: most have no ticket at all.
  if (q == std::string_view::npos || (target.find("icket=", q) == std::string_view::npos &&
                                      target.find("ICKET=", q) == std::string_view::npos)) {
    return std::string(target);
  }
  std::string out(target.substr(0, q + 1));
  std::string_view query = target.substr(q + 1);
  for (bool first = true; ; first = false) {
    const auto amp = query.find('&');
    const auto part = query.substr(0, amp);
    if (!first) out += '&';
    const auto eq = part.find('=');
    const auto name = part.substr(0, eq);
    if (eq != std::string_view::npos && name.size() == 6 && ::strncasecmp(name.data(), "ticket", 6) == 0) {
      out.append(name).append("=(removed)");
    } else {
      out.append(part);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace easemu::server
