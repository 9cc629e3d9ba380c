// The EAS command handlers in process, request tree in and response tree out, over an in-memory
// store and the services the router builds: each handler is taken from the registry that
// all_commands() fills, as the pipeline takes it. Statuses are MS-ASCMD's.
#include "easemu/server/commands/commands.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "easemu/server/access_service.hpp"
#include "easemu/server/commands/folders.hpp"
#include "easemu/server/mail_service.hpp"
#include "easemu/server/provisioning_service.hpp"
#include "easemu/store/store.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/wbxml_print.hpp"

namespace {

using namespace easemu;
using namespace easemu::server;
using wbxml::element;
using wbxml::tag;

constexpr std::int64_t now_ms = 1'700'000'000'000;

std::string message(const std::string& subject) {
  return "From: Bob <bob@lab.test>\r\nTo: Alice <alice@lab.test>\r\nSubject: " + subject +
         "\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\nMessage-ID: <" + subject +
         "@lab.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello.\r\n";
}

std::string as_xml(const element& e) { return wbxml::to_xml(e, {.declaration = false, .indent = false}); }

class Commands : public ::testing::Test {
 protected:
  Commands() {
    db->replace_mailboxes({{"alice@lab.test", "Alice", "pw", "", true}});
    db->replace_policies({{"Default", {{"Name", "Default"}, {"AllowNonProvisionableDevices", "$true"}, {"IsDefault", "$true"}}}});
    prov = std::make_unique<provisioning_service>(db, "2010SP1", log);
    folders = std::make_unique<folder_service>(db, log);
    mail = std::make_unique<mail_service>(db, *folders, log);
    access = std::make_unique<access_service>(db, *mail, log);
    ping = std::make_unique<ping_service>(*folders, *mail, limits, log);
    mail->on_change([this](const std::string& m, const std::string& f) { ping->notify(m, f); });
    services = std::make_unique<command_services>(
        command_services{db, *prov, *access, *folders, *mail, *ping, {}, limits, log});
    registry.add(all_commands(*services));
  }
  ~Commands() override { ping->shutdown(); }

  // The handler's answer to `xml` (empty: no body) from alice's device, or nullopt while a
  // waiting handler has not answered.
  std::optional<element> call(eas::command_id id, const std::string& xml, protocol_version v = protocol_version::v14_1,
                              const std::string& device = "DEV1") {
    auto ctx = std::make_shared<eas_context>();
    ctx->http = &request;
    ctx->mailbox = "alice@lab.test";
    ctx->query.command = &eas::info(id);
    ctx->query.device_id = device;
    ctx->query.device_type = "TestPhone";
    ctx->version = v;
    if (!xml.empty()) {
      auto tree = wbxml::from_xml(xml);
      EXPECT_TRUE(tree) << xml;
      if (tree) ctx->body = std::move(*tree);
    }
    const auto* r = registry.find(id);
    EXPECT_NE(r, nullptr) << eas::info(id).name;
    if (r == nullptr) return std::nullopt;
    auto out = std::make_shared<std::optional<command_reply>>();
    if (const auto* now = std::get_if<command_handler>(&r->handler)) {
      *out = (*now)(*ctx);
    } else {
      std::get<waiting_command_handler>(r->handler)(ctx, [out](command_reply reply) { *out = std::move(reply); });
      pending = out;
    }
    if (!*out) return std::nullopt;
    EXPECT_EQ((*out)->http_status, 200);
    EXPECT_TRUE((*out)->body.has_value());
    return (*out)->body;
  }

  std::string xml(eas::command_id id, const std::string& request_xml, protocol_version v = protocol_version::v14_1,
                  const std::string& device = "DEV1") {
    const auto r = call(id, request_xml, v, device);
    return r ? wbxml::to_xml(*r, {.declaration = false, .indent = false}) : "(no answer)";
  }

