// The store contract, run against every implementation (a file database, an in-memory one, and
// the cache in front of a file database).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include "easemu/store/cached_store.hpp"
#include "easemu/store/journal_view.hpp"
#include "easemu/store/journal_writer.hpp"
#include "easemu/store/store.hpp"
#include "support/process.hpp"

namespace {

using namespace easemu::store;

struct store_kind {
  const char* name;
  std::function<std::unique_ptr<store>(const std::string& dir)> open;
};

// Stands for the server's WBXML renderer: says how many bytes it was given.
std::string test_renderer(std::string_view wbxml) { return "<wbxml bytes=\"" + std::to_string(wbxml.size()) + "\"/>"; }

class StoreContract : public ::testing::TestWithParam<store_kind> {
 protected:
  std::unique_ptr<store> open() { return GetParam().open(dir_.path().string()); }
  easemu::test::temp_dir dir_;
};

TEST_P(StoreContract, NewDatabaseHasTheCurrentSchema) {
  EXPECT_EQ(open()->schema_version(), current_schema_version());
}

TEST_P(StoreContract, FirstContactCreatesLaterContactsUpdate) {
  auto s = open();
  auto first = s->record_device_contact("alice@lab.test", "ApplDNQXXXX1", "iPhone", "Apple-iPhone9C4/1602", "14.1", 1000);
  EXPECT_EQ(first.first_seen_ms, 1000);
  EXPECT_EQ(first.last_seen_ms, 1000);
  auto later = s->record_device_contact("alice@lab.test", "appldnqxxxx1", "iPhone", "Apple-iPhone9C4/1700", "16.1", 5000);
  EXPECT_EQ(later.device_id, "ApplDNQXXXX1");  // the first contact's letter case stays
  EXPECT_EQ(later.first_seen_ms, 1000);
  EXPECT_EQ(later.last_seen_ms, 5000);
  EXPECT_EQ(later.user_agent, "Apple-iPhone9C4/1700");
  EXPECT_EQ(later.protocol_version, "16.1");
  EXPECT_EQ(s->list_devices().size(), 1u);
  EXPECT_EQ(s->find_device("ALICE@lab.test", "APPLDNQXXXX1"), later);
}

TEST_P(StoreContract, DevicesArePerMailbox) {
  auto s = open();
  s->record_device_contact("alice@lab.test", "dev1", "WP", "ua", "14.0", 1);
  s->record_device_contact("bob@lab.test", "dev1", "WP", "ua", "14.0", 2);
  s->record_device_contact("alice@lab.test", "dev2", "Android", "ua", "14.1", 3);
  EXPECT_EQ(s->list_devices().size(), 3u);
  const auto alice = s->list_devices(std::string("alice@lab.test"));
  ASSERT_EQ(alice.size(), 2u);
  EXPECT_EQ(alice[0].device_id, "dev1");
  EXPECT_EQ(alice[1].device_id, "dev2");
  EXPECT_TRUE(s->delete_device("alice@lab.test", "DEV1"));
  EXPECT_FALSE(s->delete_device("alice@lab.test", "dev1"));
  EXPECT_FALSE(s->find_device("alice@lab.test", "dev1"));
  EXPECT_TRUE(s->find_device("bob@lab.test", "dev1"));
}

TEST_P(StoreContract, ConcurrentContactsAreConsistent) {
  auto s = open();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        s->record_device_contact("alice@lab.test", "dev" + std::to_string(i % 10), "WP", "ua", "14.0", t * 1000 + i);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(s->list_devices().size(), 10u);
}

INSTANTIATE_TEST_SUITE_P(
    Implementations, StoreContract,
    ::testing::Values(store_kind{"sqlite_file", [](const std::string& dir) { return open_sqlite_store(dir + "/easemu.db"); }},
                      store_kind{"sqlite_memory", [](const std::string&) { return open_memory_store(); }},
                      store_kind{"cached_sqlite_file",
                                 [](const std::string& dir) { return make_cached_store(open_sqlite_store(dir + "/easemu.db")); }},
                      // The server's read path: the journal rendered when read (journal_view.hpp).
                      store_kind{"rendered_journal_sqlite_file",
                                 [](const std::string& dir) {
                                   return make_rendered_journal_store(open_sqlite_store(dir + "/easemu.db"), test_renderer);
                                 }}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(SqliteStore, DataSurvivesReopening) {
  easemu::test::temp_dir dir;
  const auto path = (dir / "easemu.db").string();
  open_sqlite_store(path)->record_device_contact("alice@lab.test", "dev1", "WP", "ua", "14.0", 42);
  auto again = open_sqlite_store(path);
  auto d = again->find_device("alice@lab.test", "dev1");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->first_seen_ms, 42);
}

TEST(SqliteStore, RefusesADatabaseFromANewerEasemu) {
  easemu::test::temp_dir dir;
  const auto path = (dir / "easemu.db").string();
  open_sqlite_store(path);
  // Raise the schema version past ours, as a newer binary would have.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 999", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  try {
    open_sqlite_store(path);
    FAIL() << "opened a database with schema version 999";
  } catch (const store_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this easemu"), std::string::npos) << e.what();
  }
}

}  // namespace

