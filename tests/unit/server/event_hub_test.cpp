// The dashboard's live feed without sockets: event_stream's bounded backlog and wake-ups,
// event_hub's events, stream limit and one-shot tickets, and the access log's ticket blanking.
#include <gtest/gtest.h>

#include <string>

#include "easemu/server/event_hub.hpp"
#include "easemu/server/event_stream.hpp"
#include "easemu/server/http.hpp"

namespace {

using namespace easemu::server;

TEST(EventStream, TakeGivesWhatWasPushedAndWakesOnTheNextPush) {
  event_stream s;
  int woken = 0;
  EXPECT_EQ(s.take([&] { ++woken; }), "");
  EXPECT_TRUE(s.push("a"));
  EXPECT_EQ(woken, 1);
  EXPECT_TRUE(s.push("b"));
  EXPECT_EQ(woken, 1);  // once per take
  EXPECT_EQ(s.backlog(), 2u);
  EXPECT_EQ(s.take([&] { ++woken; }), "ab");
  EXPECT_EQ(s.backlog(), 0u);
  s.close();
  EXPECT_EQ(woken, 2);  // closing wakes the connection too
  EXPECT_TRUE(s.closed());
  EXPECT_FALSE(s.aborted());
  EXPECT_FALSE(s.push("c"));
}

TEST(EventStream, WhatWasQueuedBeforeACloseIsStillTaken) {
  event_stream s;
  s.push("last words");
  s.close();
  EXPECT_EQ(s.take({}), "last words");
  EXPECT_EQ(s.take({}), "");
}

TEST(EventStream, AClientThatDoesNotReadIsDroppedPastTheBacklog) {
  event_stream::options o;
  o.max_backlog = 10;
  event_stream s(o);
  int woken = 0;
  s.take([&] { ++woken; });
  EXPECT_TRUE(s.push("12345"));
  EXPECT_TRUE(s.push("67890"));  // exactly the limit
  EXPECT_FALSE(s.aborted());
  EXPECT_FALSE(s.push("x"));
  EXPECT_TRUE(s.aborted());
  EXPECT_EQ(s.backlog(), 0u);  // nothing is kept for it
  EXPECT_EQ(s.take({}), "");
  EXPECT_EQ(woken, 1);
}

TEST(EventStream, AbortWakesTheConnectionOnce) {
  event_stream s;
  int woken = 0;
  s.take([&] { ++woken; });
  s.abort();
  s.abort();
  s.close();
  EXPECT_EQ(woken, 1);
  EXPECT_TRUE(s.aborted());
}

TEST(EventHub, FormatsEventsWithOneDataLinePerLine) {
  EXPECT_EQ(format_event("journal", "7", "{\"id\":7}"), "event: journal\nid: 7\ndata: {\"id\":7}\n\n");
  EXPECT_EQ(format_event("device", "", "a\nb\r\nc"), "event: device\ndata: a\ndata: b\ndata: c\n\n");
}

TEST(EventHub, SubscribersGetRetryFirstThenEveryEvent) {
  event_hub hub;
  EXPECT_FALSE(hub.listening());
  hub.publish("journal", "1", "{}");  // nobody listens: nothing happens
  auto a = hub.subscribe();
  auto b = hub.subscribe();
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(hub.listening());
  EXPECT_EQ(hub.subscribers(), 2u);
  EXPECT_EQ(a->settings().idle_chunk, ": keep-alive\n\n");
  EXPECT_EQ(a->settings().idle_interval, std::chrono::milliseconds(15'000));
  hub.publish("journal", "2", "{\"x\":1}");
  const std::string expected = "retry: 3000\n\nevent: journal\nid: 2\ndata: {\"x\":1}\n\n";
  EXPECT_EQ(a->take({}), expected);
  EXPECT_EQ(b->take({}), expected);
  a->abort();  // that client went away
  hub.publish("device", "", "{}");
  EXPECT_EQ(hub.subscribers(), 1u);
  EXPECT_EQ(b->take({}), "event: device\ndata: {}\n\n");
}

TEST(EventHub, AtMostMaxStreamsAndNoneAfterClose) {
  event_hub::limits l;
  l.max_streams = 2;
  event_hub hub(l);
  auto a = hub.subscribe();
  auto b = hub.subscribe();
  EXPECT_EQ(hub.subscribe(), nullptr);
  a->abort();  // a slot frees up when a stream ends
  auto c = hub.subscribe();
  ASSERT_NE(c, nullptr);
  hub.close_all();
  EXPECT_TRUE(b->closed());
  EXPECT_TRUE(c->closed());
  EXPECT_FALSE(hub.listening());
  EXPECT_EQ(hub.subscribe(), nullptr);
}

TEST(EventHub, AStalledSubscriberIsDroppedAndTheOthersKeepTheirEvents) {
  event_hub::limits l;
  l.max_backlog = 64;
  event_hub hub(l);
  auto stalled = hub.subscribe();
  auto reader = hub.subscribe();
  for (int i = 0; i < 10; ++i) {
    hub.publish("journal", std::to_string(i), "{}");
    reader->take({});
  }
  EXPECT_TRUE(stalled->aborted());
  EXPECT_FALSE(reader->closed());
  EXPECT_EQ(hub.subscribers(), 1u);
}

TEST(EventHub, TicketsAreRandomOneShotAndExpire) {
  event_hub hub;
  const auto t1 = hub.issue_ticket(1000);
  const auto t2 = hub.issue_ticket(1000);
  EXPECT_EQ(t1.size(), 32u);
  EXPECT_EQ(t1.find_first_not_of("0123456789abcdefABCDEF"), std::string::npos);
  EXPECT_NE(t1, t2);
  EXPECT_FALSE(hub.redeem_ticket("0123456789abcdef0123456789abcdef", 1000));
  EXPECT_FALSE(hub.redeem_ticket("", 1000));
  EXPECT_TRUE(hub.redeem_ticket(t1, 1500));
  EXPECT_FALSE(hub.redeem_ticket(t1, 1500));  // spent
  EXPECT_FALSE(hub.redeem_ticket(t2, 1000 + 30'000));  // 30 s later: expired
  EXPECT_FALSE(hub.redeem_ticket(t2, 1000));           // and spent by the failed attempt
}

TEST(EventHub, UnredeemedTicketsAreBounded) {
  event_hub::limits l;
  l.max_tickets = 3;
  event_hub hub(l);
  const auto oldest = hub.issue_ticket(0);
  for (int i = 0; i < 3; ++i) hub.issue_ticket(0);
  EXPECT_FALSE(hub.redeem_ticket(oldest, 1));  // pushed out by the newer ones
}

TEST(AccessLog, TicketsAreBlankedInLoggedTargets) {
  EXPECT_EQ(loggable_target("/api/v1/events?ticket=abcdef"), "/api/v1/events?ticket=(removed)");
  EXPECT_EQ(loggable_target("/x?a=1&TICKET=secret&b=2"), "/x?a=1&TICKET=(removed)&b=2");
  EXPECT_EQ(loggable_target("/Microsoft-Server-ActiveSync?Cmd=Sync&User=alice"), "/Microsoft-Server-ActiveSync?Cmd=Sync&User=alice");
  EXPECT_EQ(loggable_target("/x?noticket=1"), "/x?noticket=1");
  EXPECT_EQ(loggable_target("/plain"), "/plain");
}

}  // namespace
