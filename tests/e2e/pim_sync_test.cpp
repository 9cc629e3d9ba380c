// End-to-end: calendar and contact items through Sync over TLS at 12.1, 14.1 and 16.1 (MS-ASCMD
// 2.2.1.21 with MS-ASCAL and MS-ASCNTC): a phone creates, changes and deletes a contact and an
// appointment and another phone sees it; the server does the same through the admin API and the
// phone sees it; the results survive a restart; WindowSize with MoreAvailable, Supported with
// ghosting, and Status 6 and 8.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "easemu/common/base64.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/admin_client.hpp"
#include "support/eas_client.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
namespace wbxml = easemu::wbxml;
namespace json = boost::json;
using wbxml::tag;

const std::string ns =
    "xmlns=\"AirSync:\" xmlns:contacts=\"Contacts:\" xmlns:contacts2=\"Contacts2:\" xmlns:calendar=\"Calendar:\" "
    "xmlns:airsyncbase=\"AirSyncBase:\" xmlns:email=\"Email:\" xmlns:tasks=\"Tasks:\" xmlns:notes=\"Notes:\"";
const std::string contacts_folder = "8";
const std::string calendar_folder = "7";
const std::string tasks_folder = "6";
const std::string notes_folder = "9";

// One phone's relationship with one collection.
struct collection_session {
  eas_client phone;
  std::string collection;
  std::string key = "0";

  // A Sync of the collection with these Commands (and, with key 0, `first`: e.g. Supported).
  wbxml::element sync(const std::string& commands = "", const std::string& extra = "") {
    const auto res = phone.post("Sync", "<Sync " + ns + "><Collections><Collection><SyncKey>" + key +
                                            "</SyncKey><CollectionId>" + collection + "</CollectionId>" + extra +
                                            (commands.empty() ? "" : "<Commands>" + commands + "</Commands>") +
                                            "</Collection></Collections></Sync>");
    EXPECT_EQ(res.status, 200);
    const auto tree = tree_of(res).value_or(wbxml::element());
    const auto* cs = tree.child(tag("AirSync:Collections"));
    const auto* c = cs != nullptr ? cs->child(tag("AirSync:Collection")) : nullptr;
    if (c == nullptr) {
      ADD_FAILURE() << "no Collection: " << xml_of(res);
      return {};
    }
    EXPECT_EQ(c->child_text(tag("AirSync:Status")), "1") << wbxml::to_xml(*c, {false, false});
    key = std::string(c->child_text(tag("AirSync:SyncKey")));
    return *c;
  }
};

const wbxml::element* response(const wbxml::element& collection, wbxml::tag_id kind) {
  const auto* r = collection.child(tag("AirSync:Responses"));
  return r != nullptr ? r->child(kind) : nullptr;
}

std::vector<const wbxml::element*> commands(const wbxml::element& collection, wbxml::tag_id kind) {
  std::vector<const wbxml::element*> out;
  if (const auto* cs = collection.child(tag("AirSync:Commands"))) {
    for (const auto& c : cs->children) {
      if (c.tag == kind) out.push_back(&c);
    }
  }
  return out;
}

const wbxml::element& data_of(const wbxml::element& command) {
  static const wbxml::element none;
  const auto* d = command.child(tag("AirSync:ApplicationData"));
  return d != nullptr ? *d : none;
}

std::string xml(const wbxml::element& e) { return wbxml::to_xml(e, {false, false}); }

// The items of a folder as the admin API lists them.
json::array items(const test_server& server, const std::string& address, const std::string& folder) {
  const auto res = admin(server, "GET", "/api/v1/mailboxes/" + address + "/items?folder=" + folder);
  EXPECT_EQ(res.status, 200) << res.body;
  boost::system::error_code ec;
  auto v = json::parse(res.body, ec);
  if (ec || !v.is_object()) return {};
  return v.as_object()["items"].as_array();
}

std::string body_xml(const std::string& version, const std::string& text) {
  if (version == "2.5") return "<contacts:Body>" + text + "</contacts:Body>";
  return "<airsyncbase:Body><airsyncbase:Type>1</airsyncbase:Type><airsyncbase:Data>" + text + "</airsyncbase:Data></airsyncbase:Body>";
}