namespace {

journal_entry entry(std::int64_t t, const std::string& user, const std::string& command) {
  journal_entry e;
  e.time_ms = t;
  e.user = user;
  e.device_id = "dev1";
  e.device_type = "WP";
  e.command = command;
  e.protocol_version = "14.1";
  e.http_status = 200;
  e.eas_status = 1;
  e.duration_ms = 3;
  e.request_xml = "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>";
  e.response_xml = "<FolderSync xmlns=\"FolderHierarchy:\"><Status>1</Status></FolderSync>";
  return e;
}

TEST_P(StoreContract, JournalKeepsEntriesNewestFirstAndFilters) {
  auto s = open();
  s->append_journal({entry(100, "alice@lab.test", "FolderSync"), entry(200, "bob@lab.test", "Sync"),
                     entry(300, "alice@lab.test", "Sync")});
  auto all = s->query_journal({});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].time_ms, 300);
  EXPECT_EQ(all[2].request_xml, entry(0, "", "").request_xml);
  journal_filter f;
  f.user = "ALICE@lab.test";
  EXPECT_EQ(s->query_journal(f).size(), 2u);
  f.command = "sync";
  EXPECT_EQ(s->query_journal(f).size(), 1u);
  journal_filter since;
  since.since_ms = 200;
  EXPECT_EQ(s->query_journal(since).size(), 2u);
  journal_filter limit;
  limit.limit = 1;
  EXPECT_EQ(s->query_journal(limit).size(), 1u);
}

TEST_P(StoreContract, JournalAssignsIdsAndFindsByIdAndAfterAnId) {
  auto s = open();
  const auto first = s->append_journal({entry(100, "alice@lab.test", "FolderSync"), entry(200, "bob@lab.test", "Sync")});
  ASSERT_EQ(first.size(), 2u);
  EXPECT_LT(first[0], first[1]);
  const auto second = s->append_journal({entry(300, "alice@lab.test", "Ping")});
  ASSERT_EQ(second.size(), 1u);
  EXPECT_GT(second[0], first[1]);
  EXPECT_TRUE(s->append_journal({}).empty());

  journal_filter one;
  one.id = first[1];
  const auto found = s->query_journal(one);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, first[1]);
  EXPECT_EQ(found[0].user, "bob@lab.test");
  one.id = second[0] + 1000;
  EXPECT_TRUE(s->query_journal(one).empty());

  journal_filter after;
  after.after_id = first[0];
  const auto newer = s->query_journal(after);
  ASSERT_EQ(newer.size(), 2u);
  EXPECT_EQ(newer[0].id, second[0]);  // newest first, as always
  EXPECT_EQ(newer[1].id, first[1]);
}

TEST_P(StoreContract, JournalSummaryLeavesOutBodiesButKeepsAFaultComment) {
  auto s = open();
  auto faulted = entry(1, "alice@lab.test", "Sync");
  faulted.response_xml = std::string(journal_fault_comment) + "f1: HTTP 503 -->\n<Sync xmlns=\"AirSync:\"/>";
  faulted.request_headers = "User-Agent: x\n";
  s->append_journal({faulted, entry(2, "alice@lab.test", "Sync")});
  journal_filter f;
  f.summary = true;
  const auto all = s->query_journal(f);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].request_xml, "");
  EXPECT_EQ(all[0].response_xml, "");
  EXPECT_EQ(all[1].request_xml, "");
  EXPECT_EQ(all[1].response_xml, std::string(journal_fault_comment) + "f1: HTTP 503 -->");
  EXPECT_EQ(all[1].request_headers, "");
  EXPECT_EQ(all[1].http_status, 200);
  EXPECT_EQ(all[1].command, "Sync");
}

