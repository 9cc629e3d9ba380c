// Fault rules without a server: parsing and validation, matching, count and probability, the
// version rules of a status in the body, damaged bodies, the admin API's fault resource and the
// timer.
#include "easemu/server/faults.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "admin/api/admin_api.hpp"
#include "admin/api/resources.hpp"

namespace {

using namespace easemu;
using namespace easemu::server;

fault_rule parse(const std::string& json) {
  auto r = parse_fault_rule(json);
  EXPECT_TRUE(r.rule) << json << ": " << r.error;
  return r.rule ? *r.rule : fault_rule{};
}

std::string parse_error(const std::string& json) {
  auto r = parse_fault_rule(json);
  EXPECT_FALSE(r.rule) << json;
  return r.error;
}

fault_request request(std::string_view user = "alice@lab.test", std::string_view command = "Sync",
                      std::string_view version = "14.1", std::string_view device_id = "D1",
                      std::string_view device_type = "iPhone") {
  return {user, device_id, device_type, command, version};
}

TEST(FaultParse, TheIssuesExampleAndEveryAction) {
  const auto r = parse(R"({"match": {"user": "alice@lab.test", "device_id": "ABC", "device_type": "WP",
      "command": "sync", "protocol_version": "14.1"}, "action": {"http_status": 503, "retry_after": 30},
      "probability": 1.0, "count": 1})");
  EXPECT_EQ(r.match.user, "alice@lab.test");
  EXPECT_EQ(r.match.device_id, "ABC");
  EXPECT_EQ(r.match.device_type, "WP");
  EXPECT_EQ(r.match.command, "Sync");  // MS-ASCMD's spelling
  EXPECT_EQ(r.match.protocol_version, "14.1");
  EXPECT_EQ(r.action.kind, fault_kind::http_status);
  EXPECT_EQ(r.action.http_status, 503);
  EXPECT_EQ(r.action.retry_after, 30);
  EXPECT_EQ(r.probability, 1.0);
  EXPECT_EQ(r.count, 1u);

  const auto defaults = parse(R"({"action": {"eas_status": 3}})");
  EXPECT_EQ(defaults.match, fault_match{});
  EXPECT_EQ(defaults.probability, 1.0);
  EXPECT_FALSE(defaults.count);
  EXPECT_EQ(defaults.action.eas_status, 3);

  EXPECT_EQ(parse(R"({"action": {"delay_ms": 2000}})").action.delay_ms, 2000);
  EXPECT_EQ(parse(R"({"action": {"drop": true}})").action.kind, fault_kind::drop);
  EXPECT_EQ(parse(R"({"action": {"corrupt_body": true}})").action.kind, fault_kind::corrupt_body);
  EXPECT_EQ(parse(R"({"action": {"truncate_body": true}})").action.kind, fault_kind::truncate_body);
  EXPECT_EQ(parse(R"({"action": {"policy_refresh": true}})").action.kind, fault_kind::policy_refresh);
  EXPECT_EQ(parse(R"({"action": {"http_status": 451, "location": "https://m2.lab.test/x"}})").action.location,
            "https://m2.lab.test/x");
  EXPECT_EQ(parse(R"({"action": {"drop": true}, "probability": 0})").probability, 0.0);
  EXPECT_EQ(parse(R"({"action": {"drop": true}, "count": null, "match": null})").count, std::nullopt);
}

