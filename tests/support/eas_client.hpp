#pragma once
// One phone's EAS requests to a test_server over TLS, and what the tests read of the answers.
// An aggregate, so a test names only what differs from alice's iPhone on 14.1:
//   eas_client phone{.port = server.https_port, .device_id = "P1"};
//   auto res = phone.post("FolderSync", "<FolderSync xmlns=\"FolderHierarchy:\">...");
// Test-only.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "easemu/client/http_client.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"

namespace easemu::test {

// XML text as a WBXML body; empty for empty XML. XML that does not parse or encode fails the test
// (and gives an empty body).
inline std::string wbxml_body(const std::string& xml) {
  if (xml.empty()) return {};
  auto tree = wbxml::from_xml(xml);
  if (!tree) {
    ADD_FAILURE() << "the test's XML does not parse: " << tree.error().message() << "\n" << xml;
    return {};
  }
  auto bytes = wbxml::encode(*tree);
  if (!bytes) {
    ADD_FAILURE() << "the test's XML does not encode: " << bytes.error().message() << "\n" << xml;
    return {};
  }
  return std::move(*bytes);
}

// Every member has a default initializer, so designated initializers may leave any out (GCC 12's
// -Wmissing-field-initializers warns about members without one).
struct eas_client {
  std::uint16_t port = 0;  // the test_server's https_port
  std::string user = "alice";  // the query's User=
  std::string login{};  // the Basic user name; empty: user@lab.test
  std::string password = "Passw0rd";
  std::string device_id = "EASPHONE";
  std::string device_type = "iPhone";
  std::string version = "14.1";  // MS-ASProtocolVersion; empty: none (a base64 query carries it)
  std::string content_type = "application/vnd.ms-sync.wbxml";  // empty: none
  std::string user_agent{};  // empty: none
  std::optional<std::string> policy_key{};  // X-MS-PolicyKey
  std::vector<std::pair<std::string, std::string>> headers{};  // sent after the ones above
  std::chrono::milliseconds timeout{10'000};

  // The plain query (MS-ASHTTP 2.2.1.1.1.2) for `command`, with `tail` appended as it is
  // ("&SaveInSent=T", "&AttachmentName=...").
  std::string query(const std::string& command, const std::string& tail = {}) const {
    return "Cmd=" + command + "&User=" + user + "&DeviceId=" + device_id + "&DeviceType=" + device_type + tail;
  }

  // The request as it goes on the wire, for a query given whole (plain, base64 or broken on
  // purpose) and a body of any bytes.
  client::client_request request(const std::string& full_query, std::string body = {}) const {
    client::client_request r;
    r.method = "POST";
    r.target = "/Microsoft-Server-ActiveSync?" + full_query;
    if (!version.empty()) r.headers.emplace_back("MS-ASProtocolVersion", version);
    if (!content_type.empty()) r.headers.emplace_back("Content-Type", content_type);
    if (!user_agent.empty()) r.headers.emplace_back("User-Agent", user_agent);
    if (policy_key) r.headers.emplace_back("X-MS-PolicyKey", *policy_key);
    r.headers.insert(r.headers.end(), headers.begin(), headers.end());
    r.body = std::move(body);
    r.basic_user = login.empty() ? user + "@lab.test" : login;
    r.basic_password = password;
    r.timeout = timeout;
    return r;
  }

  // `command` with an XML body sent as WBXML (no body for empty XML).
  client::client_response post(const std::string& command, const std::string& xml = {}) const {
    return client::send(port, request(query(command), wbxml_body(xml)));
  }
  // `command` with these bytes as the body (MIME, WBXML made by hand, garbage).
  client::client_response post_bytes(const std::string& command, std::string body) const {
    return client::send(port, request(query(command), std::move(body)));
  }
  // A query given whole, with these bytes as the body.
  client::client_response post_query(const std::string& full_query, std::string body = {}) const {
    return client::send(port, request(full_query, std::move(body)));
  }
};

// The answer's WBXML as a tree; nullopt when there is no body or it does not decode.
inline std::optional<wbxml::element> tree_of(const client::client_response& res) {
  auto tree = wbxml::decode(res.body);
  if (!tree) return std::nullopt;
  return std::move(*tree);
}

// The answer as one line of XML; "HTTP <status>" when it has no body (with the transport error,
// if any), "undecodable (...)" when the body is not WBXML.
inline std::string xml_of(const client::client_response& res) {
  if (res.body.empty()) return "HTTP " + std::to_string(res.status) + (res.error.empty() ? "" : " " + res.error);
  auto tree = wbxml::decode(res.body);
  if (!tree) return "undecodable (HTTP " + std::to_string(res.status) + "): " + tree.error().message();
  return wbxml::to_xml(*tree, {false, false});
}

// The Status child of the root (the command's own status, on the root's code page); "" when
// there is none.
inline std::string status_of(const wbxml::element& root) {
  const auto* status = wbxml::find_tag(root.tag.page, std::string_view("Status"));
  return status == nullptr ? "" : std::string(root.child_text(wbxml::tag_id{status->page, status->token}));
}
// The same for an answer; "" when it has no WBXML body either.
inline std::string status_of(const client::client_response& res) {
  const auto tree = tree_of(res);
  return tree ? status_of(*tree) : "";
}

}  // namespace easemu::test