  std::shared_ptr<store::store> db = store::open_memory_store();
  std::shared_ptr<spdlog::logger> log = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
  ping_limits limits;
  http_request request;
  std::unique_ptr<provisioning_service> prov;
  std::unique_ptr<folder_service> folders;
  std::unique_ptr<mail_service> mail;
  std::unique_ptr<access_service> access;
  std::unique_ptr<ping_service> ping;
  std::unique_ptr<command_services> services;
  command_registry registry;
  std::shared_ptr<std::optional<command_reply>> pending;  // a waiting handler's answer, when it comes
};

std::string sync_xml(const std::string& key, const std::string& collection, const std::string& extra = "") {
  return "<Sync xmlns=\"AirSync:\"><Collections><Collection><SyncKey>" + key + "</SyncKey><CollectionId>" + collection +
         "</CollectionId>" + extra + "</Collection></Collections></Sync>";
}

const element* first_collection(const element& sync) {
  const auto* cs = sync.child(tag("AirSync:Collections"));
  return cs != nullptr ? cs->child(tag("AirSync:Collection")) : nullptr;
}

std::size_t count(const element& parent, wbxml::tag_id t) {
  std::size_t n = 0;
  for (const auto& c : parent.children) n += c.tag == t ? 1 : 0;
  return n;
}

// MS-ASCMD 2.2.1.5: SyncKey 0 gets the whole hierarchy and key 1; a key the server never issued
// is Status 9.
TEST_F(Commands, FolderSyncGivesTheHierarchyThenRefusesAnUnknownKey) {
  const auto first = call(eas::command_id::folder_sync, "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->tag, tag("FolderHierarchy:FolderSync"));
  EXPECT_EQ(first->child_text(tag("FolderHierarchy:Status")), "1");
  EXPECT_EQ(first->child_text(tag("FolderHierarchy:SyncKey")), "1");
  const auto* changes = first->child(tag("FolderHierarchy:Changes"));
  ASSERT_NE(changes, nullptr) << as_xml(*first);
  EXPECT_EQ(changes->child_text(tag("FolderHierarchy:Count")), "10");
  ASSERT_EQ(count(*changes, tag("FolderHierarchy:Add")), 10u);
  const auto& inbox = *changes->child(tag("FolderHierarchy:Add"));
  EXPECT_EQ(inbox.child_text(tag("FolderHierarchy:DisplayName")), "Inbox");
  EXPECT_EQ(inbox.child_text(tag("FolderHierarchy:Type")), "2");  // MS-ASCMD 2.2.3.186.3: 2 Inbox

  // Nothing changed since key 1: Status 1, no Adds.
  const auto again = call(eas::command_id::folder_sync, "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>1</SyncKey></FolderSync>");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->child_text(tag("FolderHierarchy:Status")), "1");
  const auto* none = again->child(tag("FolderHierarchy:Changes"));
  if (none != nullptr) {
    EXPECT_EQ(none->child_text(tag("FolderHierarchy:Count")), "0");
  }

  const auto unknown = call(eas::command_id::folder_sync, "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>42</SyncKey></FolderSync>");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->child_text(tag("FolderHierarchy:Status")), "9");
}

// MS-ASCMD 2.2.1.21: SyncKey 0 primes the collection (key 1, no items); the next Sync sends the
// items, WindowSize at a time with MoreAvailable while more remain.
TEST_F(Commands, SyncPrimesWithKey0ThenSendsAWindowOfMail) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(mail->deliver("alice@lab.test", "", message("m" + std::to_string(i)), false, now_ms + i).error.empty());
  const auto primed = call(eas::command_id::sync, sync_xml("0", "1"));
  ASSERT_TRUE(primed);
  const auto* c = first_collection(*primed);
  ASSERT_NE(c, nullptr) << as_xml(*primed);
  EXPECT_EQ(c->child_text(tag("AirSync:Status")), "1");
  EXPECT_EQ(c->child_text(tag("AirSync:SyncKey")), "1");
  EXPECT_EQ(c->child(tag("AirSync:Commands")), nullptr);

  const auto window = call(eas::command_id::sync, sync_xml("1", "1", "<WindowSize>2</WindowSize>"));
  ASSERT_TRUE(window);
  c = first_collection(*window);
  ASSERT_NE(c, nullptr) << as_xml(*window);
  EXPECT_EQ(c->child_text(tag("AirSync:Status")), "1");
  EXPECT_EQ(c->child_text(tag("AirSync:SyncKey")), "2");
  EXPECT_NE(c->child(tag("AirSync:MoreAvailable")), nullptr) << as_xml(*window);
  ASSERT_NE(c->child(tag("AirSync:Commands")), nullptr);
  EXPECT_EQ(count(*c->child(tag("AirSync:Commands")), tag("AirSync:Add")), 2u);

  const auto rest = call(eas::command_id::sync, sync_xml("2", "1", "<WindowSize>2</WindowSize>"));
  ASSERT_TRUE(rest);
  c = first_collection(*rest);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->child(tag("AirSync:MoreAvailable")), nullptr) << as_xml(*rest);
  ASSERT_NE(c->child(tag("AirSync:Commands")), nullptr);
  EXPECT_EQ(count(*c->child(tag("AirSync:Commands")), tag("AirSync:Add")), 1u);

  // A key the server never issued: Status 3 (invalid synchronization key).
  const auto bad = call(eas::command_id::sync, sync_xml("77", "1"));
  ASSERT_TRUE(bad);
  ASSERT_NE(first_collection(*bad), nullptr);
  EXPECT_EQ(first_collection(*bad)->child_text(tag("AirSync:Status")), "3");
}