TEST(FaultParse, ErrorsNameTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "not JSON"},
      {"[]", "JSON object"},
      {R"({"match": {}})", "action"},
      {R"({"action": {}})", "action"},
      {R"({"action": 3})", "action"},
      {R"({"action": {"http_status": 302}})", "action.http_status"},
      {R"({"action": {"http_status": "503"}})", "action.http_status"},
      {R"({"action": {"http_status": 503.5}})", "action.http_status"},
      {R"({"action": {"http_status": 503, "retry_after": -1}})", "action.retry_after"},
      {R"({"action": {"http_status": 500, "retry_after": 5}})", "action.retry_after"},
      {R"({"action": {"http_status": 503, "location": "https://x"}})", "action.location"},
      {R"({"action": {"http_status": 451, "location": "ftp://x"}})", "action.location"},
      {R"({"action": {"http_status": 451, "location": "https://x\r\nSet-Cookie: a"}})", "action.location"},
      {R"({"action": {"eas_status": 0}})", "action.eas_status"},
      {R"({"action": {"delay_ms": 0}})", "action.delay_ms"},
      {R"({"action": {"delay_ms": 3600000}})", "action.delay_ms"},
      {R"({"action": {"drop": "yes"}})", "action.drop"},
      {R"({"action": {"drop": true, "corrupt_body": true}})", "one action per rule"},
      {R"({"action": {"explode": true}})", "action.explode"},
      {R"({"match": {"command": "Synch"}, "action": {"drop": true}})", "match.command"},
      {R"({"match": {"protocol_version": "14"}, "action": {"drop": true}})", "match.protocol_version"},
      {R"({"match": {"user": 7}, "action": {"drop": true}})", "match.user"},
      {R"({"match": {"device_type": "W\nP"}, "action": {"drop": true}})", "match.device_type"},
      {R"({"match": {"deviceid": "x"}, "action": {"drop": true}})", "match.deviceid"},
      {R"({"match": [], "action": {"drop": true}})", "match"},
      {R"({"action": {"drop": true}, "probability": -0.1})", "probability"},
      {R"({"action": {"drop": true}, "probability": "1"})", "probability"},
      {R"({"action": {"drop": true}, "count": 0})", "count"},
      {R"({"action": {"drop": true}, "count": 1.5})", "count"},
      {R"({"action": {"drop": true}, "id": "f1"})", "id"},
  };
  for (const auto& [json, field] : cases) {
    EXPECT_NE(parse_error(json).find(field), std::string::npos) << json << " -> " << parse_error(json);
  }
}

TEST(FaultParse, JsonRoundTrip) {
  fault_registry reg(1);
  auto stored = reg.add(parse(R"({"match": {"user": "bob", "command": "Ping"}, "action": {"http_status": 503,
      "retry_after": 5}, "probability": 0.25, "count": 3})"), "admin API");
  const auto v = boost::json::parse(fault_rule_json(stored)).as_object();
  EXPECT_EQ(v.at("id").as_string(), "f1");
  EXPECT_EQ(v.at("hits").to_number<int>(), 0);
  EXPECT_EQ(v.at("exhausted").as_bool(), false);
  EXPECT_EQ(v.at("source").as_string(), "admin API");
  // What the API shows can be posted again (without the registry's own fields).
  boost::json::object again{{"match", v.at("match")}, {"action", v.at("action")}, {"probability", v.at("probability")},
                            {"count", v.at("count")}};
  const auto back = parse(boost::json::serialize(again));
  EXPECT_EQ(back.match, stored.match);
  EXPECT_EQ(back.action, stored.action);
  EXPECT_EQ(back.probability, 0.25);
  EXPECT_EQ(back.count, 3u);
}

TEST(FaultMatch, EveryFieldOptionalAndCaseInsensitive) {
  EXPECT_TRUE(matches({}, request()));
  fault_match m;
  m.user = "ALICE@Lab.Test";
  EXPECT_TRUE(matches(m, request()));
  m.user = "alice";  // the alias
  EXPECT_TRUE(matches(m, request()));
  m.user = "alice@other.test";
  EXPECT_FALSE(matches(m, request()));
  m.user = "bob";
  EXPECT_FALSE(matches(m, request()));
  m = {};
  m.command = "Sync";
  EXPECT_TRUE(matches(m, request("a@b", "sync")));
  EXPECT_FALSE(matches(m, request("a@b", "FolderSync")));
  m = {};
  m.device_id = "d1";
  m.device_type = "IPHONE";
  EXPECT_TRUE(matches(m, request()));
  EXPECT_FALSE(matches(m, request("alice@lab.test", "Sync", "14.1", "D2")));
  EXPECT_FALSE(matches(m, request("alice@lab.test", "Sync", "14.1", "D1", "WP")));
  m = {};
  m.protocol_version = "12.1";
  EXPECT_TRUE(matches(m, request("a@b", "Sync", "12.1")));
  EXPECT_FALSE(matches(m, request("a@b", "Sync", "14.1")));
}