std::string location_xml(const std::string& version, const std::string& room) {
  if (version >= "16.0") return "<airsyncbase:Location><airsyncbase:DisplayName>" + room + "</airsyncbase:DisplayName></airsyncbase:Location>";
  return "<calendar:Location>" + room + "</calendar:Location>";
}

std::string location_of(const std::string& version, const wbxml::element& data) {
  if (version >= "16.0") {
    const auto* l = data.child(tag("AirSyncBase:Location"));
    return l != nullptr ? std::string(l->child_text(tag("AirSyncBase:DisplayName"))) : "";
  }
  return std::string(data.child_text(tag("Calendar:Location")));
}

// A lab of Exchange 2019, which speaks every version up to 16.1.
std::vector<std::string> lab_2019(const temp_dir& dir) {
  write_file(dir / "lab.yaml", "lab:\n  exchange_version: 2019\n");
  return {"--config", (dir / "lab.yaml").string()};
}

class PimSync : public ::testing::TestWithParam<std::string> {};

TEST_P(PimSync, APhoneCreatesChangesAndDeletesAContactAndAnAppointmentThatAnotherPhoneSeesAlsoAfterARestart) {
  const auto version = GetParam();
  temp_dir dir;
  auto args = lab_2019(dir);
  args.insert(args.end(), {"--data-dir", (dir / "data").string()});
  std::string contact_id;
  std::string event_id;
  collection_session other_contacts{eas_client{.device_id = "OTHERC" + version, .version = version}, contacts_folder};
  collection_session other_calendar{eas_client{.device_id = "OTHERE" + version, .version = version}, calendar_folder};
  {
    test_server server(args);
    collection_session contacts{eas_client{.port = server.https_port, .device_id = "PIMA" + version, .version = version}, contacts_folder};
    collection_session calendar{eas_client{.port = server.https_port, .device_id = "PIMA" + version, .version = version}, calendar_folder};
    other_contacts.phone.port = server.https_port;
    other_calendar.phone.port = server.https_port;
    for (auto* s : {&contacts, &calendar, &other_contacts, &other_calendar}) {
      s->sync();
      ASSERT_EQ(s->key, "1");
    }

    // Add: a contact with non-ASCII names and the Contacts2 page, and one the class cannot hold.
    const auto added = contacts.sync(
        "<Add><ClientId>c-1</ClientId><ApplicationData><contacts:FileAs>M\xC3\xBCller, J\xC3\xBCrgen</contacts:FileAs>"
        "<contacts:FirstName>J\xC3\xBCrgen</contacts:FirstName><contacts:LastName>M\xC3\xBCller</contacts:LastName>"
        "<contacts:Email1Address>juergen@example.test</contacts:Email1Address>"
        "<contacts:MobilePhoneNumber>+49 170 1234567</contacts:MobilePhoneNumber>"
        "<contacts2:NickName>J\xC3\xBC</contacts2:NickName>" + body_xml(version, "met at the fair") +
        "</ApplicationData></Add>"
        "<Add><ClientId>c-2</ClientId><ApplicationData><email:Subject>not a contact</email:Subject></ApplicationData></Add>");
    const auto* ok = response(added, tag("AirSync:Add"));
    ASSERT_NE(ok, nullptr) << xml(added);
    EXPECT_EQ(ok->child_text(tag("AirSync:ClientId")), "c-1");
    EXPECT_EQ(ok->child_text(tag("AirSync:Status")), "1");
    contact_id = std::string(ok->child_text(tag("AirSync:ServerId")));
    EXPECT_EQ(contact_id.substr(0, 2), contacts_folder + ":");
    const auto& refused = added.child(tag("AirSync:Responses"))->children.at(1);
    EXPECT_EQ(refused.child_text(tag("AirSync:ClientId")), "c-2");
    EXPECT_EQ(refused.child_text(tag("AirSync:Status")), "6");
    EXPECT_TRUE(commands(added, tag("AirSync:Add")).empty());  // the phone's own Add is not echoed

    // An appointment with attendees, categories, reminder and location as the version writes it.
    const auto event = calendar.sync(
        "<Add><ClientId>e-1</ClientId><ApplicationData><calendar:Subject>Design review</calendar:Subject>"
        "<calendar:StartTime>20261210T090000Z</calendar:StartTime><calendar:EndTime>20261210T100000Z</calendar:EndTime>"
        "<calendar:AllDayEvent>0</calendar:AllDayEvent><calendar:BusyStatus>2</calendar:BusyStatus>"
        "<calendar:Sensitivity>0</calendar:Sensitivity><calendar:Reminder>15</calendar:Reminder>"
        "<calendar:MeetingStatus>1</calendar:MeetingStatus>" + location_xml(version, "Room 4") +
        "<calendar:Categories><calendar:Category>Project</calendar:Category></calendar:Categories>"
        "<calendar:Attendees><calendar:Attendee><calendar:Email>bob@lab.test</calendar:Email><calendar:Name>Bob</calendar:Name>"
        "<calendar:AttendeeType>1</calendar:AttendeeType></calendar:Attendee></calendar:Attendees>"
        "<calendar:OrganizerName>Alice</calendar:OrganizerName><calendar:OrganizerEmail>alice@lab.test</calendar:OrganizerEmail>"
        "</ApplicationData></Add>");
    const auto* event_ok = response(event, tag("AirSync:Add"));
    ASSERT_NE(event_ok, nullptr) << xml(event);
    EXPECT_EQ(event_ok->child_text(tag("AirSync:Status")), "1");
    event_id = std::string(event_ok->child_text(tag("AirSync:ServerId")));

    // The other phone gets both, as its version writes them.
    const auto seen = other_contacts.sync();
    const auto adds = commands(seen, tag("AirSync:Add"));
    ASSERT_EQ(adds.size(), 1u) << xml(seen);
    EXPECT_EQ(adds[0]->child_text(tag("AirSync:ServerId")), contact_id);
    const auto& c = data_of(*adds[0]);
    EXPECT_EQ(c.child_text(tag("Contacts:FileAs")), "M\xC3\xBCller, J\xC3\xBCrgen");
    EXPECT_EQ(c.child_text(tag("Contacts2:NickName")), "J\xC3\xBC");
    ASSERT_NE(c.child(tag("AirSyncBase:Body")), nullptr) << xml(c);
    EXPECT_EQ(c.child(tag("AirSyncBase:Body"))->child_text(tag("AirSyncBase:Data")), "met at the fair");
    const auto seen_event = other_calendar.sync();
    const auto event_adds = commands(seen_event, tag("AirSync:Add"));
    ASSERT_EQ(event_adds.size(), 1u) << xml(seen_event);
    const auto& e = data_of(*event_adds[0]);
    EXPECT_EQ(e.child_text(tag("Calendar:Subject")), "Design review");
    EXPECT_EQ(e.child_text(tag("Calendar:StartTime")), "20261210T090000Z");
    EXPECT_EQ(location_of(version, e), "Room 4");
    EXPECT_FALSE(e.child_text(tag("Calendar:UID")).empty());  // the server gives one
    ASSERT_NE(e.child(tag("Calendar:Attendees")), nullptr);
    EXPECT_EQ(e.child(tag("Calendar:Attendees"))->child(tag("Calendar:Attendee"))->child_text(tag("Calendar:Email")), "bob@lab.test");

    // The server holds what the phone wrote.
    const auto listed = items(server, "alice@lab.test", "Contacts");
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].as_object().at("properties").as_object().at("Email1Address").as_string(), "juergen@example.test");

    // Change without Supported: the phone sends the whole item, what it leaves out is gone.
    const auto changed = contacts.sync("<Change><ServerId>" + contact_id + "</ServerId><ApplicationData>"
                                       "<contacts:FileAs>M\xC3\xBCller, J.</contacts:FileAs><contacts:JobTitle>Buyer</contacts:JobTitle>"
                                       "</ApplicationData></Change>"
                                       "<Change><ServerId>" + contacts_folder + ":999</ServerId><ApplicationData>"
                                       "<contacts:FileAs>x</contacts:FileAs></ApplicationData></Change>");
    const auto* missing = response(changed, tag("AirSync:Change"));
    ASSERT_NE(missing, nullptr) << xml(changed);
    EXPECT_EQ(missing->child_text(tag("AirSync:ServerId")), contacts_folder + ":999");
    EXPECT_EQ(missing->child_text(tag("AirSync:Status")), "8");
    const auto seen_change = other_contacts.sync();
    const auto changes = commands(seen_change, tag("AirSync:Change"));
    ASSERT_EQ(changes.size(), 1u) << xml(seen_change);
    EXPECT_EQ(data_of(*changes[0]).child_text(tag("Contacts:FileAs")), "M\xC3\xBCller, J.");
    EXPECT_EQ(data_of(*changes[0]).child_text(tag("Contacts:JobTitle")), "Buyer");
    EXPECT_EQ(data_of(*changes[0]).child(tag("Contacts:Email1Address")), nullptr);

    // Delete the appointment; a Delete of what is not there is Status 8.
    const auto deleted = calendar.sync("<Delete><ServerId>" + event_id + "</ServerId></Delete>"
                                       "<Delete><ServerId>" + calendar_folder + ":999</ServerId></Delete>");
    const auto* gone = response(deleted, tag("AirSync:Delete"));
    ASSERT_NE(gone, nullptr) << xml(deleted);
    EXPECT_EQ(gone->child_text(tag("AirSync:Status")), "8");
    const auto seen_delete = other_calendar.sync();
    const auto deletes = commands(seen_delete, tag("AirSync:Delete"));
    ASSERT_EQ(deletes.size(), 1u) << xml(seen_delete);
    EXPECT_EQ(deletes[0]->child_text(tag("AirSync:ServerId")), event_id);
  }
  // After a restart: the other phone's keys still hold and nothing is new; a new phone gets the
  // contact as changed and no appointment.
  test_server server(args);
  other_contacts.phone.port = server.https_port;
  other_calendar.phone.port = server.https_port;
  const auto quiet = other_contacts.sync();
  EXPECT_EQ(quiet.child(tag("AirSync:Commands")), nullptr) << xml(quiet);
  collection_session fresh{eas_client{.port = server.https_port, .device_id = "FRESH" + version, .version = version}, contacts_folder};
  fresh.sync();
  const auto all = fresh.sync();
  const auto adds = commands(all, tag("AirSync:Add"));
  ASSERT_EQ(adds.size(), 1u) << xml(all);
  EXPECT_EQ(adds[0]->child_text(tag("AirSync:ServerId")), contact_id);
  EXPECT_EQ(data_of(*adds[0]).child_text(tag("Contacts:JobTitle")), "Buyer");
  collection_session fresh_calendar{eas_client{.port = server.https_port, .device_id = "FRESHE" + version, .version = version}, calendar_folder};
  fresh_calendar.sync();
  EXPECT_TRUE(commands(fresh_calendar.sync(), tag("AirSync:Add")).empty());
}