// MS-ASCMD 2.2.3.188: a Sync with Wait that has nothing to say waits for a change instead of
// answering; a Sync without Wait answers at once.
TEST_F(Commands, AnEmptySyncWithWaitIsHeldUntilMailComes) {
  ASSERT_TRUE(call(eas::command_id::sync, sync_xml("0", "1")));
  const auto quiet = call(eas::command_id::sync, sync_xml("1", "1"));
  ASSERT_TRUE(quiet);  // no Wait: answered at once though nothing changed
  EXPECT_EQ(ping->waiting(), 0u);
  ASSERT_NE(first_collection(*quiet), nullptr) << as_xml(*quiet);
  const std::string key(first_collection(*quiet)->child_text(tag("AirSync:SyncKey")));

  EXPECT_FALSE(call(eas::command_id::sync, "<Sync xmlns=\"AirSync:\"><Collections><Collection><SyncKey>" + key +
                                           "</SyncKey><CollectionId>1</CollectionId></Collection></Collections>"
                                           "<Wait>5</Wait></Sync>"));
  EXPECT_EQ(ping->waiting(), 1u);
  ASSERT_TRUE(pending);
  EXPECT_FALSE(*pending);
  // Mail arrives: the held Sync answers with it.
  ASSERT_TRUE(mail->deliver("alice@lab.test", "", message("late"), false, now_ms).error.empty());
  ASSERT_TRUE(*pending);
  EXPECT_EQ(ping->waiting(), 0u);
  ASSERT_TRUE((*pending)->body);
  const auto* c = first_collection(*(*pending)->body);
  ASSERT_NE(c, nullptr) << as_xml(*(*pending)->body);
  EXPECT_EQ(c->child_text(tag("AirSync:Status")), "1");
  ASSERT_NE(c->child(tag("AirSync:Commands")), nullptr) << as_xml(*(*pending)->body);
  EXPECT_EQ(count(*c->child(tag("AirSync:Commands")), tag("AirSync:Add")), 1u);
}

// MS-ASCMD 2.2.3.188: Wait is 1-59 minutes; out of range is Status 14 with the nearest Limit.
TEST_F(Commands, ASyncWaitOutOfRangeIsStatus14AndNotHeld) {
  ASSERT_TRUE(call(eas::command_id::sync, sync_xml("0", "1")));
  const auto r = call(eas::command_id::sync, "<Sync xmlns=\"AirSync:\"><Collections><Collection><SyncKey>1</SyncKey>"
                                             "<CollectionId>1</CollectionId></Collection></Collections><Wait>90</Wait></Sync>");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->child_text(tag("AirSync:Status")), "14");
  EXPECT_EQ(r->child_text(tag("AirSync:Limit")), "59");
  EXPECT_EQ(ping->waiting(), 0u);
}