TEST_P(StoreContract, JournalKeepsHeadersWhenGiven) {
  auto s = open();
  auto e = entry(5, "alice@lab.test", "Sync");
  e.request_headers = "MS-ASProtocolVersion: 14.1\nAuthorization: (removed)\n";
  e.response_headers = "Content-Type: application/vnd.ms-sync.wbxml\n";
  s->append_journal({e, entry(6, "bob@lab.test", "Sync")});
  const auto all = s->query_journal({});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].request_headers, e.request_headers);
  EXPECT_EQ(all[1].response_headers, e.response_headers);
  EXPECT_EQ(all[0].request_headers, "");
}

TEST_P(StoreContract, JournalKeepsOnlyTheNewestEntriesPastItsRetention) {
  auto s = open();
  s->set_journal_retention(5);
  for (int batch = 0; batch < 4; ++batch) {
    std::vector<journal_entry> entries;
    for (int i = 0; i < 3; ++i) entries.push_back(entry(batch * 10 + i, "alice@lab.test", "Sync"));
    s->append_journal(entries);
  }
  const auto kept = s->query_journal({});
  ASSERT_EQ(kept.size(), 5u);
  EXPECT_EQ(kept.front().time_ms, 32);  // the newest
  EXPECT_EQ(kept.back().time_ms, 21);   // the oldest of the five newest
}

TEST_P(StoreContract, JournalCapsXmlOnCharacterBoundaries) {
  auto s = open();
  auto e = entry(1, "alice@lab.test", "Sync");
  e.request_xml = std::string(journal_xml_cap - 1, 'a') + "\xC3\xA9" + std::string(100, 'b');
  s->append_journal({e});
  const auto back = s->query_journal({}).at(0).request_xml;
  EXPECT_LT(back.size(), journal_xml_cap + 100);
  EXPECT_EQ(back.substr(0, journal_xml_cap - 1), std::string(journal_xml_cap - 1, 'a'));
  EXPECT_NE(back.find("<!-- truncated: "), std::string::npos);
  EXPECT_EQ(back.find("\xC3\n"), std::string::npos);  // no half character
}

TEST_P(StoreContract, JournalKeepsTheWbxmlBodiesAsBytes) {
  auto s = open();
  auto e = entry(1, "alice@lab.test", "Sync");
  e.request_xml.clear();
  e.response_xml = std::string(journal_fault_comment) + "f2: delay_ms=100 -->";
  e.request_wbxml = std::string("\x03\x01\x6a\x00\x00\x00\x45\x01", 8);  // NUL bytes survive
  e.response_wbxml = std::string("\x03\x01\x6a\x00\x45\x4e\x03" "1\x00\x01\x01", 12);
  s->append_journal({e, entry(2, "alice@lab.test", "Sync")});
  const auto all = s->query_journal({});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].request_wbxml, e.request_wbxml);
  EXPECT_EQ(all[1].response_wbxml, e.response_wbxml);
  EXPECT_TRUE(all[0].request_wbxml.empty());  // an entry without WBXML has none
  EXPECT_TRUE(all[0].response_wbxml.empty());
  // The response's XML starts with the fault's comment, whoever renders the rest.
  EXPECT_EQ(all[1].response_xml.rfind(e.response_xml, 0), 0u) << all[1].response_xml;
  journal_filter f;
  f.summary = true;
  const auto summary = s->query_journal(f);
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_TRUE(summary[1].request_wbxml.empty());
  EXPECT_TRUE(summary[1].response_wbxml.empty());
  EXPECT_EQ(summary[1].request_xml, "");
  EXPECT_EQ(summary[1].response_xml, e.response_xml);
}

