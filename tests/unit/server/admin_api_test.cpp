// The admin API's route table without a server: path matching ({param} capture, percent-decoding,
// trailing slashes), the 405 messages it makes from its routes, the API's front door (the Bearer
// token, the one-shot-ticket route that skips it, 404 and 405) around a route registered by the
// test alone, and the whole table against docs/openapi.yaml.
#include "admin/api/admin_api.hpp"
#include "admin/api/route_table.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>

#include "easemu/server/router.hpp"
#include "easemu/store/store.hpp"

namespace {

using namespace easemu::server;
using namespace easemu::server::admin;

http_request request(std::string method, std::string target, std::string token = "") {
  http_request r;
  r.method = std::move(method);
  r.target = std::move(target);
  if (!token.empty()) r.headers.emplace_back("Authorization", "Bearer " + token);
  return r;
}

std::string error_of(const http_response& r) {
  return std::string(boost::json::parse(r.body).at("error").as_string());
}

TEST(RouteMatch, LiteralSegmentsCompareExactly) {
  EXPECT_TRUE(match_path("/api/v1/devices", "/api/v1/devices"));
  EXPECT_FALSE(match_path("/api/v1/devices", "/api/v1/Devices"));
  EXPECT_FALSE(match_path("/api/v1/devices", "/api/v1/device"));
  EXPECT_FALSE(match_path("/api/v1/devices", "/api/v1/devices/x"));
  EXPECT_FALSE(match_path("/api/v1/devices/{DeviceId}", "/api/v1/devices"));
}

TEST(RouteMatch, ParamsCaptureOneWholeSegmentAsSent) {
  auto p = match_path("/api/v1/devices/{DeviceId}/wipe", "/api/v1/devices/WP%2F7+x/wipe");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->raw("DeviceId"), "WP%2F7+x");
  EXPECT_EQ(p->raw("nothing"), "");
  // A raw '/' ends the segment: a capture never spans two.
  EXPECT_FALSE(match_path("/api/v1/devices/{DeviceId}/wipe", "/api/v1/devices/a/b/wipe"));
  EXPECT_FALSE(match_path("/api/v1/devices/{DeviceId}", "/api/v1/devices/a/b"));
  auto two = match_path("/api/v1/mailboxes/{address}/{what}", "/api/v1/mailboxes/alice%40lab.test/folders");
  ASSERT_TRUE(two);
  EXPECT_EQ(two->raw("address"), "alice%40lab.test");
  EXPECT_EQ(two->raw("what"), "folders");
}

TEST(RouteMatch, IdsArePercentDecodedWithPlusLiteral) {
  auto p = match_path("/api/v1/devices/{DeviceId}", "/api/v1/devices/WP%2F7+x%41");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->decoded("DeviceId"), "WP/7+xA");
  auto bad = match_path("/api/v1/devices/{DeviceId}", "/api/v1/devices/%zz");
  ASSERT_TRUE(bad);  // the route matches; its handler refuses the id (400)
  EXPECT_FALSE(bad->decoded("DeviceId"));
  auto mailbox = match_path("/api/v1/mailboxes/{address}/messages", "/api/v1/mailboxes/Alice%40Lab.Test/messages");
  ASSERT_TRUE(mailbox);
  EXPECT_EQ(mailbox->decoded("address"), "Alice@Lab.Test");
}

// As before the table: "/api/v1/devices/" names the device "" (a 400 of its handler), while a
// slash after a path without a parameter is a path the API does not have.
TEST(RouteMatch, TrailingSlashes) {
  auto empty = match_path("/api/v1/devices/{DeviceId}", "/api/v1/devices/");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->raw("DeviceId"), "");
  EXPECT_EQ(empty->decoded("DeviceId"), "");
  EXPECT_TRUE(match_path("/api/v1/faults/{id}", "/api/v1/faults/"));
  EXPECT_TRUE(match_path("/api/v1/journal/{entry}", "/api/v1/journal/"));
  EXPECT_FALSE(match_path("/api/v1/devices", "/api/v1/devices/"));
  EXPECT_FALSE(match_path("/api/v1/server", "/api/v1/server/"));
  EXPECT_FALSE(match_path("/api/v1/devices/{DeviceId}/wipe", "/api/v1/devices/x/wipe/"));
  EXPECT_FALSE(match_path("/api/v1/devices/{DeviceId}", "/api/v1/devices/x/"));
}

http_response answer(std::string text) { return http_response::text(200, std::move(text)); }

