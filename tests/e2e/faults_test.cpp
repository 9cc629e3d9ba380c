// End-to-end: fault injection (docs/faults.md). Each action seen by a real client over TLS, the
// match fields, count and probability, the admin API, the journal, the lab file and the CLI.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "easemu/client/http_client.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/admin_client.hpp"
#include "support/eas_client.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"
#include "support/wait.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::client;
namespace wbxml = easemu::wbxml;
namespace json = boost::json;
using wbxml::tag;

const std::string folder_sync_xml = "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>";
const std::string sync_xml =
    "<Sync xmlns=\"AirSync:\"><Collections><Collection><SyncKey>0</SyncKey><CollectionId>1</CollectionId>"
    "</Collection></Collections></Sync>";

// alice's iPhone F1 on 14.1, unless a test changes it.
eas_client phone_of(const test_server& s) { return {.port = s.https_port, .device_id = "F1"}; }

// `command` with `xml` as its body, or a first FolderSync or Sync when the test gives none.
client_response eas(const eas_client& phone, const std::string& command = "FolderSync", const std::string& xml = {}) {
  return phone.post(command, !xml.empty() ? xml : command == "Sync" ? sync_xml : folder_sync_xml);
}

// Adds a rule; returns its id.
std::string add_fault(const test_server& s, const std::string& rule) {
  const auto res = admin(s, "POST", "/api/v1/faults", rule, "application/json");
  EXPECT_EQ(res.status, 201) << res.body;
  boost::system::error_code ec;
  const auto v = json::parse(res.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("id")) return "";
  return std::string(v.at("id").as_string());
}

json::array faults(const test_server& s) {
  const auto res = admin(s, "GET", "/api/v1/faults");
  EXPECT_EQ(res.status, 200) << res.body;
  return json::parse(res.body).at("faults").as_array();
}

std::int64_t hits_of(const test_server& s, const std::string& id) {
  for (const auto& f : faults(s)) {
    if (f.at("id").as_string() == id) return f.at("hits").to_number<std::int64_t>();
  }
  return -1;
}

TEST(Faults, HttpStatus503WithRetryAfterHitsOnceWithCountOne) {
  test_server server;
  const auto id = add_fault(server, R"({"match": {"user": "alice@lab.test", "command": "Sync"},
      "action": {"http_status": 503, "retry_after": 30}, "probability": 1.0, "count": 1})");
  EXPECT_EQ(id, "f1");
  const auto c = phone_of(server);
  const auto first = eas(c, "Sync");
  EXPECT_EQ(first.status, 503);
  EXPECT_EQ(first.header("Retry-After"), "30");
  EXPECT_FALSE(first.header("MS-Server-ActiveSync").empty());
  // count 1: the next Sync is answered normally.
  const auto second = eas(c, "Sync");
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(hits_of(server, id), 1);
  const auto list = faults(server);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_TRUE(list[0].at("exhausted").as_bool());
  EXPECT_EQ(list[0].at("count").to_number<int>(), 1);
  EXPECT_EQ(list[0].at("source").as_string(), "admin API");
}

TEST(Faults, HttpStatus451CarriesXMsLocationAnd401AChallenge) {
  test_server server;
  add_fault(server, R"({"match": {"device_id": "MOVED"}, "action": {"http_status": 451,
      "location": "https://mail2.lab.test/Microsoft-Server-ActiveSync"}})");
  add_fault(server, R"({"match": {"device_id": "MOVED2"}, "action": {"http_status": 451}})");
  add_fault(server, R"({"match": {"device_id": "LOCKED"}, "action": {"http_status": 401}})");
  auto c = phone_of(server);
  c.device_id = "MOVED";
  auto res = eas(c);
  EXPECT_EQ(res.status, 451);
  EXPECT_EQ(res.header("X-MS-Location"), "https://mail2.lab.test/Microsoft-Server-ActiveSync");
  c.device_id = "MOVED2";
  res = eas(c);
  EXPECT_EQ(res.status, 451);  // default: this server's own EAS URL
  EXPECT_TRUE(res.header("X-MS-Location").ends_with("/Microsoft-Server-ActiveSync")) << res.header("X-MS-Location");
  c.device_id = "LOCKED";
  res = eas(c);
  EXPECT_EQ(res.status, 401);
  EXPECT_TRUE(res.header("WWW-Authenticate").starts_with("Basic realm=")) << res.header("WWW-Authenticate");
}

