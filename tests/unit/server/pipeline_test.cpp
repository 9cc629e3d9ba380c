// The EAS pipeline in process, with fake stages and handlers: which stage answers when several
// would (access -> faults -> version -> provisioning gate -> body -> handler), what the command
// table's policy_key and long_poll flags make the pipeline do, where the envelope puts a status
// (eas/status.hpp), and a test-only command registered through the table and the registry alone.
#include "easemu/server/activesync/pipeline.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <array>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "easemu/server/activesync/stages.hpp"
#include "easemu/store/store.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/wbxml_print.hpp"

namespace {

using namespace easemu;
using namespace easemu::server;
using wbxml::tag;

std::shared_ptr<spdlog::logger> quiet_log() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

std::string wbxml_of(const std::string& xml) {
  auto tree = wbxml::from_xml(xml);
  EXPECT_TRUE(tree) << xml;
  return tree ? *wbxml::encode(*tree) : std::string();
}

// Not WBXML at all (a WBXML document starts with its version byte 0x03).
const std::string bad_body = "this is not WBXML";

// A request as the router hands it over after authentication.
std::shared_ptr<http_request> eas_request(const std::string& command, const std::string& version,
                                          std::string body = {}) {
  auto r = std::make_shared<http_request>();
  r->method = "POST";
  r->target = "/Microsoft-Server-ActiveSync?Cmd=" + command + "&User=alice&DeviceId=DEV1&DeviceType=TestPhone";
  if (!version.empty()) r->headers.emplace_back("MS-ASProtocolVersion", version);
  r->headers.emplace_back("User-Agent", "TestPhone/1.0");
  r->body = std::move(body);
  r->secure = true;
  r->request_id = 7;
  return r;
}

// The top-level Status of a WBXML answer, -1 when the body is not WBXML.
int body_status(const http_response& r) {
  auto tree = wbxml::decode(r.body);
  if (!tree) return -1;
  return top_level_status(*tree);
}

// Every stage a fake that records that it ran and answers what the test tells it to.
class Pipeline : public ::testing::Test {
 protected:
  Pipeline() {
    db->replace_mailboxes({{"alice@lab.test", "Alice", "pw", "", true}});
  }

  pipeline_stages fake_stages() {
    pipeline_stages s;
    s.device_list = device_list_stage(db, log);  // the real one: the in-memory store records the device
    s.access = [this](eas_context& ctx) {
      ran.push_back("access");
      ctx.quarantined = quarantine;
      return access_answer;
    };
    s.faults = [this](eas_context&) {
      ran.push_back("faults");
      return fault_answer;
    };
    s.gate = [this](const eas_context&) {
      ran.push_back("gate");
      return gate_answer;
    };
    s.journal = [this](const eas_context& ctx, const http_response&, int eas_status, std::int64_t) {
      journalled.push_back({std::string(ctx.query.command->name), eas_status});
    };
    return s;
  }

  // A handler that records the request it saw and answers `<root><Status>1</Status></root>`.
  command_handler echo(wbxml::tag_id root, wbxml::tag_id status) {
    return [this, root, status](const eas_context& ctx) {
      ran.push_back("handler");
      seen_body = ctx.body;
      seen_quarantined = ctx.quarantined;
      command_reply r;
      r.body.emplace(root).add(status, "1");
      return r;
    };
  }

  command_registry immediate_registry() {
    command_registry reg;
    reg.add({eas::command_id::sync, echo(tag("AirSync:Sync"), tag("AirSync:Status"))});
    reg.add({eas::command_id::settings, echo(tag("Settings:Settings"), tag("Settings:Status"))});
    reg.add({eas::command_id::provision, echo(tag("Provision:Provision"), tag("Provision:Status"))});
    reg.add({eas::command_id::folder_sync, echo(tag("FolderHierarchy:FolderSync"), tag("FolderHierarchy:Status"))});
    reg.add({eas::command_id::get_attachment, [this](const eas_context&) {
               ran.push_back("handler");
               command_reply r;
               r.raw_body = "attachment bytes";
               r.content_type = "application/octet-stream";
               return r;
             }});
    reg.add({eas::command_id::ping, waiting_command_handler([this](std::shared_ptr<const eas_context> ctx, reply_fn done) {
               ran.push_back("handler");
               held.push_back(std::move(done));
               held_contexts.push_back(std::move(ctx));
             })});
    return reg;
  }