// MS-ASCMD 2.2.1.18: Oof Set then Get; an unknown OofState is Status 2 (protocol error).
TEST_F(Commands, SettingsSetsAndGetsOof) {
  EXPECT_EQ(xml(eas::command_id::settings, "<Settings xmlns=\"Settings:\"><Oof><Set><OofState>1</OofState></Set></Oof></Settings>"),
            "<Settings xmlns=\"Settings:\"><Status>1</Status><Oof><Status>1</Status></Oof></Settings>");
  const auto got = xml(eas::command_id::settings, "<Settings xmlns=\"Settings:\"><Oof><Get><BodyType>Text</BodyType></Get></Oof></Settings>");
  EXPECT_NE(got.find("<Oof><Status>1</Status><Get><OofState>1</OofState>"), std::string::npos) << got;
  EXPECT_EQ(xml(eas::command_id::settings, "<Settings xmlns=\"Settings:\"><Oof><Set><OofState>7</OofState></Set></Oof></Settings>"),
            "<Settings xmlns=\"Settings:\"><Status>1</Status><Oof><Status>2</Status></Oof></Settings>");
  const auto user = xml(eas::command_id::settings, "<Settings xmlns=\"Settings:\"><UserInformation><Get/></UserInformation></Settings>");
  EXPECT_NE(user.find("<UserInformation><Status>1</Status>"), std::string::npos) << user;
  EXPECT_NE(user.find("alice@lab.test"), std::string::npos) << user;
}

std::string ping_xml(int heartbeat, const std::vector<std::string>& folders) {
  std::string out = "<Ping xmlns=\"Ping:\"><HeartbeatInterval>" + std::to_string(heartbeat) + "</HeartbeatInterval><Folders>";
  for (const auto& f : folders) out += "<Folder><Id>" + f + "</Id><Class>Email</Class></Folder>";
  return out + "</Folders></Ping>";
}

// MS-ASCMD 2.2.3.177.10: the Pings answered at once.
TEST_F(Commands, PingAnswersAtOnceWhenItCannotOrNeedNotWait) {
  ASSERT_TRUE(call(eas::command_id::folder_sync, "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>"));
  // 3: no heartbeat or folders, and none cached from an earlier Ping.
  EXPECT_EQ(xml(eas::command_id::ping, ""), "<Ping xmlns=\"Ping:\"><Status>3</Status></Ping>");
  // 4: a request that is not a Ping.
  EXPECT_EQ(xml(eas::command_id::ping, "<Sync xmlns=\"AirSync:\"/>"), "<Ping xmlns=\"Ping:\"><Status>4</Status></Ping>");
  // 5: the heartbeat out of range, with the nearest allowed one.
  EXPECT_EQ(xml(eas::command_id::ping, ping_xml(10, {"1"})),
            "<Ping xmlns=\"Ping:\"><Status>5</Status><HeartbeatInterval>60</HeartbeatInterval></Ping>");
  EXPECT_EQ(xml(eas::command_id::ping, ping_xml(4000, {"1"})),
            "<Ping xmlns=\"Ping:\"><Status>5</Status><HeartbeatInterval>3540</HeartbeatInterval></Ping>");
  // 7: a folder the mailbox does not have (FolderSync first).
  EXPECT_EQ(xml(eas::command_id::ping, ping_xml(300, {"1", "99"})), "<Ping xmlns=\"Ping:\"><Status>7</Status></Ping>");
  // 2: the Inbox changed since the device last synced it.
  ASSERT_TRUE(call(eas::command_id::sync, sync_xml("0", "1")));
  ASSERT_TRUE(mail->deliver("alice@lab.test", "", message("new"), false, now_ms).error.empty());
  EXPECT_EQ(xml(eas::command_id::ping, ping_xml(300, {"1"})),
            "<Ping xmlns=\"Ping:\"><Status>2</Status><Folders><Folder>1</Folder></Folders></Ping>");
  EXPECT_EQ(ping->waiting(), 0u);
}

TEST_F(Commands, APingWithNothingChangedWaitsAndAnEmptyOneReusesIt) {
  ASSERT_TRUE(call(eas::command_id::folder_sync, "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>"));
  ASSERT_TRUE(call(eas::command_id::sync, sync_xml("0", "1")));
  EXPECT_FALSE(call(eas::command_id::ping, ping_xml(300, {"1"})));
  EXPECT_EQ(ping->waiting(), 1u);
  auto first = pending;
  // An empty Ping stands for the last one (MS-ASCMD 3.1.5.8) and ends the older wait (Status 1).
  EXPECT_FALSE(call(eas::command_id::ping, ""));
  ASSERT_TRUE(*first);
  EXPECT_EQ(wbxml::to_xml(*(*first)->body, {.declaration = false, .indent = false}),
            "<Ping xmlns=\"Ping:\"><Status>1</Status></Ping>");
  EXPECT_EQ(ping->waiting(), 1u);
  ASSERT_TRUE(mail->deliver("alice@lab.test", "", message("wake"), false, now_ms).error.empty());
  ASSERT_TRUE(*pending);
  EXPECT_EQ(wbxml::to_xml(*(*pending)->body, {.declaration = false, .indent = false}),
            "<Ping xmlns=\"Ping:\"><Status>2</Status><Folders><Folder>1</Folder></Folders></Ping>");
}