TEST_P(PimSync, TheServerAddsChangesAndDeletesAndThePhoneHearsOfIt) {
  const auto version = GetParam();
  temp_dir dir;
  test_server server(lab_2019(dir));
  collection_session calendar{eas_client{.port = server.https_port, .device_id = "SRV" + version, .version = version}, calendar_folder};
  calendar.sync();
  auto res = admin(server, "POST", "/api/v1/mailboxes/alice@lab.test/items",
                   R"({"folder": "Calendar", "properties": {"Subject": "Planning", "StartTime": "20261214T080000Z",
                       "EndTime": "20261214T083000Z", "TimeZone": "Europe/Berlin", "Location": "Room 7", "BusyStatus": 2, "Body": "Agenda",
                       "Categories": ["Team"], "Attendees": [{"Email": "bob@lab.test", "Name": "Bob", "AttendeeType": 1}]}})",
                   "application/json");
  ASSERT_EQ(res.status, 201) << res.body;
  boost::system::error_code ec;
  const std::string id(json::parse(res.body, ec).as_object().at("item_id").as_string());

  auto r = calendar.sync();
  auto adds = commands(r, tag("AirSync:Add"));
  ASSERT_EQ(adds.size(), 1u) << xml(r);
  EXPECT_EQ(adds[0]->child_text(tag("AirSync:ServerId")), id);
  const auto& d = data_of(*adds[0]);
  EXPECT_EQ(d.child_text(tag("Calendar:Subject")), "Planning");
  EXPECT_EQ(d.child_text(tag("Calendar:BusyStatus")), "2");
  EXPECT_EQ(location_of(version, d), "Room 7");
  EXPECT_EQ(d.child(tag("Calendar:Categories"))->child_text(tag("Calendar:Category")), "Team");
  EXPECT_EQ(d.child(tag("Calendar:Attendees"))->child(tag("Calendar:Attendee"))->child_text(tag("Calendar:Name")), "Bob");
  EXPECT_EQ(d.child(tag("AirSyncBase:Body"))->child_text(tag("AirSyncBase:Data")), "Agenda");
  // Berlin's 2026 rule as a TIME_ZONE_INFORMATION: 172 bytes, Bias -60 (MS-ASDTYPE 2.7.6).
  const auto blob = easemu::common::base64_decode(d.child_text(tag("Calendar:Timezone")));
  ASSERT_TRUE(blob);
  EXPECT_EQ(blob->size(), 172u);
  EXPECT_EQ(blob->substr(0, 4), std::string("\xC4\xFF\xFF\xFF", 4));

  res = admin(server, "PUT", "/api/v1/mailboxes/alice@lab.test/items/" + id,
              R"j({"properties": {"Subject": "Planning (moved)", "Location": null}})j", "application/json");
  ASSERT_EQ(res.status, 200) << res.body;
  r = calendar.sync();
  const auto changes = commands(r, tag("AirSync:Change"));
  ASSERT_EQ(changes.size(), 1u) << xml(r);
  EXPECT_EQ(data_of(*changes[0]).child_text(tag("Calendar:Subject")), "Planning (moved)");
  EXPECT_EQ(location_of(version, data_of(*changes[0])), "");
  EXPECT_EQ(data_of(*changes[0]).child_text(tag("Calendar:BusyStatus")), "2");

  // Properties the class does not have are refused by the API as the phone's would be.
  res = admin(server, "POST", "/api/v1/mailboxes/alice@lab.test/items",
              R"({"folder": "Calendar", "properties": {"FileAs": "x"}})", "application/json");
  EXPECT_EQ(res.status, 400) << res.body;
  res = admin(server, "POST", "/api/v1/mailboxes/alice@lab.test/items",
              R"({"folder": "Calendar", "properties": {"TimeZone": "Mars/Olympus_Mons"}})", "application/json");
  EXPECT_EQ(res.status, 400) << res.body;
  res = admin(server, "POST", "/api/v1/mailboxes/alice@lab.test/items", R"({"folder": "Inbox", "properties": {}})",
              "application/json");
  EXPECT_EQ(res.status, 400) << res.body;

  res = admin(server, "DELETE", "/api/v1/mailboxes/alice@lab.test/items/" + id);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(admin(server, "DELETE", "/api/v1/mailboxes/alice@lab.test/items/" + id).status, 404);
  r = calendar.sync();
  const auto deletes = commands(r, tag("AirSync:Delete"));
  ASSERT_EQ(deletes.size(), 1u) << xml(r);
  EXPECT_EQ(deletes[0]->child_text(tag("AirSync:ServerId")), id);
}