  eas_pipeline make(command_registry reg) {
    return eas_pipeline(pipeline_options{{std::begin(all_protocol_versions), std::end(all_protocol_versions)}, "15.0.1497.0"}, fake_stages(),
                        std::move(reg), log);
  }

  // Runs a request through the pipeline; the answer when it came at once.
  std::optional<http_response> post(const eas_pipeline& p, std::shared_ptr<http_request> request) {
    std::optional<http_response> out;
    p.handle(std::move(request), "alice@lab.test", [&out, this](http_response r) {
      out = std::move(r);
      ++answers;
    });
    return out;
  }

  std::shared_ptr<store::store> db = store::open_memory_store();
  std::shared_ptr<spdlog::logger> log = quiet_log();
  stage_result access_answer;
  stage_result fault_answer;
  stage_result gate_answer;
  bool quarantine = false;
  std::vector<std::string> ran;
  std::optional<wbxml::element> seen_body;
  bool seen_quarantined = false;
  std::vector<std::pair<std::string, int>> journalled;
  std::vector<reply_fn> held;
  std::vector<std::shared_ptr<const eas_context>> held_contexts;
  int answers = 0;
};

using strings = std::vector<std::string>;

const stage_answer blocked{129, 403, {}, {}, "blocked by a device access rule"};  // MS-ASCMD 2.2.2: 129 DeviceBlockedForThisUser
const stage_answer policy_key_needed{142, 449, {}, {}, "no policy key"};          // 142 DeviceNotProvisioned

TEST_F(Pipeline, AnUnblockedRequestRunsEveryStageInOrderThenTheHandler) {
  const auto p = make(immediate_registry());
  const auto r = post(p, eas_request("Sync", "14.1", wbxml_of("<Sync xmlns=\"AirSync:\"><Collections/></Sync>")));
  ASSERT_TRUE(r);
  EXPECT_EQ(ran, (strings{"access", "faults", "gate", "handler"}));
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body_status(*r), 1);
  ASSERT_TRUE(seen_body);
  EXPECT_EQ(seen_body->tag, tag("AirSync:Sync"));
  // The device list stage recorded the device before access looked at it.
  const auto device = db->find_device("alice@lab.test", "DEV1");
  ASSERT_TRUE(device);
  EXPECT_EQ(device->device_type, "TestPhone");
  ASSERT_EQ(journalled.size(), 1u);
  EXPECT_EQ(journalled[0], (std::pair<std::string, int>{"Sync", 1}));
}

TEST_F(Pipeline, ABlockedDeviceWithABadBodyGetsTheAccessAnswerNotTheDecodeError) {
  access_answer = blocked;
  gate_answer = policy_key_needed;
  const auto p = make(immediate_registry());
  const auto r = post(p, eas_request("Sync", "14.1", bad_body));
  ASSERT_TRUE(r);
  EXPECT_EQ(ran, (strings{"access"}));
  // 14.1 carries 129 in Sync's body (MS-ASCMD 2.2.2).
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body_status(*r), 129);
  ASSERT_EQ(journalled.size(), 1u);
  EXPECT_EQ(journalled[0].second, 129);
}

TEST_F(Pipeline, ABlockedDeviceIsRefusedEvenForACommandItsVersionDoesNotHave) {
  access_answer = blocked;
  const auto p = make(immediate_registry());
  // Settings is not in 2.5; access comes first all the same. 2.5 cannot carry 129 in a body:
  // the HTTP status stands for it.
  const auto r = post(p, eas_request("Settings", "2.5"));
  ASSERT_TRUE(r);
  EXPECT_EQ(ran, (strings{"access"}));
  EXPECT_EQ(r->status, 403);
  EXPECT_TRUE(r->body.empty());
}

TEST_F(Pipeline, AFaultAnswersBeforeTheVersionCheckAndTheGate) {
  fault_answer = stage_answer{0, 0, {}, http_response::text(503, "fault\n"), "rule-1"};
  gate_answer = policy_key_needed;
  const auto p = make(immediate_registry());
  const auto r = post(p, eas_request("Settings", "2.5", bad_body));
  ASSERT_TRUE(r);
  EXPECT_EQ(ran, (strings{"access", "faults"}));
  EXPECT_EQ(r->status, 503);  // the fault's response as it is
  EXPECT_EQ(r->body, "fault\n");
}