TEST_P(StoreContract, JournalCutsWbxmlPastItsCap) {
  auto s = open();
  auto e = entry(1, "alice@lab.test", "ItemOperations");
  e.response_wbxml = std::string(journal_wbxml_cap + 10, '\x45');
  s->append_journal({e});
  EXPECT_EQ(s->query_journal({}).at(0).response_wbxml.size(), journal_wbxml_cap);
}

TEST(RenderedJournal, RendersTheBodiesWhenReadAfterTheFaultComment) {
  auto s = make_rendered_journal_store(open_memory_store(), test_renderer);
  auto recorded = entry(1, "alice@lab.test", "Sync");
  recorded.request_xml.clear();
  recorded.response_xml = std::string(journal_fault_comment) + "f1: eas_status=3 -->";
  recorded.request_wbxml = "abc";
  recorded.response_wbxml = "abcdef";
  auto no_body = entry(2, "alice@lab.test", "Ping");
  no_body.request_xml.clear();
  no_body.response_xml.clear();
  s->append_journal({recorded, no_body, entry(3, "alice@lab.test", "FolderSync")});
  const auto all = s->query_journal({});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].request_xml, "<wbxml bytes=\"3\"/>");
  EXPECT_EQ(all[2].response_xml, recorded.response_xml + "\n<wbxml bytes=\"6\"/>");
  EXPECT_EQ(all[1].request_xml, "");
  EXPECT_EQ(all[1].response_xml, "");
  // An entry written with its XML (before schema 9) is read as it was written.
  EXPECT_EQ(all[0].request_xml, entry(3, "alice@lab.test", "FolderSync").request_xml);
  EXPECT_EQ(all[0].response_xml, entry(3, "alice@lab.test", "FolderSync").response_xml);
}

TEST(RenderedJournal, CapsTheRenderedXml) {
  journal_entry e;
  e.request_wbxml = "x";
  render_journal_entry(e, [](std::string_view) { return std::string(journal_xml_cap + 5, 'a'); });
  EXPECT_NE(e.request_xml.find("<!-- truncated: "), std::string::npos);
  EXPECT_LT(e.request_xml.size(), journal_xml_cap + 100);
}

TEST(SqliteStore, JournalRowsOfSchema8StayReadable) {
  easemu::test::temp_dir dir;
  const auto path = (dir / "easemu.db").string();
  {
    // The journal as schema 8 left it, with one row.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const char* sql =
        "CREATE TABLE journal (id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, user TEXT NOT NULL "
        "COLLATE NOCASE, device_id TEXT NOT NULL COLLATE NOCASE, device_type TEXT NOT NULL, command TEXT NOT NULL "
        "COLLATE NOCASE, protocol_version TEXT NOT NULL, http_status INTEGER NOT NULL, eas_status INTEGER NOT NULL, "
        "duration_ms INTEGER NOT NULL, request_xml TEXT NOT NULL, response_xml TEXT NOT NULL, request_headers TEXT "
        "NOT NULL DEFAULT '', response_headers TEXT NOT NULL DEFAULT '');"
        "INSERT INTO journal (time_ms, user, device_id, device_type, command, protocol_version, http_status, "
        "eas_status, duration_ms, request_xml, response_xml) VALUES (7, 'alice@lab.test', 'dev1', 'WP', 'Sync', "
        "'14.1', 200, 1, 3, '<Sync xmlns=\"AirSync:\"/>', '<Sync xmlns=\"AirSync:\"><Status>1</Status></Sync>');"
        // Schema 6's items table, which schema 10 extends.
        "CREATE TABLE items (mailbox TEXT NOT NULL COLLATE NOCASE, item_id TEXT NOT NULL, folder_id TEXT NOT NULL, "
        "version INTEGER NOT NULL, received_ms INTEGER NOT NULL, read INTEGER NOT NULL, flag INTEGER NOT NULL, "
        "mime BLOB NOT NULL, PRIMARY KEY (mailbox, item_id));"
        "PRAGMA user_version = 8;";
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto s = make_rendered_journal_store(open_sqlite_store(path), test_renderer);
  EXPECT_EQ(s->schema_version(), current_schema_version());
  const auto all = s->query_journal({});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].request_xml, "<Sync xmlns=\"AirSync:\"/>");
  EXPECT_EQ(all[0].response_xml, "<Sync xmlns=\"AirSync:\"><Status>1</Status></Sync>");
  EXPECT_TRUE(all[0].request_wbxml.empty());
  EXPECT_TRUE(all[0].response_wbxml.empty());
}