INSTANTIATE_TEST_SUITE_P(Versions, PimSync, ::testing::Values("12.1", "14.1", "16.1"),
                         [](const auto& info) { return "v" + std::string(info.param == "12.1" ? "121" : info.param == "14.1" ? "141" : "161"); });

TEST(PimSyncWindows, FiveContactsInWindowsOfTwoWithMoreAvailable) {
  test_server server;
  for (int i = 0; i < 5; ++i) {
    const auto res = admin(server, "POST", "/api/v1/mailboxes/bob@lab.test/items",
                           R"({"folder": "Contacts", "properties": {"FileAs": "Contact )" + std::to_string(i) + R"("}})",
                           "application/json");
    ASSERT_EQ(res.status, 201) << res.body;
  }
  collection_session contacts{eas_client{.port = server.https_port, .user = "bob", .device_id = "WIN"}, contacts_folder};
  contacts.sync();
  std::set<std::string> seen;
  std::vector<bool> more;
  for (int round = 0; round < 3; ++round) {
    const auto r = contacts.sync("", "<WindowSize>2</WindowSize>");
    more.push_back(r.child(tag("AirSync:MoreAvailable")) != nullptr);
    for (const auto* a : commands(r, tag("AirSync:Add"))) seen.insert(std::string(data_of(*a).child_text(tag("Contacts:FileAs"))));
  }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(more, (std::vector<bool>{true, true, false}));
}

