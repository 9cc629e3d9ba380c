// The item sync engine: keys, windows, replays, client changes, filters.
#include "easemu/mailbox/sync.hpp"

#include <gtest/gtest.h>

namespace {

using namespace easemu::mailbox;

std::vector<item_version> items(int n, int first = 1) {
  std::vector<item_version> out;
  for (int i = first + n - 1; i >= first; --i) out.push_back({"1:" + std::to_string(i), 1});  // newest first
  return out;
}

sync_request request(std::string_view key, const std::vector<item_version>& current, std::size_t window = 100) {
  sync_request r;
  r.client_key = key;
  r.current = current;
  for (const auto& i : current) r.existing.insert(i.id);
  r.window = window;
  return r;
}

TEST(Sync, KeyZeroThenWindowsWithMoreAvailable) {
  const auto all = items(250);
  auto r = sync_collection(request("0", all), {});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.sync_key, "1");
  EXPECT_TRUE(r.added.empty());  // MS-ASCMD 2.2.3.166.4: nothing with the first key
  std::size_t total = 0;
  int rounds = 0;
  auto state = r.state;
  std::string key = r.sync_key;
  while (true) {
    auto w = sync_collection(request(key, all, 100), state);
    ASSERT_EQ(w.status, 1);
    total += w.added.size();
    ++rounds;
    EXPECT_EQ(w.sync_key, std::to_string(std::stoi(key) + 1));
    state = w.state;
    key = w.sync_key;
    if (!w.more_available) break;
    EXPECT_EQ(w.added.size(), 100u);
  }
  EXPECT_EQ(total, 250u);
  EXPECT_EQ(rounds, 3);
  // Newest first: the first window started with item 250.
  auto fresh = sync_collection(request("1", all, 1), sync_collection(request("0", all), {}).state);
  EXPECT_EQ(fresh.added, std::vector<std::string>{"1:250"});
  // Nothing new: the same key, nothing sent.
  auto idle = sync_collection(request(key, all), state);
  EXPECT_EQ(idle.sync_key, key);
  EXPECT_TRUE(idle.added.empty());
  EXPECT_EQ(idle.state, state);
}

TEST(Sync, LostAnswerIsRepeatedAndUnknownKeysAre3) {
  const auto all = items(5);
  auto start = sync_collection(request("0", all), {});
  auto first = sync_collection(request("1", all), start.state);
  ASSERT_EQ(first.added.size(), 5u);
  // The device did not get the answer and asks with key 1 again: the same items, the same key.
  auto again = sync_collection(request("1", all), first.state);
  EXPECT_EQ(again.added, first.added);
  EXPECT_EQ(again.sync_key, first.sync_key);
  EXPECT_EQ(sync_collection(request("9", all), first.state).status, 3);
  EXPECT_EQ(sync_collection(request("x", all), first.state).status, 3);
  EXPECT_EQ(sync_collection(request("1", all), {}).status, 3);  // no relationship yet
  sync_request missing;
  EXPECT_EQ(sync_collection(missing, first.state).status, 4);
  // GetChanges together with key 0 is a protocol error.
  auto bad = request("0", all);
  bad.get_changes_given = true;
  EXPECT_EQ(sync_collection(bad, {}).status, 4);
}

TEST(Sync, ChangesDeletesFiltersAndTheClientsOwnChanges) {
  auto all = items(3);
  auto s = sync_collection(request("1", all), sync_collection(request("0", all), {}).state);
  ASSERT_EQ(s.added.size(), 3u);
  // The server marks 1:2 read (a new version) and loses 1:1; a new 1:4 arrives.
  all = {{"1:4", 1}, {"1:3", 1}, {"1:2", 2}};
  auto next = sync_collection(request(s.sync_key, all), s.state);
  EXPECT_EQ(next.added, std::vector<std::string>{"1:4"});
  EXPECT_EQ(next.changed, std::vector<std::string>{"1:2"});
  EXPECT_EQ(next.deleted, std::vector<std::string>{"1:1"});
  // The device marks 1:3 read itself: not echoed; and deletes 1:4: not reported back.
  all = {{"1:3", 2}};
  auto own = request(next.sync_key, all);
  own.existing = {"1:3", "1:2"};
  own.current = {{"1:3", 2}};  // 1:2 is now outside the filter
  own.applied_by_client = {{"1:3", 2}};
  own.deleted_by_client = {"1:4"};
  own.client_commands = true;
  auto after = sync_collection(own, next.state);
  EXPECT_TRUE(after.changed.empty());
  EXPECT_TRUE(after.deleted.empty());
  EXPECT_EQ(after.soft_deleted, std::vector<std::string>{"1:2"});
  EXPECT_NE(after.sync_key, next.sync_key);  // client commands always get a new key
  EXPECT_EQ(parse_known(serialize(after.state.known)), after.state.known);
}

TEST(Sync, GetChangesFalseSendsNothing) {
  const auto all = items(4);
  auto s = sync_collection(request("0", all), {});
  auto r = request("1", all);
  r.get_changes = false;
  r.get_changes_given = true;
  const auto out = sync_collection(r, s.state);
  EXPECT_TRUE(out.added.empty());
  EXPECT_EQ(out.sync_key, "1");
}

}  // namespace