TEST(JournalWriter, WritesEverythingPushedInBatches) {
  std::shared_ptr<store> s = open_memory_store();
  {
    journal_writer w(s);
    for (int i = 0; i < 1000; ++i) w.push(entry(i, "alice@lab.test", "Ping"));
    w.flush();
    journal_filter f;
    f.limit = 5000;
    EXPECT_EQ(s->query_journal(f).size(), 1000u);
    w.push(entry(5000, "alice@lab.test", "Sync"));
  }  // the destructor writes what is queued
  EXPECT_EQ(s->query_journal({}).at(0).time_ms, 5000);
}

TEST(JournalWriter, TellsWhatItWroteWithTheIds) {
  std::shared_ptr<store> s = open_memory_store();
  std::vector<journal_entry> told;
  std::mutex mu;
  journal_writer w(s, 100, [&](const std::vector<journal_entry>& batch) {
    std::lock_guard lock(mu);
    told.insert(told.end(), batch.begin(), batch.end());
  });
  w.push(entry(1, "alice@lab.test", "Sync"));
  w.push(entry(2, "bob@lab.test", "Ping"));
  w.flush();  // returns after the callback
  std::lock_guard lock(mu);
  ASSERT_EQ(told.size(), 2u);
  const auto stored = s->query_journal({});
  EXPECT_EQ(told[0].id, stored[1].id);
  EXPECT_EQ(told[1].id, stored[0].id);
  EXPECT_EQ(told[1].user, "bob@lab.test");
  EXPECT_NE(told[0].id, 0);
}

TEST(JournalWriter, DropsInsteadOfBlockingWhenFull) {
  std::shared_ptr<store> s = open_memory_store();
  journal_writer w(s, 0);
  w.push(entry(1, "alice@lab.test", "Sync"));
  w.push(entry(2, "alice@lab.test", "Sync"));
  w.flush();
  EXPECT_EQ(w.dropped(), 2u);
  EXPECT_TRUE(s->query_journal({}).empty());
}

}  // namespace

namespace {

TEST_P(StoreContract, MailboxesBecomeExactlyTheLabFilesAndOrphanDevicesGo) {
  auto s = open();
  s->replace_mailboxes({{"alice@lab.test", "Alice Lab", "Passw0rd", "", true},
                        {"bob@lab.test", "Bob Lab", "Passw0rd", "My WP7 Policy", true}});
  s->record_device_contact("alice@lab.test", "a1", "WP", "ua", "14.0", 1);
  s->record_device_contact("bob@lab.test", "b1", "WP", "ua", "14.0", 1);
  s->replace_mailboxes({{"ALICE@lab.test", "Alice", "New", "", false}, {"carol@lab.test", "Carol", "x", "", true}});
  const auto m = s->list_mailboxes();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0], (mailbox_record{"ALICE@lab.test", "Alice", "New", "", false}));
  EXPECT_EQ(m[1].address, "carol@lab.test");
  EXPECT_TRUE(s->find_device("alice@lab.test", "a1"));   // alice stays: her phone stays
  EXPECT_FALSE(s->find_device("bob@lab.test", "b1"));    // bob is gone: so is his phone
}

TEST_P(StoreContract, PoliciesKeepTheirParametersInOrder) {
  auto s = open();
  const policy_record wp7{"My WP7 Policy",
                          {{"Name", "My WP7 Policy"}, {"AllowNonProvisionableDevices", "$false"},
                           {"MaxInactivityTimeDeviceLock", "unlimited"}, {"MinDevicePasswordLength", "$null"}}};
  const policy_record def{"Default", {{"Name", "Default"}, {"IsDefault", "true"}}};
  s->replace_policies({wp7, def});
  EXPECT_EQ(s->list_policies(), (std::vector<policy_record>{wp7, def}));
  s->replace_policies({def});
  EXPECT_EQ(s->list_policies(), (std::vector<policy_record>{def}));
}