TEST_F(Pipeline, ACommandTheVersionDoesNotHaveIs137BeforeTheGateRuns) {
  gate_answer = policy_key_needed;
  const auto p = make(immediate_registry());
  // 2.5 has no Settings (MS-ASCMD 2.2.1.18): 137 does not fit a 2.5 body, so HTTP 501.
  const auto old = post(p, eas_request("Settings", "2.5"));
  ASSERT_TRUE(old);
  EXPECT_EQ(ran, (strings{"access", "faults"}));
  EXPECT_EQ(old->status, 501);
  // From 14.0 a 137 travels in the body; GetAttachment is gone from 14.0 and has no WBXML
  // response, so HTTP 501 again.
  ran.clear();
  const auto gone = post(p, eas_request("GetAttachment", "14.1"));
  ASSERT_TRUE(gone);
  EXPECT_EQ(ran, (strings{"access", "faults"}));
  EXPECT_EQ(gone->status, 501);
}

TEST_F(Pipeline, TheGateAnswersBeforeTheBodyIsDecoded) {
  gate_answer = policy_key_needed;
  const auto p = make(immediate_registry());
  const auto r = post(p, eas_request("FolderSync", "14.1", bad_body));
  ASSERT_TRUE(r);
  EXPECT_EQ(ran, (strings{"access", "faults", "gate"}));
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body_status(*r), 142);  // not 102 InvalidWBXML
  // Before 14.0 the client sees HTTP 449 (MS-ASCMD 2.2.2 R7565).
  ran.clear();
  const auto old = post(p, eas_request("FolderSync", "12.1", bad_body));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 449);
  EXPECT_TRUE(old->body.empty());
}

TEST_F(Pipeline, CommandsWithoutThePolicyKeyFlagPassTheGateWithoutAKey) {
  gate_answer = policy_key_needed;  // every gated command would be refused
  ASSERT_FALSE(eas::info(eas::command_id::provision).has(eas::command_flags::policy_key));
  ASSERT_FALSE(eas::info(eas::command_id::ping).has(eas::command_flags::policy_key));
  const auto p = make(immediate_registry());
  const auto r = post(p, eas_request("Provision", "14.1", wbxml_of("<Provision xmlns=\"Provision:\"/>")));
  ASSERT_TRUE(r);
  EXPECT_EQ(ran, (strings{"access", "faults", "handler"}));  // the gate never ran
  EXPECT_EQ(body_status(*r), 1);
  ran.clear();
  EXPECT_FALSE(post(p, eas_request("Ping", "14.1")));  // held by its handler, not refused
  EXPECT_EQ(ran, (strings{"access", "faults", "handler"}));
}

TEST_F(Pipeline, InvalidWbxmlIs102InTheBodyFrom14AndHttp400Before) {
  const auto p = make(immediate_registry());
  const auto r = post(p, eas_request("Sync", "14.1", bad_body));
  ASSERT_TRUE(r);
  EXPECT_EQ(ran, (strings{"access", "faults", "gate"}));  // the handler never ran
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body_status(*r), 102);
  const auto old = post(p, eas_request("Sync", "12.1", bad_body));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 400);
}

TEST_F(Pipeline, AQuarantinedDeviceReachesTheHandlerMarked) {
  quarantine = true;
  const auto p = make(immediate_registry());
  ASSERT_TRUE(post(p, eas_request("FolderSync", "14.1", wbxml_of("<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>"))));
  EXPECT_TRUE(seen_quarantined);
}

TEST_F(Pipeline, AnAdvertisedVersionOnlyAndAVersionHeaderAreRequired) {
  const eas_pipeline p(pipeline_options{{protocol_version::v14_1}, "15.0"}, fake_stages(), immediate_registry(), log);
  // A version the server does not advertise: 138 VersionNotSupported, which a 12.1 body cannot
  // carry, so HTTP 400; no stage ran.
  const auto old = post(p, eas_request("Sync", "12.1"));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 400);
  EXPECT_TRUE(ran.empty());
  const auto none = post(p, eas_request("Sync", ""));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 400);
  EXPECT_TRUE(ran.empty());
  const auto unknown = post(p, eas_request("Frobnicate", "14.1"));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 501);
  // The journal has the two requests whose query named a command, not the third.
  ASSERT_EQ(journalled.size(), 2u);
  EXPECT_EQ(journalled[0].first, "Sync");
  EXPECT_EQ(journalled[1].first, "Sync");
}