TEST(FaultRegistry, CountStopsTheRuleAndTheFirstMatchingRuleWins) {
  fault_registry reg(7);
  const auto a = reg.add(parse(R"({"match": {"command": "Sync"}, "action": {"eas_status": 3}, "count": 2})"), "test");
  const auto b = reg.add(parse(R"({"action": {"http_status": 500}})"), "test");
  EXPECT_EQ(a.id, "f1");
  EXPECT_EQ(b.id, "f2");
  for (int i = 0; i < 2; ++i) {
    const auto hit = reg.match(request());
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->rule_id, "f1");
    EXPECT_EQ(hit->action.eas_status, 3);
  }
  const auto third = reg.match(request());  // f1 is exhausted
  ASSERT_TRUE(third);
  EXPECT_EQ(third->rule_id, "f2");
  const auto list = reg.list();
  EXPECT_EQ(list[0].hits, 2u);
  EXPECT_TRUE(list[0].exhausted());
  EXPECT_EQ(list[1].hits, 1u);
  EXPECT_TRUE(reg.remove("F2"));
  EXPECT_FALSE(reg.remove("f2"));
  EXPECT_FALSE(reg.match(request()));
  EXPECT_EQ(reg.clear(), 1u);
  EXPECT_TRUE(reg.list().empty());
  EXPECT_EQ(reg.add(parse(R"({"action": {"drop": true}})"), "test").id, "f3");  // ids are not reused
}

TEST(FaultRegistry, ProbabilityIsDrawnFromTheSeededEngine) {
  auto run = [](std::uint64_t seed) {
    fault_registry reg(seed);
    reg.add(parse(R"({"action": {"drop": true}, "probability": 0.3})"), "test");
    std::string pattern;
    for (int i = 0; i < 1000; ++i) pattern += reg.match(request()) ? '1' : '0';
    return pattern;
  };
  const auto first = run(42);
  EXPECT_EQ(first, run(42));  // the same seed replays the same hits
  EXPECT_NE(first, run(43));
  const auto hits = std::count(first.begin(), first.end(), '1');
  EXPECT_GT(hits, 200);
  EXPECT_LT(hits, 400);

  fault_registry reg(1);
  reg.add(parse(R"({"action": {"drop": true}, "probability": 0})"), "test");
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(reg.match(request()));
  EXPECT_EQ(reg.list()[0].hits, 0u);
}

TEST(FaultRegistry, PolicyRefreshSkipsProvisionAndPing) {
  fault_registry reg(1);
  reg.add(parse(R"({"action": {"policy_refresh": true}})"), "test");
  EXPECT_FALSE(reg.match(request("a@b", "Provision")));
  EXPECT_FALSE(reg.match(request("a@b", "Ping")));
  EXPECT_TRUE(reg.match(request("a@b", "FolderSync")));
  EXPECT_EQ(reg.list()[0].hits, 1u);
}

TEST(FaultAnswer, HttpStatusHeadersAndDrop) {
  fault_action a;
  a.http_status = 503;
  auto r = fault_http_response(a, "14.3", "mail.lab.test");
  EXPECT_EQ(r.status, 503);
  ASSERT_NE(find_header(r.headers, "Retry-After"), nullptr);
  EXPECT_EQ(*find_header(r.headers, "Retry-After"), "30");
  EXPECT_EQ(*find_header(r.headers, "MS-Server-ActiveSync"), "14.3");
  a.retry_after = 0;
  EXPECT_EQ(*find_header(fault_http_response(a, "14.3", "x").headers, "Retry-After"), "0");
  a = {};
  a.http_status = 451;
  a.location = "https://m2/Microsoft-Server-ActiveSync";
  r = fault_http_response(a, "14.3", "x");
  EXPECT_EQ(*find_header(r.headers, "X-MS-Location"), "https://m2/Microsoft-Server-ActiveSync");
  a = {};
  a.http_status = 401;
  r = fault_http_response(a, "14.3", "mail.lab.test");
  EXPECT_EQ(*find_header(r.headers, "WWW-Authenticate"), "Basic realm=\"mail.lab.test\"");
  a = {};
  a.kind = fault_kind::drop;
  r = fault_http_response(a, "14.3", "x");
  EXPECT_TRUE(r.drop);
  EXPECT_TRUE(r.close);
  EXPECT_EQ(describe(a), "drop");
}