TEST_P(StoreContract, LabStateByKey) {
  auto s = open();
  EXPECT_FALSE(s->get_lab_state("demo_mail_seeded"));
  s->set_lab_state("demo_mail_seeded", "1");
  s->set_lab_state("demo_mail_seeded", "2");
  EXPECT_EQ(s->get_lab_state("demo_mail_seeded"), "2");
}

}  // namespace

namespace {

TEST_P(StoreContract, ProvisioningStateAndDeviceInformationPersist) {
  auto s = open();
  s->record_device_contact("alice@lab.test", "WP7ABC", "WP", "MSFT-WP/7.10", "14.1", 10);
  device_provisioning p;
  p.policy_key = 4294967295;  // the largest uint32 key
  p.pending_key = 12;
  p.policy_hash = "00ff00ff00ff00ff";
  p.policy_name = "My WP7 Policy";
  p.policy_status = 3;
  p.last_policy_ms = 11;
  p.wipe_requested_ms = 12;
  p.wipe_account_only = true;
  p.wipe_requestor = "admin";
  EXPECT_TRUE(s->update_device_provisioning("ALICE@lab.test", "wp7abc", p));
  EXPECT_TRUE(s->update_device_information("alice@lab.test", "WP7ABC", {"Lumia 800", "3569", "Phone", "WP 7.5", "en-US", "+1", "Op"}));
  EXPECT_FALSE(s->update_device_provisioning("alice@lab.test", "nosuch", p));
  // A later contact keeps both.
  s->record_device_contact("alice@lab.test", "WP7ABC", "WP", "MSFT-WP/7.10", "14.1", 20);
  const auto d = s->find_device("alice@lab.test", "WP7ABC");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->provisioning, p);
  EXPECT_EQ(d->information.model, "Lumia 800");
  EXPECT_EQ(d->information.mobile_operator, "Op");
}

TEST(SqliteStore, ProvisioningStateSurvivesReopening) {
  easemu::test::temp_dir dir;
  const auto path = (dir / "easemu.db").string();
  device_provisioning p;
  p.policy_key = 99;
  p.last_policy_ms = 5;
  {
    auto s = open_sqlite_store(path);
    s->record_device_contact("bob@lab.test", "d", "iPhone", "ua", "16.1", 1);
    s->update_device_provisioning("bob@lab.test", "d", p);
  }
  EXPECT_EQ(open_sqlite_store(path)->find_device("bob@lab.test", "d")->provisioning, p);
}

}  // namespace

namespace {

TEST_P(StoreContract, FoldersAndHierarchyStatePerMailboxAndDevice) {
  auto s = open();
  s->replace_mailboxes({{"alice@lab.test", "Alice", "pw", "", true}, {"bob@lab.test", "Bob", "pw", "", true}});
  EXPECT_TRUE(s->list_folders("alice@lab.test").empty());
  const std::vector<folder_record> folders = {{"1", "0", "Inbox", 2}, {"11", "1", "Projekte \xC3\xBC", 12}};
  s->replace_folders("alice@lab.test", folders);
  EXPECT_EQ(s->list_folders("ALICE@lab.test"), folders);
  EXPECT_TRUE(s->list_folders("bob@lab.test").empty());
  s->replace_folders("alice@lab.test", {folders[0]});
  EXPECT_EQ(s->list_folders("alice@lab.test").size(), 1u);

  s->record_device_contact("alice@lab.test", "dev", "WP", "ua", "14.1", 1);
  EXPECT_FALSE(s->find_hierarchy_state("alice@lab.test", "dev"));
  const hierarchy_record h{3, "1\t0\t2\tInbox\n", 2, ""};
  s->save_hierarchy_state("alice@lab.test", "dev", h);
  EXPECT_EQ(s->find_hierarchy_state("alice@lab.test", "DEV"), h);
  s->save_hierarchy_state("alice@lab.test", "dev", {4, "", 3, h.known});
  EXPECT_EQ(s->find_hierarchy_state("alice@lab.test", "dev")->key, 4);
  // Removing the partnership removes its sync state.
  s->delete_device("alice@lab.test", "dev");
  EXPECT_FALSE(s->find_hierarchy_state("alice@lab.test", "dev"));
}

}  // namespace