TEST_F(Pipeline, ACommandOfTheTableWithoutAHandlerIsNotSupported) {
  const auto p = make(immediate_registry());
  const auto r = post(p, eas_request("Search", "14.1", wbxml_of("<Search xmlns=\"Search:\"/>")));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body_status(*r), 137);
  const auto old = post(p, eas_request("Search", "12.1", wbxml_of("<Search xmlns=\"Search:\"/>")));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 501);
}

TEST_F(Pipeline, ARawReplyGoesOutAsItIs) {
  const auto p = make(immediate_registry());
  const auto r = post(p, eas_request("GetAttachment", "12.1"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "attachment bytes");
  const auto* type = find_header(r->headers, "Content-Type");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(*type, "application/octet-stream");
}

TEST_F(Pipeline, ALongPollHandlerAnswersLaterThroughTheEnvelope) {
  const auto p = make(immediate_registry());
  EXPECT_FALSE(post(p, eas_request("Ping", "14.1")));
  EXPECT_EQ(answers, 0);
  ASSERT_EQ(held.size(), 1u);
  std::optional<http_response> later;
  // The answer that comes later goes out through the respond of its request.
  p.handle(eas_request("Ping", "14.1"), "alice@lab.test", [&](http_response r) { later = std::move(r); });
  ASSERT_EQ(held.size(), 2u);
  command_reply reply;
  reply.body.emplace(tag("Ping:Ping")).add(tag("Ping:Status"), "1");
  held[1](std::move(reply));
  ASSERT_TRUE(later);
  EXPECT_EQ(later->status, 200);
  EXPECT_EQ(body_status(*later), 1);
  EXPECT_EQ(answers, 0);  // the first Ping still waits
  ASSERT_EQ(journalled.size(), 1u);
  EXPECT_EQ(journalled[0], (std::pair<std::string, int>{"Ping", 1}));
}

// PROVISIONING.md 1.1: every command needs the current policy key but Provision (which gets it)
// and Ping (which must keep working while the device provisions again).
TEST_F(Pipeline, TheGateRunsForEveryCommandButProvisionAndPing) {
  gate_answer = policy_key_needed;
  const auto p = make(command_registry());
  for (const auto& c : eas::commands) {
    ran.clear();
    const auto r = post(p, eas_request(std::string(c.name), std::string(to_string(c.last))));
    ASSERT_TRUE(r) << c.name;
    const bool exempt = c.id == eas::command_id::provision || c.id == eas::command_id::ping;
    const strings expected = exempt ? strings{"access", "faults"} : strings{"access", "faults", "gate"};
    EXPECT_EQ(ran, expected) << c.name;
    // No handler is registered: the exempt ones get as far as "not supported" (137).
    if (exempt) {
      EXPECT_EQ(body_status(*r), 137) << c.name;
    }
  }
}

// MS-ASCMD 2.2.1.13, 2.2.3.188: Ping and Sync (Wait, HeartbeatInterval) may hold a request;
// the registry takes a handler that answers later for them alone.
TEST(CommandRegistry, OnlyPingAndSyncMayHaveAWaitingHandler) {
  const waiting_command_handler waits = [](std::shared_ptr<const eas_context>, reply_fn done) { done({}); };
  for (const auto& c : eas::commands) {
    command_registry reg;
    const bool long_poll = c.id == eas::command_id::ping || c.id == eas::command_id::sync;
    if (long_poll) {
      EXPECT_NO_THROW(reg.add({c.id, waits})) << c.name;
      EXPECT_NE(reg.find(c.id), nullptr) << c.name;
    } else {
      EXPECT_THROW(reg.add({c.id, waits}), std::logic_error) << c.name;
      EXPECT_EQ(reg.find(c.id), nullptr) << c.name;
    }
  }
}

TEST(CommandRegistry, OnlyALongPollCommandMayHaveAWaitingHandler) {
  const waiting_command_handler waits = [](std::shared_ptr<const eas_context>, reply_fn done) { done({}); };
  command_registry reg;
  ASSERT_TRUE(eas::info(eas::command_id::sync).has(eas::command_flags::long_poll));
  EXPECT_NO_THROW(reg.add({eas::command_id::sync, waits}));
  EXPECT_NO_THROW(reg.add({eas::command_id::ping, waits}));
  for (auto id : {eas::command_id::folder_sync, eas::command_id::settings, eas::command_id::provision}) {
    EXPECT_FALSE(eas::info(id).has(eas::command_flags::long_poll));
    EXPECT_THROW(reg.add({id, waits}), std::logic_error) << eas::info(id).name;
    EXPECT_EQ(reg.find(id), nullptr);
  }
  EXPECT_THROW(reg.add({eas::command_id::sync, waits}), std::logic_error);  // twice
  EXPECT_THROW(reg.add({eas::command_id::search, command_handler()}), std::logic_error);  // empty
}

// A command easemu does not have, added to a copy of the command table: the query parser, the
// version check, the gate (by its flags), the body decoder, the handler and the envelope all
// take it from the table and the registry alone.
constexpr auto test_command_id = static_cast<eas::command_id>(200);
constexpr std::array<eas::command_info, eas::commands.size() + 1> table_with_test_command = [] {
  std::array<eas::command_info, eas::commands.size() + 1> t{};
  for (std::size_t i = 0; i < eas::commands.size(); ++i) t[i] = eas::commands[i];
  t[eas::commands.size()] = {test_command_id,
                             "EasemuEcho",
                             std::nullopt,
                             protocol_version::v14_0,
                             protocol_version::v16_1,
                             eas::command_flags::wbxml_body,  // no policy_key: the gate does not apply
                             eas::detail::R("Settings:Settings"),
                             "test only"};
  return t;
}();

TEST_F(Pipeline, ATestOnlyCommandRegisteredThroughTheTableIsReachedThroughThePipeline) {
  gate_answer = policy_key_needed;
  command_registry reg(table_with_test_command);
  reg.add({test_command_id, [this](const eas_context& ctx) {
             ran.push_back("handler");
             // Answers the Oof state it was sent, under Settings' Status 1.
             command_reply r;
             auto& root = r.body.emplace(tag("Settings:Settings"));
             root.add(tag("Settings:Status"), "1");
             const auto* oof = ctx.body ? ctx.body->child(tag("Settings:Oof")) : nullptr;
             root.add(tag("Settings:Oof")).add(tag("Settings:OofState"), oof ? std::string(oof->child_text(tag("Settings:OofState"))) : "none");
             return r;
           }});
  EXPECT_THROW(command_registry().add({test_command_id, echo(tag("Settings:Settings"), tag("Settings:Status"))}),
               std::logic_error);  // the built-in table does not have it
  const auto p = make(std::move(reg));

  const auto r = post(p, eas_request("EasemuEcho", "14.1",
                                     wbxml_of("<Settings xmlns=\"Settings:\"><Oof><OofState>2</OofState></Oof></Settings>")));
  ASSERT_TRUE(r);
  EXPECT_EQ(ran, (strings{"access", "faults", "handler"}));
  EXPECT_EQ(r->status, 200);
  auto tree = wbxml::decode(r->body);
  ASSERT_TRUE(tree);
  EXPECT_EQ(wbxml::to_xml(*tree, {.declaration = false, .indent = false}),
            "<Settings xmlns=\"Settings:\"><Status>1</Status><Oof><OofState>2</OofState></Oof></Settings>");
  ASSERT_EQ(journalled.size(), 1u);
  EXPECT_EQ(journalled[0], (std::pair<std::string, int>{"EasemuEcho", 1}));

  // Its table row sets the versions (not in 12.1: 501) and the body (bad WBXML: 102 in the body).
  ran.clear();
  const auto old = post(p, eas_request("EasemuEcho", "12.1"));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 501);
  const auto bad = post(p, eas_request("EasemuEcho", "14.1", bad_body));
  ASSERT_TRUE(bad);
  EXPECT_EQ(body_status(*bad), 102);
  // A stage's refusal goes in the envelope its row names.
  access_answer = blocked;
  const auto refused = post(p, eas_request("EasemuEcho", "14.1"));
  ASSERT_TRUE(refused);
  auto refused_tree = wbxml::decode(refused->body);
  ASSERT_TRUE(refused_tree);
  EXPECT_EQ(refused_tree->tag, tag("Settings:Settings"));
  EXPECT_EQ(top_level_status(*refused_tree), 129);
}

}  // namespace