TEST(PimSyncGhosting, PropertiesOutsideSupportedStayOnChange) {
  test_server server;
  collection_session contacts{eas_client{.port = server.https_port, .device_id = "GHOST"}, contacts_folder};
  // MS-ASCMD 2.2.3.179: Supported goes with SyncKey 0.
  contacts.sync("", "<Supported><contacts:FileAs/><contacts:Email1Address/></Supported>");
  const auto res = admin(server, "POST", "/api/v1/mailboxes/alice@lab.test/items",
                         R"({"folder": "Contacts", "properties": {"FileAs": "Ghost, Gina", "Email1Address": "gina@example.test",
                             "JobTitle": "Engineer"}})",
                         "application/json");
  ASSERT_EQ(res.status, 201) << res.body;
  boost::system::error_code ec;
  const std::string id(json::parse(res.body, ec).as_object().at("item_id").as_string());
  contacts.sync();
  contacts.sync("<Change><ServerId>" + id + "</ServerId><ApplicationData><contacts:FileAs>Ghost, G.</contacts:FileAs>"
                "</ApplicationData></Change>");
  const auto listed = items(server, "alice@lab.test", "Contacts");
  ASSERT_EQ(listed.size(), 1u);
  const auto& props = listed[0].as_object().at("properties").as_object();
  EXPECT_EQ(props.at("FileAs").as_string(), "Ghost, G.");
  EXPECT_EQ(props.at("JobTitle").as_string(), "Engineer");  // ghosted: kept
  EXPECT_FALSE(props.contains("Email1Address"));             // supported and left out: removed
}

