#pragma once
// One admin API call to a test_server's plain HTTP listener with its token. Test-only.
#include <string>

#include "easemu/client/http_client.hpp"
#include "support/test_server.hpp"

namespace easemu::test {

inline client::client_response admin(const test_server& s, const std::string& method, const std::string& target,
                                        const std::string& body = {}, const std::string& content_type = {}) {
  client::client_request r;
  r.tls = false;
  r.method = method;
  r.target = target;
  r.body = body;
  r.headers.emplace_back("Authorization", "Bearer " + s.admin_token);
  if (!content_type.empty()) r.headers.emplace_back("Content-Type", content_type);
  return client::send(s.http_port, r);
}

}  // namespace easemu::test