TEST(Faults, EasStatusInTheCommandsBodyPerVersion) {
  test_server server;
  add_fault(server, R"({"match": {"command": "Sync"}, "action": {"eas_status": 3}})");
  add_fault(server, R"({"match": {"command": "FolderSync", "protocol_version": "14.1"}, "action": {"eas_status": 9}})");
  add_fault(server, R"({"match": {"command": "FolderSync", "protocol_version": "12.1"}, "action": {"eas_status": 142}})");
  add_fault(server, R"({"match": {"command": "FolderSync", "protocol_version": "14.0"}, "action": {"eas_status": 177}})");
  auto c = phone_of(server);
  for (const char* v : {"14.1", "12.1"}) {
    c.version = v;
    const auto res = eas(c, "Sync");
    EXPECT_EQ(res.status, 200) << v;
    EXPECT_EQ(status_of(res), "3") << v;  // Sync's own status: in the body for every version
  }
  c.version = "14.1";
  auto res = eas(c);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(status_of(res), "9");
  c.version = "12.1";  // 1xx before 14.0: the HTTP status instead (PROVISIONING.md 1.8)
  res = eas(c);
  EXPECT_EQ(res.status, 449);
  EXPECT_TRUE(res.body.empty());
  c.version = "14.0";  // 177 is past what 14.0 carries in a body
  res = eas(c);
  EXPECT_EQ(res.status, 403);
}

TEST(Faults, DelayAnswersNormallyAfterTheDelay) {
  test_server server;
  add_fault(server, R"({"match": {"command": "FolderSync"}, "action": {"delay_ms": 1000}, "count": 1})");
  auto c = phone_of(server);
  const auto started = std::chrono::steady_clock::now();
  const auto res = eas(c);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(status_of(res), "1");
  EXPECT_GE(elapsed, std::chrono::milliseconds(900));
  // While three requests wait (more than the server's two I/O threads), another is answered:
  // no thread is held by a delay. An ordering check, with seconds of margin, not a time limit.
  const auto slow_rule = add_fault(server, R"({"match": {"device_id": "SLOW"}, "action": {"delay_ms": 5000}})");
  std::atomic<int> slow_done{0};
  std::vector<std::thread> slow;
  for (int i = 0; i < 3; ++i) {
    slow.emplace_back([&] {
      auto slow_phone = phone_of(server);
      slow_phone.device_id = "SLOW";
      EXPECT_EQ(eas(slow_phone).status, 200);
      ++slow_done;
    });
  }
  // All three are in the server once the rule has matched each (it counts before the delay).
  // EXPECT, not ASSERT: the threads must still be joined.
  EXPECT_TRUE(wait_until("the rule to delay the three SLOW requests", [&] { return hits_of(server, slow_rule) == 3; }));
  c.device_id = "QUICK";
  EXPECT_EQ(eas(c).status, 200);
  EXPECT_EQ(slow_done, 0);
  for (auto& t : slow) t.join();
}

TEST(Faults, DropClosesTheConnectionWithoutAnAnswer) {
  test_server server;
  add_fault(server, R"({"match": {"command": "FolderSync"}, "action": {"drop": true}, "count": 1})");
  const auto c = phone_of(server);
  const auto res = eas(c);
  EXPECT_EQ(res.status, 0);
  EXPECT_FALSE(res.error.empty());
  EXPECT_EQ(res.error_stage, "http") << res.error;
  EXPECT_EQ(eas(c).status, 200);  // count 1
  server.stop();
  EXPECT_NE(server.log().find("dropped user=alice@lab.test"), std::string::npos) << server.log();
}

TEST(Faults, CorruptAndTruncatedBodiesNoLongerDecode) {
  test_server server;
  add_fault(server, R"({"match": {"device_id": "C1"}, "action": {"corrupt_body": true}})");
  add_fault(server, R"({"match": {"device_id": "T1"}, "action": {"truncate_body": true}})");
  auto c = phone_of(server);
  c.device_id = "OK1";
  const auto good = eas(c);
  ASSERT_EQ(good.status, 200);
  ASSERT_TRUE(wbxml::decode(good.body));
  for (const char* device : {"C1", "T1"}) {
    c.device_id = device;
    const auto res = eas(c);
    EXPECT_EQ(res.status, 200) << device;
    EXPECT_FALSE(res.body.empty()) << device;
    EXPECT_FALSE(wbxml::decode(res.body)) << device;
    EXPECT_EQ(res.header("Content-Type"), "application/vnd.ms-sync.wbxml");
  }
}

