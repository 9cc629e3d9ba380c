// End-to-end: Ping over TLS (MS-ASCMD 2.2.1.13): the heartbeat ending, a pushed message within a
// second, the cached request, the protocol's errors, a newer Ping ending an older one, and
// waiting Pings answered at shutdown.
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/admin_client.hpp"
#include "support/eas_client.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::client;
namespace wbxml = easemu::wbxml;
using wbxml::tag;
using clock_type = std::chrono::steady_clock;

// alice's iPhone P1; the timeout outlasts the longest heartbeat the tests hold.
client_response post(const test_server& s, const std::string& cmd, const std::string& xml,
                     const std::string& device = "P1") {
  return eas_client{.port = s.https_port, .device_id = device, .timeout = std::chrono::seconds(40)}.post(cmd, xml);
}

std::string ping_xml(int heartbeat, const std::string& folder = "1") {
  return "<Ping xmlns=\"Ping:\"><HeartbeatInterval>" + std::to_string(heartbeat) +
         "</HeartbeatInterval><Folders><Folder><Id>" + folder + "</Id><Class>Email</Class></Folder></Folders></Ping>";
}

// The device syncs the Inbox to the end, so only new mail counts as a change.
void sync_inbox(const test_server& s, const std::string& device = "P1") {
  const auto sync = [&](const std::string& key) {
    return wbxml::decode(post(s, "Sync",
                              "<Sync xmlns=\"AirSync:\"><Collections><Collection><SyncKey>" + key +
                                  "</SyncKey><CollectionId>1</CollectionId><WindowSize>512</WindowSize></Collection>"
                                  "</Collections></Sync>",
                              device)
                             .body);
  };
  auto first = sync("0");
  auto all = sync("1");
  ASSERT_TRUE(all);
}

// New mail in alice's Inbox, which her Pings and waiting Syncs watch.
void new_mail(const test_server& s) {
  ASSERT_EQ(inject(s, "alice@lab.test", "{\"subject\": \"push!\", \"text\": \"new\"}").status, 201);
}

const std::string status1 = "<Ping xmlns=\"Ping:\"><Status>1</Status></Ping>";
const std::string status2_inbox = "<Ping xmlns=\"Ping:\"><Status>2</Status><Folders><Folder>1</Folder></Folders></Ping>";

TEST(Ping, HeartbeatEndsWithStatus1AndNewMailWithStatus2WithinASecond) {
  test_server server({"--heartbeat-min", "1"});
  sync_inbox(server);
  auto t0 = clock_type::now();
  EXPECT_EQ(xml_of(post(server, "Ping", ping_xml(2))), status1);
  const auto waited = clock_type::now() - t0;
  EXPECT_GE(waited, std::chrono::milliseconds(1900));
  EXPECT_LT(waited, std::chrono::seconds(10));

  auto pending = std::async(std::launch::async, [&] { return post(server, "Ping", ping_xml(30)); });
  // New mail only once the Ping is held: its answer is then the wake-up, not a Ping that came
  // after the mail and answered at once.
  ASSERT_TRUE(wait_for_waiting_requests(server, 1));
  const auto injected = clock_type::now();
  new_mail(server);
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  const auto answer = pending.get();
  EXPECT_LT(clock_type::now() - injected, std::chrono::seconds(1));
  EXPECT_EQ(xml_of(answer), status2_inbox);
  // Not synced yet: a new Ping (without a body: the cached request) answers at once.
  EXPECT_EQ(xml_of(post(server, "Ping", "")), status2_inbox);
}

TEST(Ping, ProtocolErrors) {
  test_server server({"--heartbeat-min", "1"});
  EXPECT_EQ(xml_of(post(server, "Ping", "", "Fresh")), "<Ping xmlns=\"Ping:\"><Status>3</Status></Ping>");
  EXPECT_EQ(xml_of(post(server, "Ping", ping_xml(4000))),
            "<Ping xmlns=\"Ping:\"><Status>5</Status><HeartbeatInterval>3540</HeartbeatInterval></Ping>");
  EXPECT_EQ(xml_of(post(server, "Ping", ping_xml(5, "999"))), "<Ping xmlns=\"Ping:\"><Status>7</Status></Ping>");
  test_server exchange_like;  // the default lower bound is Exchange's 60 s
  EXPECT_EQ(xml_of(post(exchange_like, "Ping", ping_xml(30))),
            "<Ping xmlns=\"Ping:\"><Status>5</Status><HeartbeatInterval>60</HeartbeatInterval></Ping>");
}