TEST(PimSyncLimits, APictureOver48KilobytesAndATimezoneOfTheWrongLengthAreStatus6) {
  test_server server;
  collection_session contacts{eas_client{.port = server.https_port, .device_id = "LIMITS"}, contacts_folder};
  collection_session calendar{eas_client{.port = server.https_port, .device_id = "LIMITS"}, calendar_folder};
  contacts.sync();
  calendar.sync();
  const auto r = contacts.sync("<Add><ClientId>big</ClientId><ApplicationData><contacts:FileAs>Big</contacts:FileAs><contacts:Picture>" +
                               std::string(48 * 1024 + 4, 'A') + "</contacts:Picture></ApplicationData></Add>"
                               "<Add><ClientId>small</ClientId><ApplicationData><contacts:FileAs>Small</contacts:FileAs><contacts:Picture>" +
                               std::string(48 * 1024, 'A') + "</contacts:Picture></ApplicationData></Add>");
  const auto& responses = r.child(tag("AirSync:Responses"))->children;
  ASSERT_EQ(responses.size(), 2u) << xml(r);
  EXPECT_EQ(responses[0].child_text(tag("AirSync:Status")), "6");
  EXPECT_EQ(responses[1].child_text(tag("AirSync:Status")), "1");
  const auto t = calendar.sync("<Add><ClientId>tz</ClientId><ApplicationData><calendar:Timezone>AAAA</calendar:Timezone>"
                               "<calendar:Subject>x</calendar:Subject></ApplicationData></Add>");
  const auto* tz = response(t, tag("AirSync:Add"));
  ASSERT_NE(tz, nullptr) << xml(t);
  EXPECT_EQ(tz->child_text(tag("AirSync:Status")), "6");
  EXPECT_EQ(items(server, "alice@lab.test", "Calendar").size(), 0u);
}