TEST(Faults, PolicyRefreshIs143From14AndHttp449Before) {
  test_server server;
  add_fault(server, R"({"action": {"policy_refresh": true}})");
  auto c = phone_of(server);
  auto res = eas(c, "Sync");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(status_of(res), "143");
  EXPECT_EQ(status_of(eas(c)), "143");
  c.version = "12.1";
  res = eas(c);
  EXPECT_EQ(res.status, 449);
  // Provision is not refused: the device can re-provision (PROVISIONING.md 1.1).
  c.version = "14.1";
  res = eas(c, "Provision",
            "<Provision xmlns=\"Provision:\"><Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType>"
            "</Policy></Policies></Provision>");
  EXPECT_EQ(res.status, 200);
  EXPECT_NE(status_of(res), "143");
  EXPECT_EQ(hits_of(server, "f1"), 3);
}

TEST(Faults, MatchFieldsSelectOnlyMatchingRequestsCaseInsensitively) {
  test_server server;
  const auto id = add_fault(server, R"({"match": {"user": "BOB", "device_type": "wp", "command": "foldersync",
      "protocol_version": "14.1"}, "action": {"http_status": 500}})");
  auto c = phone_of(server);
  c.device_type = "WP";
  EXPECT_EQ(eas(c).status, 200);  // alice
  c.user = "bob";
  c.device_type = "iPhone";
  EXPECT_EQ(eas(c).status, 200);  // another device type
  c.device_type = "WP";
  c.version = "14.0";
  EXPECT_EQ(eas(c).status, 200);  // another version
  c.version = "14.1";
  EXPECT_EQ(eas(c, "Sync").status, 200);  // another command
  EXPECT_EQ(eas(c).status, 500);
  EXPECT_EQ(hits_of(server, id), 1);
  // The stored rule uses MS-ASCMD's spelling of the command.
  EXPECT_EQ(faults(server)[0].at("match").at("command").as_string(), "FolderSync");
}

TEST(Faults, ProbabilityZeroNeverHitsAndRulesCanBeRemoved) {
  test_server server;
  const auto never = add_fault(server, R"({"action": {"http_status": 503}, "probability": 0})");
  const auto c = phone_of(server);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(eas(c).status, 200);
  EXPECT_EQ(hits_of(server, never), 0);
  const auto always = add_fault(server, R"({"action": {"http_status": 403}})");
  EXPECT_EQ(eas(c).status, 403);
  EXPECT_EQ(admin(server, "GET", "/api/v1/faults/" + always).status, 200);
  EXPECT_EQ(admin(server, "DELETE", "/api/v1/faults/" + always).status, 200);
  EXPECT_EQ(admin(server, "DELETE", "/api/v1/faults/" + always).status, 404);
  EXPECT_EQ(eas(c).status, 200);
  add_fault(server, R"({"action": {"http_status": 403}})");
  const auto cleared = admin(server, "DELETE", "/api/v1/faults");
  EXPECT_EQ(cleared.status, 200);
  EXPECT_EQ(json::parse(cleared.body).at("removed").to_number<int>(), 2);
  EXPECT_TRUE(faults(server).empty());
  EXPECT_EQ(eas(c).status, 200);
}

TEST(Faults, BadRulesAre400NamingTheField) {
  test_server server;
  const std::pair<const char*, const char*> cases[] = {
      {R"({"action": {"http_status": 200}})", "action.http_status"},
      {R"({"action": {"http_status": 503, "eas_status": 3}})", "action.eas_status"},
      {R"({"action": {"eas_status": 3, "retry_after": 5}})", "action.retry_after"},
      {R"({"action": {"drop": false}})", "action.drop"},
      {R"({"action": {"delay_ms": -1}})", "action.delay_ms"},
      {R"({"match": {"command": "Synk"}, "action": {"drop": true}})", "match.command"},
      {R"({"match": {"protocol_version": "15.0"}, "action": {"drop": true}})", "match.protocol_version"},
      {R"({"match": {"device": "x"}, "action": {"drop": true}})", "match.device"},
      {R"({"action": {"drop": true}, "probability": 1.5})", "probability"},
      {R"({"action": {"drop": true}, "count": 0})", "count"},
      {R"({"action": {"drop": true}, "propability": 1})", "propability"},
      {R"({"match": {}})", "action"},
      {R"([1, 2])", "object"},
      {R"({"action": )", "JSON"},
  };
  for (const auto& [body, field] : cases) {
    const auto res = admin(server, "POST", "/api/v1/faults", body, "application/json");
    EXPECT_EQ(res.status, 400) << body;
    boost::system::error_code ec;
    const auto v = json::parse(res.body, ec);
    ASSERT_FALSE(ec) << res.body;
    EXPECT_NE(std::string(v.at("error").as_string()).find(field), std::string::npos) << body << " -> " << res.body;
  }
  EXPECT_TRUE(faults(server).empty());
  // The token guards the faults API like the rest of /api/v1/.
  client_request r;
  r.tls = false;
  r.target = "/api/v1/faults";
  EXPECT_EQ(send(server.http_port, r).status, 401);
}