namespace {

TEST_P(StoreContract, ItemsAndCollectionState) {
  auto s = open();
  s->replace_mailboxes({{"alice@lab.test", "Alice", "pw", "", true}});
  const std::string binary("Subject: x\r\n\r\n\x00\xff body", 20);
  s->put_items("alice@lab.test", {{"1:1", "1", 1, 100, false, 0, binary}, {"1:2", "1", 1, 300, true, 2, "b"},
                                  {"1:3", "1", 1, 200, false, 0, "c"}, {"4:4", "4", 1, 50, false, 0, "d"}});
  EXPECT_EQ(s->list_items("alice@lab.test", "1"),
            (std::vector<item_summary>{{"1:2", 1, 300}, {"1:3", 1, 200}, {"1:1", 1, 100}}));  // newest first
  EXPECT_EQ(s->find_item("alice@lab.test", "1:1")->mime, binary);
  auto changed = *s->find_item("alice@lab.test", "1:3");
  changed.read = true;
  changed.version = 2;
  s->put_items("alice@lab.test", {changed});
  EXPECT_EQ(s->find_item("ALICE@lab.test", "1:3"), changed);
  EXPECT_TRUE(s->delete_item("alice@lab.test", "1:3"));
  EXPECT_FALSE(s->delete_item("alice@lab.test", "1:3"));
  EXPECT_FALSE(s->find_item("alice@lab.test", "1:3"));

  s->record_device_contact("alice@lab.test", "dev", "WP", "ua", "14.1", 1);
  EXPECT_FALSE(s->find_collection_state("alice@lab.test", "dev", "1"));
  s->save_collection_state("alice@lab.test", "dev", "1", {2, "1:1\t1\n", 1, ""});
  s->save_collection_state("alice@lab.test", "dev", "4", {7, "", 6, ""});
  EXPECT_EQ(s->find_collection_state("alice@lab.test", "DEV", "1")->known, "1:1\t1\n");
  EXPECT_EQ(s->find_collection_state("alice@lab.test", "dev", "4")->key, 7);
  s->delete_device("alice@lab.test", "dev");
  EXPECT_FALSE(s->find_collection_state("alice@lab.test", "dev", "1"));
}

// A calendar, contact, task or note item keeps its properties as bytes (schema 10).
TEST_P(StoreContract, ItemPropertiesAndSupportedLists) {
  auto s = open();
  s->replace_mailboxes({{"alice@lab.test", "Alice", "pw", "", true}, {"bob@lab.test", "Bob", "pw", "", true}});
  const std::string props("\x03\x01\x6a\x00\x00\x00\x5d\x01", 8);
  item_record contact{"9:1", "9", 1, 100, false, 0, "", props};
  s->put_items("alice@lab.test", {contact});
  EXPECT_EQ(s->find_item("alice@lab.test", "9:1"), contact);
  EXPECT_EQ(s->find_item("alice@lab.test", "9:1")->properties, props);
  EXPECT_TRUE(s->find_item("alice@lab.test", "9:1")->mime.empty());

  s->record_device_contact("alice@lab.test", "dev", "WP", "ua", "14.1", 1);
  EXPECT_FALSE(s->find_collection_supported("alice@lab.test", "dev", "9"));
  s->save_collection_supported("alice@lab.test", "dev", "9", std::string("1:31,1:41"));
  s->save_collection_supported("bob@lab.test", "dev", "9", std::string(""));
  EXPECT_EQ(s->find_collection_supported("ALICE@lab.test", "DEV", "9"), "1:31,1:41");
  EXPECT_EQ(s->find_collection_supported("bob@lab.test", "dev", "9"), "");  // an empty Supported is not none
  s->save_collection_supported("bob@lab.test", "dev", "9", std::nullopt);
  EXPECT_FALSE(s->find_collection_supported("bob@lab.test", "dev", "9"));
  s->delete_device("alice@lab.test", "dev");
  EXPECT_FALSE(s->find_collection_supported("alice@lab.test", "dev", "9"));
}

}  // namespace