std::string estimate_xml(const std::string& key, const std::string& collection) {
  return "<GetItemEstimate xmlns=\"GetItemEstimate:\" xmlns:airsync=\"AirSync:\"><Collections><Collection><airsync:SyncKey>" +
         key + "</airsync:SyncKey><CollectionId>" + collection +
         "</CollectionId></Collection></Collections></GetItemEstimate>";
}

// MS-ASCMD 2.2.3.177.6: 1 success, 2 unknown collection, 3 not primed, 4 bad key.
TEST_F(Commands, GetItemEstimateCountsWhatTheNextSyncSends) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(mail->deliver("alice@lab.test", "", message("e" + std::to_string(i)), false, now_ms + i).error.empty());
  auto status_of = [](const std::optional<element>& r) {
    const auto* resp = r ? r->child(tag("GetItemEstimate:Response")) : nullptr;
    return resp != nullptr ? std::string(resp->child_text(tag("GetItemEstimate:Status"))) : "(none)";
  };
  EXPECT_EQ(status_of(call(eas::command_id::get_item_estimate, estimate_xml("0", "1"))), "3");
  ASSERT_TRUE(call(eas::command_id::sync, sync_xml("0", "1")));
  const auto r = call(eas::command_id::get_item_estimate, estimate_xml("1", "1"));
  EXPECT_EQ(status_of(r), "1");
  const auto text = r ? wbxml::to_xml(*r, {.declaration = false, .indent = false}) : "";
  EXPECT_NE(text.find("<Estimate>4</Estimate>"), std::string::npos) << text;
  EXPECT_EQ(status_of(call(eas::command_id::get_item_estimate, estimate_xml("5", "1"))), "4");
  EXPECT_EQ(status_of(call(eas::command_id::get_item_estimate, estimate_xml("1", "99"))), "2");
}

// MS-ASCMD 2.2.3.177.9: 1 invalid source, 2 invalid destination, 3 success (with the new
// ServerId), 4 source and destination the same.
TEST_F(Commands, MoveItemsAnswersEachMoveWithItsStatus) {
  const auto delivered = mail->deliver("alice@lab.test", "", message("move me"), false, now_ms);
  ASSERT_TRUE(delivered.error.empty());
  const auto& id = delivered.item_id;
  auto move = [](const std::string& item, const std::string& from, const std::string& to) {
    return "<Move><SrcMsgId>" + item + "</SrcMsgId><SrcFldId>" + from + "</SrcFldId><DstFldId>" + to + "</DstFldId></Move>";
  };
  const auto r = call(eas::command_id::move_items, "<MoveItems xmlns=\"Move:\">" + move(id, "1", "1") + move(id, "1", "77") +
                                                       move("1:4242", "1", "3") + move(id, "1", "3") + "</MoveItems>");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->children.size(), 4u) << as_xml(*r);
  EXPECT_EQ(r->children[0].child_text(tag("Move:Status")), "4");
  EXPECT_EQ(r->children[1].child_text(tag("Move:Status")), "2");
  EXPECT_EQ(r->children[2].child_text(tag("Move:Status")), "1");
  EXPECT_EQ(r->children[3].child_text(tag("Move:Status")), "3");
  const std::string moved(r->children[3].child_text(tag("Move:DstMsgId")));
  ASSERT_FALSE(moved.empty());
  const auto item = db->find_item("alice@lab.test", moved);
  ASSERT_TRUE(item);
  EXPECT_EQ(item->folder_id, "3");
  EXPECT_FALSE(db->find_item("alice@lab.test", id));
}

}  // namespace
