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

}  // namespace easemu::server
