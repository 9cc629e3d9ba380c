#pragma once
// The admin API of a test_server (docs/admin-api.md) as the tests call it: one call with the
// token on the plain HTTP listener, and the calls several tests share (shell lines, injected
// mail, the device list, the waiting requests). Test-only.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>

#include "easemu/client/http_client.hpp"
#include "support/test_server.hpp"
#include "support/wait.hpp"

namespace easemu::test {

// The request with the token, for the plain listener (tls = false) unless the caller changes it.
inline client::client_request admin_request(const test_server& s, const std::string& method, const std::string& target,
                                            const std::string& body = {}, const std::string& content_type = {}) {
  client::client_request r;
  r.tls = false;
  r.method = method;
  r.target = target;
  r.body = body;
  r.headers.emplace_back("Authorization", "Bearer " + s.admin_token);
  if (!content_type.empty()) r.headers.emplace_back("Content-Type", content_type);
  return r;
}

inline client::client_response admin(const test_server& s, const std::string& method, const std::string& target,
                                     const std::string& body = {}, const std::string& content_type = {}) {
  return client::send(s.http_port, admin_request(s, method, target, body, content_type));
}

// POST /api/v1/exchange: Exchange Management Shell lines, answered with `status` (200: every line
// succeeded). The results array, one entry per line ([] when the answer has none).
inline boost::json::array exchange(const test_server& s, const std::string& lines, int status = 200) {
  const auto res = admin(s, "POST", "/api/v1/exchange", lines, "text/plain");
  EXPECT_EQ(res.status, status) << lines << "\n" << res.body;
  boost::system::error_code ec;
  const auto v = boost::json::parse(res.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("results") || !v.at("results").is_array()) return {};
  return v.at("results").as_array();
}

// POST /api/v1/mailboxes/<address>/messages: a message into a lab mailbox, as JSON (subject,
// text, ...) or MIME (message/rfc822). The caller checks the answer (201 and the item id).
inline client::client_response inject(const test_server& s, const std::string& address, const std::string& body,
                                      const std::string& content_type = "application/json") {
  return admin(s, "POST", "/api/v1/mailboxes/" + address + "/messages", body, content_type);
}

// GET /api/v1/devices: every device partnership ([] when the answer is not a list).
inline boost::json::array device_list(const test_server& s) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(admin(s, "GET", "/api/v1/devices").body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("devices") || !v.at("devices").is_array()) return {};
  return v.at("devices").as_array();
}

// The device list's entry with this DeviceId, exactly as spelt; {} when there is none.
inline boost::json::object device_json(const test_server& s, const std::string& device_id) {
  for (const auto& d : device_list(s)) {
    if (d.is_object() && d.as_object().contains("device_id") && d.at("device_id") == device_id.c_str()) {
      return d.as_object();
    }
  }
  return {};
}

// GET /api/v1/server's waiting_requests: the Pings and Syncs the server holds; -1 when it does
// not answer with one.
inline std::int64_t waiting_requests(const test_server& s) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(admin(s, "GET", "/api/v1/server").body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("waiting_requests")) return -1;
  return v.at("waiting_requests").to_number<std::int64_t>();
}

// Waits until the server holds `n` Pings and Syncs: a request sent from another thread is then
// really held, not still on its way or answered for another reason.
//   ASSERT_TRUE(wait_for_waiting_requests(server, 1));
[[nodiscard]] inline ::testing::AssertionResult wait_for_waiting_requests(
    const test_server& s, std::int64_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  std::int64_t seen = -1;
  if (eventually([&] { return (seen = waiting_requests(s)) == n; }, timeout)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "waited " << timeout.count() << " ms for the server to hold " << n
                                       << " waiting request(s); it holds " << seen;
}

}  // namespace easemu::test