TEST(Faults, HitsAreInTheJournalAndTheAccessLog) {
  test_server server;
  const auto id = add_fault(server, R"({"match": {"device_id": "J1"}, "action": {"eas_status": 3}, "count": 1})");
  auto c = phone_of(server);
  c.device_id = "J1";
  EXPECT_EQ(status_of(eas(c, "Sync")), "3");
  const auto normal = eas(c, "Sync");  // count 1: a real Sync answer (its Status is per collection)
  EXPECT_EQ(normal.status, 200);
  EXPECT_EQ(status_of(normal), "");
  const auto res = admin(server, "GET", "/api/v1/journal?device=J1");
  ASSERT_EQ(res.status, 200);
  const auto entries = json::parse(res.body).at("entries").as_array();
  ASSERT_EQ(entries.size(), 2u);
  // Newest first: the second Sync ran normally, the first was the fault's.
  EXPECT_EQ(std::string(entries[1].at("response_xml").as_string()).find("<!-- easemu fault " + id + ": eas_status=3 -->"), 0u)
      << entries[1].at("response_xml").as_string();
  EXPECT_EQ(entries[1].at("eas_status").to_number<int>(), 3);
  EXPECT_EQ(std::string(entries[0].at("response_xml").as_string()).find("easemu fault"), std::string::npos);
  server.stop();  // the log is complete
  EXPECT_NE(server.log().find("cmd=Sync v=14.1 fault=" + id), std::string::npos) << server.log();
}

TEST(Faults, FromTheLabFile) {
  temp_dir dir;
  const auto path = (dir / "lab.yaml").string();
  write_file(path,
             "faults:\n"
             "  - match: {command: FolderSync, protocol_version: 14.1, device_id: \"0042\"}\n"
             "    action: {http_status: 503, retry_after: 7}\n"
             "    count: 2\n"
             "  - match:\n"
             "      device_type: WP\n"
             "    action:\n"
             "      eas_status: 3\n"
             "    probability: 1.0\n");
  test_server server({"--config", path, "--fault-seed", "42"});
  auto c = phone_of(server);
  c.device_id = "0042";
  auto res = eas(c);
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(res.header("Retry-After"), "7");
  const auto list = faults(server);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("source").as_string(), "lab file");
  EXPECT_EQ(list[0].at("match").at("device_id").as_string(), "0042");
  EXPECT_EQ(list[0].at("match").at("protocol_version").as_string(), "14.1");
  EXPECT_EQ(list[1].at("action").at("eas_status").to_number<int>(), 3);
  // A wrong rule in the file stops the start with the file, line and field.
  write_file(path, "faults:\n  - action: {http_status: 503, location: https://x}\n");
  test_server bad({"--config", path}, false);
  EXPECT_EQ(bad.stop(false), 1);
  EXPECT_NE(bad.log().find("lab.yaml:2:"), std::string::npos) << bad.log();
  EXPECT_NE(bad.log().find("action.location"), std::string::npos) << bad.log();
}

TEST(Faults, CliAddListRemove) {
  test_server server;
  const std::string base = std::string(EASEMU_EXE) + " fault ";
  const std::string conn = " --server http://127.0.0.1:" + std::to_string(server.http_port) + " --admin-token " +
                           server.admin_token;
  auto r = run(base + "add" + conn + " --command Sync --device-type WP --http-status 503 --retry-after 5 --count 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("f1 ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("http_status=503"), std::string::npos) << r.out;
  r = run(base + "add" + conn + " --user alice --eas-status 3 --probability 0");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run(base + "add" + conn + " --drop --eas-status 3");  // two actions
  EXPECT_EQ(r.exit_code, 2);
  r = run(base + "add" + conn + " --command Synk --drop");  // the server's validation
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("match.command"), std::string::npos) << r.err;

  auto c = phone_of(server);
  c.device_type = "WP";
  EXPECT_EQ(eas(c, "Sync").status, 503);
  r = run(base + "list" + conn);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("f1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("hits: 1/1 (exhausted)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("f2"), std::string::npos) << r.out;
  r = run(base + "list" + conn + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).at("faults").as_array().size(), 2u);

  r = run(base + "remove" + conn + " f1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = run(base + "remove" + conn + " f1");
  EXPECT_EQ(r.exit_code, 1);
  r = run(base + "remove" + conn);
  EXPECT_EQ(r.exit_code, 2);
  r = run(base + "remove" + conn + " --all");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("removed 1"), std::string::npos) << r.out;
  r = run(base + "list" + conn);
  EXPECT_NE(r.out.find("no fault rules"), std::string::npos) << r.out;
}

}  // namespace