TEST(RouteTable, FirstRouteOfPathAndMethodAnswers) {
  route_table t;
  t.add({{"GET"}, "/api/v1/things", [](const api_call&) { return answer("list"); }});
  t.add({{"GET"}, "/api/v1/things/{id}", [](const api_call&) { return answer("one"); }});
  t.add({{"DELETE"}, "/api/v1/things/{id}", [](const api_call&) { return answer("gone"); }});
  t.add({{"GET"}, "/api/v1/things/{other}", [](const api_call&) { return answer("shadowed"); }});
  auto f = t.find("DELETE", "/api/v1/things/7");
  ASSERT_NE(f.answering, nullptr);
  EXPECT_EQ(f.answering->handler(api_call{request("DELETE", "/api/v1/things/7"), f.params}).body, "gone");
  EXPECT_EQ(f.params.raw("id"), "7");
  f = t.find("GET", "/api/v1/things/7");
  ASSERT_NE(f.answering, nullptr);
  EXPECT_EQ(f.answering->pattern, "/api/v1/things/{id}");
  EXPECT_EQ(f.on_path, f.answering);
  f = t.find("GET", "/api/v1/nothing");
  EXPECT_EQ(f.answering, nullptr);
  EXPECT_EQ(f.on_path, nullptr);
}

TEST(RouteTable, WrongMethodMessagesComeFromTheRoutesOfThePath) {
  route_table t;
  t.add({{"GET"}, "/api/v1/one", [](const api_call&) { return answer(""); }});
  t.add({{"GET"}, "/api/v1/two/{id}", [](const api_call&) { return answer(""); }});
  t.add({{"DELETE"}, "/api/v1/two/{id}", [](const api_call&) { return answer(""); }});
  t.add({{"GET"}, "/api/v1/three", [](const api_call&) { return answer(""); }});
  t.add({{"POST", "PUT"}, "/api/v1/three", [](const api_call&) { return answer(""); }});
  t.add({{"DELETE"}, "/api/v1/three", [](const api_call&) { return answer(""); }});
  t.add({{"GET"}, "/api/v1/told", [](const api_call&) { return answer(""); }});
  t.add({{"POST"}, "/api/v1/told", [](const api_call&) { return answer(""); }, "use POST with a body"});
  EXPECT_EQ(t.find("POST", "/api/v1/one").wrong_method, "use GET");
  EXPECT_EQ(t.find("PUT", "/api/v1/two/x").wrong_method, "use GET or DELETE");
  EXPECT_EQ(t.find("PATCH", "/api/v1/three").wrong_method, "use GET, POST, PUT or DELETE");
  EXPECT_EQ(t.find("DELETE", "/api/v1/told").wrong_method, "use POST with a body");
  EXPECT_EQ(t.find("GET", "/api/v1/one").wrong_method, "");
  EXPECT_EQ(t.find("get", "/api/v1/one").answering, nullptr);  // methods compare exactly
}

// A route the test registers through the table alone: reached with the token, refused without.
class AdminApi : public ::testing::Test {
 protected:
  AdminApi() {
    api.routes().add({{"GET", "HEAD"}, "/api/v1/test-only/{name}", [this](const api_call& call) {
                        ++calls;
                        return answer("hello " + call.params.decoded("name").value_or("?"));
                      }});
    api.routes().add({{"GET"}, "/api/v1/test-ticket", [](const api_call&) { return answer("ticket checked here"); },
                      "use GET with a ticket", credential::event_ticket});
  }

  admin_api api{"s3cret"};
  int calls = 0;
};