TEST(FaultAnswer, DamagedBodies) {
  const std::string wbxml("\x03\x01\x6a\x00\x45\x4e\x03" "1\x00\x01\x01", 11);
  fault_action a;
  a.kind = fault_kind::corrupt_body;
  std::string body = wbxml;
  damage_body(a, body);
  ASSERT_EQ(body.size(), wbxml.size());
  EXPECT_EQ(static_cast<unsigned char>(body[0]), 0xFC);  // no WBXML 1.3 decoder accepts this
  for (std::size_t i = 0; i < body.size(); ++i) EXPECT_NE(body[i], wbxml[i]);
  a.kind = fault_kind::truncate_body;
  body = wbxml;
  damage_body(a, body);
  EXPECT_EQ(body, wbxml.substr(0, 5));
  a.kind = fault_kind::delay;
  body = wbxml;
  damage_body(a, body);
  EXPECT_EQ(body, wbxml);
  std::string empty;
  a.kind = fault_kind::corrupt_body;
  damage_body(a, empty);
  EXPECT_TRUE(empty.empty());
}

// The fault rules' resource (admin/api/faults.cpp) reached as the server reaches it: through the
// admin API's route table, with the admin token.
http_response handle_faults_api(fault_registry& registry, http_request request) {
  admin::admin_api api("token");
  admin::add_fault_routes(api.routes(), registry,
                          std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>()));
  request.headers.emplace_back("Authorization", "Bearer token");
  return api.handle(request);
}

TEST(FaultApi, AddListRemove) {
  fault_registry reg(1);
  http_request req;
  req.method = "POST";
  req.target = "/api/v1/faults";
  req.body = R"({"action": {"http_status": 503}, "count": 1})";
  auto r = handle_faults_api(reg, req);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(*find_header(r.headers, "Location"), "/api/v1/faults/f1");
  req.body = R"({"action": {"http_status": 99}})";
  r = handle_faults_api(reg, req);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("action.http_status"), std::string::npos);
  req.method = "GET";
  req.body.clear();
  r = handle_faults_api(reg, req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(boost::json::parse(r.body).at("faults").as_array().size(), 1u);
  req.target = "/api/v1/faults/f1";
  EXPECT_EQ(handle_faults_api(reg, req).status, 200);
  req.target = "/api/v1/faults/f9";
  EXPECT_EQ(handle_faults_api(reg, req).status, 404);
  req.method = "PUT";
  EXPECT_EQ(handle_faults_api(reg, req).status, 405);
  req.method = "DELETE";
  req.target = "/api/v1/faults/f1";
  EXPECT_EQ(handle_faults_api(reg, req).status, 200);
  EXPECT_EQ(handle_faults_api(reg, req).status, 404);
  req.target = "/api/v1/faults";
  r = handle_faults_api(reg, req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(boost::json::parse(r.body).at("removed").to_number<int>(), 0);
}

TEST(DelayTimer, RunsAfterTheDelayInOrderAndEverythingAtShutdown) {
  delay_timer timer;
  std::atomic<int> order{0};
  std::atomic<int> first{0}, second{0};
  const auto started = std::chrono::steady_clock::now();
  std::atomic<long long> elapsed_ms{0};
  timer.after(std::chrono::milliseconds(200), [&] {
    second = ++order;
    elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  });
  timer.after(std::chrono::milliseconds(50), [&] { first = ++order; });
  std::atomic<bool> late{false};
  timer.after(std::chrono::hours(1), [&] { late = true; });
  for (int i = 0; i < 200 && order < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 2);
  EXPECT_GE(elapsed_ms, 190);
  EXPECT_FALSE(late);
  timer.shutdown();  // the server stops: what still waits runs now
  EXPECT_TRUE(late);
  bool now = false;
  timer.after(std::chrono::hours(1), [&] { now = true; });
  EXPECT_TRUE(now);
}

}  // namespace
