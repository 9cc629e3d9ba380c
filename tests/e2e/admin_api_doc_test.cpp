// End-to-end: docs/openapi.yaml against the real server. Every documented operation exists and
// its documented example succeeds; every operation that needs the admin token answers 401
// without it; docs/admin-api.md names every path. Keeps the documentation honest. The event
// stream (text/event-stream, authenticated by a one-shot ticket instead of the token) is opened
// with a fresh ticket and read until its first event.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "easemu/client/http_client.hpp"
#include "support/admin_client.hpp"
#include "support/eas_client.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::client;
namespace json = boost::json;

const char* const openapi_file = EASEMU_SOURCE_DIR "/docs/openapi.yaml";
const char* const prose_file = EASEMU_SOURCE_DIR "/docs/admin-api.md";

struct operation {
  std::string method;  // upper case
  std::string path;    // as documented, with {placeholders}
  YAML::Node spec;
  bool needs_token = true;
  bool needs_ticket = false;  // security: eventTicket (GET /api/v1/events)
};

std::vector<operation> documented_operations(const YAML::Node& doc) {
  static const std::vector<std::string> methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"};
  const bool token_by_default = doc["security"] && doc["security"].size() > 0;
  std::vector<operation> out;
  for (const auto& path : doc["paths"]) {
    for (const auto& item : path.second) {
      const auto key = item.first.as<std::string>();
      if (std::find(methods.begin(), methods.end(), key) == methods.end()) continue;
      std::string method;
      std::transform(key.begin(), key.end(), std::back_inserter(method), [](char c) { return static_cast<char>(std::toupper(c)); });
      const bool needs_token = item.second["security"] ? item.second["security"].size() > 0 : token_by_default;
      bool needs_ticket = false;
      if (const auto security = item.second["security"]; security && security.IsSequence()) {
        for (const auto& scheme : security) needs_ticket = needs_ticket || scheme["eventTicket"];
      }
      // Copy-constructed: assigning a YAML::Node would overwrite the node it refers to.
      out.push_back(operation{method, path.first.as<std::string>(), item.second, needs_token, needs_ticket});
    }
  }
  return out;
}

// A YAML example as JSON: plain scalars by YAML's core schema, quoted ones stay strings.
json::value to_json(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      json::object o;
      for (const auto& kv : n) o[kv.first.as<std::string>()] = to_json(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      json::array a;
      for (const auto& item : n) a.push_back(to_json(item));
      return a;
    }
    case YAML::NodeType::Scalar: {
      const auto& s = n.Scalar();
      if (n.Tag() != "?") return json::value(s);  // quoted
      if (s == "true" || s == "false") return json::value(s == "true");
      if (s == "null" || s == "~") return nullptr;
      std::int64_t i = 0;
      if (auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i); ec == std::errc() && end == s.data() + s.size()) {
        return i;
      }
      char* end = nullptr;
      const double d = std::strtod(s.c_str(), &end);
      if (!s.empty() && end == s.c_str() + s.size()) return d;
      return json::value(s);
    }
    default: return nullptr;
  }
}

// The path with its {placeholders} filled in; fails the test for one the caller has no value for.
std::string fill(const std::string& path, const std::map<std::string, std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < path.size();) {
    if (path[i] != '{') {
      out += path[i++];
      continue;
    }
    const auto close = path.find('}', i);
    const auto name = path.substr(i + 1, close - i - 1);
    const auto it = values.find(name);
    if (it == values.end()) {
      ADD_FAILURE() << path << ": no value for the path parameter {" << name << "}";
      out += "x";
    } else {
      out += it->second;
    }
    i = close + 1;
  }
  return out;
}