TEST_F(AdminApi, ATestOnlyRouteIsReachedWithTheToken) {
  const auto r = api.handle(request("GET", "/api/v1/test-only/caf%C3%A9?x=1", "s3cret"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello caf\xC3\xA9");
  EXPECT_EQ(api.handle(request("HEAD", "/api/v1/test-only/x", "s3cret")).status, 200);
  EXPECT_EQ(calls, 2);
}

TEST_F(AdminApi, WithoutTheTokenEveryPathIs401BeforeAnythingElse) {
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/v1/test-only/x"}, {"DELETE", "/api/v1/test-only/x"}, {"GET", "/api/v1/nothing-here"}}) {
    for (const std::string token : {"", "wrong"}) {
      const auto r = api.handle(request(method, target, token));
      EXPECT_EQ(r.status, 401) << method << " " << target;
      EXPECT_EQ(*find_header(r.headers, "WWW-Authenticate"), "Bearer");
      EXPECT_EQ(*find_header(r.headers, "Content-Type"), "application/json");
      EXPECT_EQ(r.body, "{\"error\":\"the admin API needs the admin token as Authorization: Bearer <token>\"}\n");
    }
  }
  auto basic = request("GET", "/api/v1/test-only/x");
  basic.headers.emplace_back("Authorization", "Basic czNjcmV0");
  EXPECT_EQ(api.handle(basic).status, 401);
  EXPECT_EQ(calls, 0);
}

TEST_F(AdminApi, AWrongMethodIs405AndAnUnknownPath404) {
  const auto wrong = api.handle(request("DELETE", "/api/v1/test-only/x", "s3cret"));
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(error_of(wrong), "use GET or HEAD");
  const auto missing = api.handle(request("GET", "/api/v1/test-only", "s3cret"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, "{\"error\":\"no such admin resource\"}\n");
  EXPECT_EQ(calls, 0);
}

TEST_F(AdminApi, ARouteWithAnotherCredentialSkipsTheToken) {
  EXPECT_EQ(api.handle(request("GET", "/api/v1/test-ticket")).body, "ticket checked here");
  const auto wrong = api.handle(request("POST", "/api/v1/test-ticket"));
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(error_of(wrong), "use GET with a ticket");
  // Only that path: a path below it is the token's again.
  EXPECT_EQ(api.handle(request("GET", "/api/v1/test-ticket/x")).status, 401);
}

// The services a whole API runs over, as the router builds them, over an in-memory store.
class WholeApi : public ::testing::Test {
 protected:
  WholeApi() {
    prov = std::make_unique<provisioning_service>(db, "2010SP1", log);
    folders = std::make_unique<folder_service>(db, log);
    mail = std::make_unique<mail_service>(db, *folders, log);
    access = std::make_unique<access_service>(db, *mail, log);
    shell = std::make_unique<exchange_shell>(db, *prov, *access);
    api = std::make_unique<admin_api>("t", api_context{lab, db, *shell, *prov, *folders, *mail, faults, events, tls, reset,
                                                       [] { return std::size_t{0}; }, [] {}, log});
  }

  lab_view lab;
  std::shared_ptr<easemu::store::store> db = easemu::store::open_memory_store();
  std::shared_ptr<spdlog::logger> log = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
  std::unique_ptr<provisioning_service> prov;
  std::unique_ptr<folder_service> folders;
  std::unique_ptr<mail_service> mail;
  std::unique_ptr<access_service> access;
  std::unique_ptr<exchange_shell> shell;
  fault_registry faults{1};
  event_hub events;
  tls_control tls;
  std::function<std::string()> reset;
  std::unique_ptr<admin_api> api;
};

// docs/openapi.yaml's operations as "METHOD /path", and whether each takes the event ticket.
std::map<std::string, bool> documented_operations() {
  std::map<std::string, bool> out;
  for (const auto& path : YAML::LoadFile(EASEMU_SOURCE_DIR "/docs/openapi.yaml")["paths"]) {
    const auto name = path.first.as<std::string>();
    if (!name.starts_with("/api/v1/")) continue;
    for (const auto& op : path.second) {
      auto method = op.first.as<std::string>();
      static const std::set<std::string> methods = {"get", "put", "post", "delete", "patch", "head", "options"};
      if (!methods.contains(method)) continue;  // parameters, summary, ...
      std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::toupper(c); });
      bool ticket = false;
      if (const auto security = op.second["security"]; security && security.IsSequence()) {
        for (const auto& scheme : security) ticket = ticket || scheme["eventTicket"];
      }
      out[method + " " + name] = ticket;
    }
  }
  return out;
}

// The table and the documentation name the same operations (POST /api/v1/tls, PUT's older twin,
// is the one route the documents leave out), with the same credential.
TEST_F(WholeApi, TheTableIsWhatOpenApiDocuments) {
  const auto documented = documented_operations();
  std::set<std::string> routed;
  for (const auto& r : api->routes().routes()) {
    for (const auto& m : r.methods) {
      const auto op = m + " " + r.pattern;
      routed.insert(op);
      if (op == "POST /api/v1/tls") continue;
      const auto doc = documented.find(op);
      ASSERT_NE(doc, documented.end()) << op << " is not in docs/openapi.yaml";
      EXPECT_EQ(doc->second, r.needs == credential::event_ticket) << op;
    }
  }
  for (const auto& [op, ticket] : documented) EXPECT_TRUE(routed.contains(op)) << op << " has no route";
}

}  // namespace