namespace {

// The cache's own promises: reads after writes see them, and a deferred contact is not lost.
TEST(CachedStore, ContactsWithinASecondAreDeferredButVisibleAndWrittenOnClose) {
  easemu::test::temp_dir dir;
  const auto path = (dir / "easemu.db").string();
  {
    auto s = make_cached_store(open_sqlite_store(path));
    s->record_device_contact("alice@lab.test", "Dev1", "WP", "ua", "14.0", 1'000);
    s->record_device_contact("alice@lab.test", "dev1", "WP", "ua", "14.0", 1'500);
    EXPECT_EQ(s->find_device("ALICE@lab.test", "DEV1")->last_seen_ms, 1'500);
    EXPECT_EQ(s->list_devices().at(0).last_seen_ms, 1'500);
    // The row itself still says 1000: the second contact was inside the interval.
    EXPECT_EQ(open_sqlite_store(path)->find_device("alice@lab.test", "dev1")->last_seen_ms, 1'000);
    // Past the interval the next contact is written through.
    s->record_device_contact("alice@lab.test", "dev1", "WP", "ua", "14.0", 2'600);
    EXPECT_EQ(open_sqlite_store(path)->find_device("alice@lab.test", "dev1")->last_seen_ms, 2'600);
    s->record_device_contact("alice@lab.test", "dev1", "WP", "ua", "14.0", 2'700);
  }
  const auto d = open_sqlite_store(path)->find_device("alice@lab.test", "dev1");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->last_seen_ms, 2'700);
  EXPECT_EQ(d->device_id, "Dev1");  // the first contact's letter case
}

TEST(CachedStore, AChangedUserAgentIsWrittenAtOnce) {
  easemu::test::temp_dir dir;
  const auto path = (dir / "easemu.db").string();
  auto s = make_cached_store(open_sqlite_store(path));
  s->record_device_contact("alice@lab.test", "dev1", "WP", "ua/1", "14.0", 1'000);
  s->record_device_contact("alice@lab.test", "dev1", "WP", "ua/2", "14.1", 1'001);
  const auto row = open_sqlite_store(path)->find_device("alice@lab.test", "dev1");
  EXPECT_EQ(row->user_agent, "ua/2");
  EXPECT_EQ(row->protocol_version, "14.1");
}

TEST(CachedStore, ARemovedDeviceComesBackOnItsNextContact) {
  easemu::test::temp_dir dir;
  auto s = make_cached_store(open_sqlite_store((dir / "easemu.db").string()));
  s->record_device_contact("alice@lab.test", "dev1", "WP", "ua", "14.0", 1'000);
  ASSERT_TRUE(s->delete_device("alice@lab.test", "dev1"));
  EXPECT_FALSE(s->find_device("alice@lab.test", "dev1"));
  s->record_device_contact("alice@lab.test", "dev1", "WP", "ua", "14.0", 1'100);
  EXPECT_TRUE(s->find_device("alice@lab.test", "dev1"));
  EXPECT_EQ(s->list_devices().size(), 1u);
}

TEST(CachedStore, WritesFromAnotherThreadAreNeverHiddenByAnOlderRead) {
  easemu::test::temp_dir dir;
  auto s = make_cached_store(open_sqlite_store((dir / "easemu.db").string()));
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) (void)s->find_hierarchy_state("alice@lab.test", "dev1");
  });
  for (std::int64_t k = 1; k <= 300; ++k) {
    s->save_hierarchy_state("alice@lab.test", "dev1", {k, "known", k - 1, ""});
    const auto seen = s->find_hierarchy_state("alice@lab.test", "dev1");
    ASSERT_TRUE(seen);
    ASSERT_EQ(seen->key, k);
  }
  stop = true;
  reader.join();
}

}  // namespace

namespace {

TEST_P(StoreContract, DeviceAccessStatePersists) {
  auto s = open();
  s->record_device_contact("alice@lab.test", "dev1", "WP", "ua", "14.0", 1'000);
  EXPECT_EQ(s->find_device("alice@lab.test", "dev1")->access, device_access_record{});
  const device_access_record blocked{"Blocked", "DeviceRule", "WP (DeviceType)"};
  EXPECT_TRUE(s->update_device_access("alice@lab.test", "DEV1", blocked));
  EXPECT_FALSE(s->update_device_access("alice@lab.test", "nope", blocked));
  EXPECT_EQ(s->find_device("alice@lab.test", "dev1")->access, blocked);
  EXPECT_EQ(s->list_devices().at(0).access, blocked);
}

}  // namespace