// Tasks (MS-ASTASK) and notes (MS-ASNOTE, 14.0+) on the same path: created, completed and
// deleted by one phone, seen by another; a note from a 12.1 phone is Status 6.
TEST(PimSyncTasksAndNotes, ATaskIsCompletedAndDeletedAndANoteIsKeptFrom14) {
  temp_dir dir;
  test_server server(lab_2019(dir));
  collection_session tasks{eas_client{.port = server.https_port, .device_id = "TASKA"}, tasks_folder};
  collection_session other{eas_client{.port = server.https_port, .device_id = "TASKB"}, tasks_folder};
  tasks.sync();
  other.sync();
  const auto added = tasks.sync(
      "<Add><ClientId>t-1</ClientId><ApplicationData><tasks:Subject>File the report</tasks:Subject>"
      "<tasks:Importance>2</tasks:Importance><tasks:UtcStartDate>2026-12-07T08:00:00.000Z</tasks:UtcStartDate>"
      "<tasks:StartDate>2026-12-07T09:00:00.000Z</tasks:StartDate><tasks:UtcDueDate>2026-12-09T08:00:00.000Z</tasks:UtcDueDate>"
      "<tasks:DueDate>2026-12-09T09:00:00.000Z</tasks:DueDate><tasks:Complete>0</tasks:Complete>"
      "<tasks:Categories><tasks:Category>Work</tasks:Category></tasks:Categories>"
      "<airsyncbase:Body><airsyncbase:Type>1</airsyncbase:Type><airsyncbase:Data>Q4 numbers</airsyncbase:Data></airsyncbase:Body>"
      "</ApplicationData></Add>");
  const auto* ok = response(added, tag("AirSync:Add"));
  ASSERT_NE(ok, nullptr) << xml(added);
  EXPECT_EQ(ok->child_text(tag("AirSync:Status")), "1");
  const std::string id(ok->child_text(tag("AirSync:ServerId")));
  auto seen = other.sync();
  auto adds = commands(seen, tag("AirSync:Add"));
  ASSERT_EQ(adds.size(), 1u) << xml(seen);
  EXPECT_EQ(data_of(*adds[0]).child_text(tag("Tasks:Subject")), "File the report");
  EXPECT_EQ(data_of(*adds[0]).child_text(tag("Tasks:UtcDueDate")), "2026-12-09T08:00:00.000Z");

  tasks.sync("<Change><ServerId>" + id + "</ServerId><ApplicationData><tasks:Subject>File the report</tasks:Subject>"
             "<tasks:Complete>1</tasks:Complete><tasks:DateCompleted>2026-12-08T10:00:00.000Z</tasks:DateCompleted>"
             "</ApplicationData></Change>");
  seen = other.sync();
  const auto changes = commands(seen, tag("AirSync:Change"));
  ASSERT_EQ(changes.size(), 1u) << xml(seen);
  EXPECT_EQ(data_of(*changes[0]).child_text(tag("Tasks:Complete")), "1");
  EXPECT_EQ(data_of(*changes[0]).child_text(tag("Tasks:DateCompleted")), "2026-12-08T10:00:00.000Z");
  tasks.sync("<Delete><ServerId>" + id + "</ServerId></Delete>");
  seen = other.sync();
  ASSERT_EQ(commands(seen, tag("AirSync:Delete")).size(), 1u) << xml(seen);

  collection_session notes{eas_client{.port = server.https_port, .device_id = "NOTEA"}, notes_folder};
  collection_session reader{eas_client{.port = server.https_port, .device_id = "NOTEB", .version = "16.1"}, notes_folder};
  collection_session old{eas_client{.port = server.https_port, .device_id = "NOTEC", .version = "12.1"}, notes_folder};
  notes.sync();
  reader.sync();
  old.sync();
  const auto note = notes.sync("<Add><ClientId>n-1</ClientId><ApplicationData><notes:Subject>Door code</notes:Subject>"
                               "<notes:MessageClass>IPM.StickyNote</notes:MessageClass>"
                               "<airsyncbase:Body><airsyncbase:Type>1</airsyncbase:Type><airsyncbase:Data>4711</airsyncbase:Data></airsyncbase:Body>"
                               "<notes:Categories><notes:Category>Lab</notes:Category></notes:Categories></ApplicationData></Add>");
  ASSERT_NE(response(note, tag("AirSync:Add")), nullptr) << xml(note);
  EXPECT_EQ(response(note, tag("AirSync:Add"))->child_text(tag("AirSync:Status")), "1");
  seen = reader.sync();
  adds = commands(seen, tag("AirSync:Add"));
  ASSERT_EQ(adds.size(), 1u) << xml(seen);
  EXPECT_EQ(data_of(*adds[0]).child_text(tag("Notes:Subject")), "Door code");
  EXPECT_EQ(data_of(*adds[0]).child(tag("AirSyncBase:Body"))->child_text(tag("AirSyncBase:Data")), "4711");
  // MS-ASNOTE exists from 14.0.
  const auto refused = old.sync("<Add><ClientId>n-2</ClientId><ApplicationData><notes:Subject>x</notes:Subject>"
                                "</ApplicationData></Add>");
  ASSERT_NE(response(refused, tag("AirSync:Add")), nullptr) << xml(refused);
  EXPECT_EQ(response(refused, tag("AirSync:Add"))->child_text(tag("AirSync:Status")), "6");
}

}  // namespace