client_request request_for(const operation& op, const std::string& target) {
  client_request r;
  r.tls = false;
  r.method = op.method;
  r.target = target;
  // The first documented body type, with its example (empty when there is none).
  const auto body = op.spec["requestBody"];
  if (const auto content = body ? body["content"] : YAML::Node(); content && content.size() > 0) {
    const auto first = *content.begin();
    r.headers.emplace_back("Content-Type", first.first.as<std::string>());
    if (const auto example = first.second["example"]) {
      r.body = example.IsScalar() ? example.Scalar() : json::serialize(to_json(example));
    }
  }
  return r;
}

std::string describe(const operation& op, const client_request& r, const client_response& res) {
  return op.method + " " + r.target + (r.body.empty() ? "" : " with " + r.body) + " -> " + std::to_string(res.status) +
         " " + res.body;
}

// An event stream opened with a fresh ticket and read for a moment: the status line, the headers
// and the first event (the stream itself does not end).
std::string open_event_stream(const test_server& s, const std::string& target) {
  const auto issued = admin(s, "POST", "/api/v1/events/ticket");
  EXPECT_EQ(issued.status, 201) << issued.body;
  const std::string ticket(json::parse(issued.body).at("ticket").as_string());
  const auto got = raw_exchange(s.http_port,
                                "GET " + target + "?ticket=" + ticket + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                                std::chrono::milliseconds(1500));
  return got.received;
}

TEST(AdminApiDoc, TheFileDescribesTheApi) {
  const auto doc = YAML::LoadFile(openapi_file);
  EXPECT_EQ(doc["openapi"].as<std::string>(), "3.0.3");
  const auto scheme = doc["components"]["securitySchemes"]["bearerAuth"];
  ASSERT_TRUE(scheme);
  EXPECT_EQ(scheme["type"].as<std::string>(), "http");
  EXPECT_EQ(scheme["scheme"].as<std::string>(), "bearer");

  const auto prose = read_file(prose_file);
  const auto ops = documented_operations(doc);
  EXPECT_GE(ops.size(), 20u);
  for (const auto& op : ops) {
    const bool open = op.path == "/metrics" || op.path == "/healthz" || op.path == "/readyz";
    EXPECT_EQ(op.needs_token, !open) << op.method << " " << op.path;
    if (op.needs_token) {
      EXPECT_TRUE(op.spec["responses"]["401"]) << op.method << " " << op.path << " documents no 401";
    }
    EXPECT_NE(prose.find(op.path), std::string::npos) << "docs/admin-api.md does not name " << op.path;
  }
}