TEST(Ping, ANewerPingEndsTheOlderAndShutdownAnswersTheRest) {
  test_server server({"--heartbeat-min", "1"});
  sync_inbox(server);
  auto older = std::async(std::launch::async, [&] { return post(server, "Ping", ping_xml(30)); });
  ASSERT_TRUE(wait_for_waiting_requests(server, 1));  // the older is held before the newer comes
  auto newer = std::async(std::launch::async, [&] { return post(server, "Ping", ping_xml(30)); });
  ASSERT_EQ(older.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(xml_of(older.get()), status1);
  ASSERT_TRUE(wait_for_waiting_requests(server, 1));  // the older is answered: this is the newer
  const auto stopping = clock_type::now();
  server.stop();
  ASSERT_EQ(newer.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(xml_of(newer.get()), status1);
  EXPECT_LT(clock_type::now() - stopping, std::chrono::seconds(4));  // before the 5 s grace period
}

}  // namespace

namespace {

std::string waiting_sync(const std::string& key, const std::string& wait) {
  return "<Sync xmlns=\"AirSync:\"><Collections><Collection><SyncKey>" + key +
         "</SyncKey><CollectionId>1</CollectionId></Collection></Collections>" + wait + "</Sync>";
}

TEST(SyncWait, EmptyAnswerAfterTheIntervalNewMailAtOnceAndLimits) {
  test_server server({"--heartbeat-min", "1"});
  post(server, "Sync", waiting_sync("0", ""));
  auto all = wbxml::decode(post(server, "Sync", waiting_sync("1", "")).body);
  ASSERT_TRUE(all);
  const std::string key(all->child(tag("AirSync:Collections"))->child(tag("AirSync:Collection"))->child_text(tag("AirSync:SyncKey")));
  // Nothing new: after the interval, an empty 200.
  const auto t0 = clock_type::now();
  auto quiet = post(server, "Sync", waiting_sync(key, "<HeartbeatInterval>2</HeartbeatInterval>"));
  EXPECT_EQ(quiet.status, 200);
  EXPECT_TRUE(quiet.body.empty());
  EXPECT_GE(clock_type::now() - t0, std::chrono::milliseconds(1900));
  // New mail during the wait: the Sync answers with it.
  auto pending = std::async(std::launch::async, [&] {
    return post(server, "Sync", waiting_sync(key, "<HeartbeatInterval>30</HeartbeatInterval>"));
  });
  ASSERT_TRUE(wait_for_waiting_requests(server, 1));  // held, so the mail ends the wait
  const auto injected = clock_type::now();
  new_mail(server);
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_LT(clock_type::now() - injected, std::chrono::seconds(1));
  EXPECT_NE(xml_of(pending.get()).find("push!"), std::string::npos);
  EXPECT_EQ(xml_of(post(server, "Sync", waiting_sync(key, "<HeartbeatInterval>4000</HeartbeatInterval>"))),
            "<Sync xmlns=\"AirSync:\"><Status>14</Status><Limit>3540</Limit></Sync>");
  EXPECT_EQ(xml_of(post(server, "Sync", waiting_sync(key, "<Wait>60</Wait>"))),
            "<Sync xmlns=\"AirSync:\"><Status>14</Status><Limit>59</Limit></Sync>");
}

}  // namespace

namespace {

TEST(SyncWait, EmptyAndPartialRequestsStandForTheCachedOne) {
  test_server server({"--heartbeat-min", "1"});
  EXPECT_EQ(xml_of(post(server, "Sync", "", "NoCache")), "<Sync xmlns=\"AirSync:\"><Status>13</Status></Sync>");
  post(server, "Sync", waiting_sync("0", ""));
  // A full request with a heartbeat is cached; the answer brings the demo Inbox.
  auto first = post(server, "Sync", waiting_sync("1", "<HeartbeatInterval>30</HeartbeatInterval>"));
  EXPECT_NE(xml_of(first).find("Welcome to the easemu lab"), std::string::npos);
  // An empty Sync now waits like that request did, with the key the device holds.
  auto pending = std::async(std::launch::async, [&] { return post(server, "Sync", ""); });
  ASSERT_TRUE(wait_for_waiting_requests(server, 1));  // it waits, as the cached request did
  new_mail(server);
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  const auto pushed = xml_of(pending.get());
  EXPECT_NE(pushed.find("push!"), std::string::npos) << pushed;
  EXPECT_EQ(pushed.find("Welcome to the easemu lab"), std::string::npos);  // not sent twice
  // A partial request changes one setting and keeps the rest: no wait now, nothing new.
  auto partial = post(server, "Sync", "<Sync xmlns=\"AirSync:\"><HeartbeatInterval>1</HeartbeatInterval><Partial/></Sync>");
  EXPECT_EQ(partial.status, 200);
  EXPECT_TRUE(partial.body.empty());
}

}  // namespace