TEST(AdminApiDoc, EveryDocumentedOperationExistsAndItsExampleSucceeds) {
  test_server server({"--test-clock"});  // POST /api/v1/clock's example moves the clock
  // A device partnership to name in the paths: one FolderSync of a phone (no body).
  const eas_client phone{.port = server.https_port, .device_id = "DOCDEVICE01", .device_type = "WP", .version = "14.0",
                         .content_type = "", .user_agent = "MSFT-WP/7.0.7004"};
  phone.post("FolderSync");
  ASSERT_NE(admin(server, "GET", "/api/v1/devices").body.find("DOCDEVICE01"), std::string::npos);
  const auto journal = json::parse(admin(server, "GET", "/api/v1/journal?limit=1").body).at("entries").as_array();
  ASSERT_EQ(journal.size(), 1u);
  const auto entry = std::to_string(journal[0].at("id").as_int64());
  // A contact to name as {item}.
  const auto contact = admin(server, "POST", "/api/v1/mailboxes/alice@lab.test/items",
                             R"({"folder": "Contacts", "properties": {"FileAs": "Doc, Item"}})", "application/json");
  ASSERT_EQ(contact.status, 201) << contact.body;
  const std::string item(json::parse(contact.body).at("item_id").as_string());

  const auto ops = documented_operations(YAML::LoadFile(openapi_file));
  // What removes things comes last, the reset after everything. Pointers are sorted: assigning a
  // YAML::Node writes through to the node it refers to.
  std::vector<const operation*> order;
  for (const auto& op : ops) order.push_back(&op);
  // Removing the mailbox comes after removing its items.
  auto rank = [](const operation* op) {
    if (op->path == "/api/v1/reset") return 3;
    if (op->method != "DELETE") return 0;
    return op->path == "/api/v1/mailboxes/{address}" ? 2 : 1;
  };
  std::stable_sort(order.begin(), order.end(), [&](const operation* a, const operation* b) { return rank(a) < rank(b); });

  for (const auto* each : order) {
    const auto& op = *each;
    // A fresh fault rule for each operation, so {id} names one that exists.
    const auto rule = admin(server, "POST", "/api/v1/faults", R"({"match": {"command": "Search"}, "action": {"eas_status": 3}})");
    ASSERT_EQ(rule.status, 201) << rule.body;
    const std::map<std::string, std::string> values = {{"DeviceId", "DOCDEVICE01"},
                                                       {"address", "alice@lab.test"},
                                                       {"id", std::string(json::parse(rule.body).at("id").as_string())},
                                                       {"entry", entry},
                                                       {"item", item}};
    if (op.needs_ticket) {
      ASSERT_EQ(op.method, "GET") << op.path;
      const auto received = open_event_stream(server, fill(op.path, values));
      EXPECT_TRUE(received.starts_with("HTTP/1.1 200 ")) << op.path << ": " << received;
      EXPECT_NE(received.find("Content-Type: text/event-stream"), std::string::npos) << received;
      EXPECT_NE(received.find("\r\n\r\nretry: "), std::string::npos) << received;
      EXPECT_TRUE(op.spec["responses"]["200"]["content"]["text/event-stream"]) << op.path << " documents no event stream";
      continue;
    }
    auto r = request_for(op, fill(op.path, values));
    r.headers.emplace_back("Authorization", "Bearer " + server.admin_token);
    const auto res = send(server.http_port, r);
    ASSERT_TRUE(res.error.empty()) << op.method << " " << op.path << ": " << res.error;
    const auto what = describe(op, r, res);
    EXPECT_NE(res.status, 405) << what;
    EXPECT_FALSE(res.status == 404 && res.body.find("no such admin resource") != std::string::npos) << what;
    EXPECT_TRUE(op.spec["responses"][std::to_string(res.status)]) << "undocumented status: " << what;
    EXPECT_LT(res.status, 300) << what;
  }
}

TEST(AdminApiDoc, EveryOperationThatNeedsTheTokenAnswers401WithoutIt) {
  test_server server;
  const std::map<std::string, std::string> values = {
      {"DeviceId", "DOCDEVICE01"}, {"address", "alice@lab.test"}, {"id", "f1"}, {"entry", "1"}, {"item", "8:1"}};
  for (const auto& op : documented_operations(YAML::LoadFile(openapi_file))) {
    auto r = request_for(op, fill(op.path, values));
    const auto res = send(server.http_port, r);
    const auto what = describe(op, r, res);
    if (op.needs_ticket) {
      // No ticket, a wrong one, or the admin token in its place: 401 all the same.
      EXPECT_EQ(res.status, 401) << what;
      auto wrong = r;
      wrong.target += "?ticket=0123456789abcdef0123456789abcdef";
      EXPECT_EQ(send(server.http_port, wrong).status, 401) << "wrong ticket: " << what;
      r.headers.emplace_back("Authorization", "Bearer " + server.admin_token);
      EXPECT_EQ(send(server.http_port, r).status, 401) << "the token instead of a ticket: " << what;
    } else if (op.needs_token) {
      EXPECT_EQ(res.status, 401) << what;
      EXPECT_EQ(res.header("WWW-Authenticate"), "Bearer") << what;
      r.headers.emplace_back("Authorization", "Bearer wrong-" + server.admin_token);
      EXPECT_EQ(send(server.http_port, r).status, 401) << "wrong token: " << what;
    } else {
      EXPECT_EQ(res.status, 200) << what;
    }
  }
}

}  // namespace
