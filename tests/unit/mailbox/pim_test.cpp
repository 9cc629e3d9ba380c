// The shared path of calendar, contact, task and note items (mailbox/pim.hpp): what each class
// holds at each version, the body and location per version, the size rules, and ghosting on Change.
#include "easemu/mailbox/pim.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "easemu/common/base64.hpp"
#include "easemu/wbxml/xml.hpp"

namespace {

using namespace easemu::mailbox::pim;
using easemu::protocol_version;
namespace wbxml = easemu::wbxml;
using wbxml::tag;

const std::string ns =
    "xmlns=\"AirSync:\" xmlns:c=\"Contacts:\" xmlns:c2=\"Contacts2:\" xmlns:cal=\"Calendar:\" xmlns:t=\"Tasks:\" "
    "xmlns:n=\"Notes:\" xmlns:b=\"AirSyncBase:\" xmlns:e=\"Email:\"";

wbxml::element data(const std::string& inner) {
  auto tree = wbxml::from_xml("<ApplicationData " + ns + ">" + inner + "</ApplicationData>");
  EXPECT_TRUE(tree) << inner;
  return tree ? std::move(*tree) : wbxml::element(tag("AirSync:ApplicationData"));
}

std::string xml(const wbxml::element& e) { return wbxml::to_xml(e, {false, false}); }

TEST(PimProperties, EachClassNamesATagOnceOnItsOwnPageOrAirSyncBase) {
  std::set<std::pair<int, int>> seen;
  const std::map<item_class, std::string> pages = {
      {item_class::calendar, "Calendar"}, {item_class::contacts, "Contacts"}, {item_class::tasks, "Tasks"}, {item_class::notes, "Notes"}};
  for (const auto& p : properties()) {
    const int key = static_cast<int>(p.cls) * 65536 + p.tag.page * 256 + p.tag.token;
    EXPECT_TRUE(seen.insert({static_cast<int>(p.cls), key}).second) << "twice: " << wbxml::find_tag(p.tag)->name;
    const auto page = std::string(wbxml::find_page(p.tag.page)->name);
    EXPECT_TRUE(page == pages.at(p.cls) || page == "AirSyncBase" || (p.cls == item_class::contacts && page == "Contacts2"))
        << page << ":" << wbxml::find_tag(p.tag)->name;
    EXPECT_EQ(p.kind == property_kind::list, p.item.has_value());
  }
  // 2.5's own bodies for the three classes that exist at 2.5; notes start at 14.0.
  for (auto c : {item_class::calendar, item_class::contacts, item_class::tasks}) {
    EXPECT_EQ(first_version(c), protocol_version::v2_5);
  }
  EXPECT_EQ(first_version(item_class::notes), protocol_version::v14_0);
  EXPECT_EQ(class_of(9), item_class::contacts);
  EXPECT_EQ(class_of(13), item_class::calendar);
  EXPECT_EQ(class_of(17), item_class::notes);
  EXPECT_FALSE(class_of(2));
}

TEST(PimFromDevice, AContactKeepsItsPropertiesAndItsBodyInOneForm) {
  const auto r = from_device(item_class::contacts,
                             data("<c:FileAs>Müller, Jürgen</c:FileAs><c:Email1Address>j@example.test</c:Email1Address>"
                                  "<c2:NickName>Jü</c2:NickName><b:Body><b:Type>1</b:Type><b:Data>met at the fair</b:Data></b:Body>"
                                  "<c:Categories><c:Category>Fair</c:Category></c:Categories>"),
                             protocol_version::v14_1);
  ASSERT_TRUE(r.properties) << r.error;
  // At 2.5 the body is the class's own Contacts:Body with BodyTruncated (MS-ASCNTC 2.2.2.7.2).
  EXPECT_EQ(xml(to_device(item_class::contacts, *r.properties, protocol_version::v2_5)),
            "<ApplicationData xmlns=\"AirSync:\" xmlns:contacts=\"Contacts:\" xmlns:contacts2=\"Contacts2:\">"
            "<contacts:FileAs>Müller, Jürgen</contacts:FileAs><contacts:Email1Address>j@example.test</contacts:Email1Address>"
            "<contacts2:NickName>Jü</contacts2:NickName><contacts:Body>met at the fair</contacts:Body>"
            "<contacts:BodyTruncated>0</contacts:BodyTruncated>"
            "<contacts:Categories><contacts:Category>Fair</contacts:Category></contacts:Categories></ApplicationData>");
  const auto at12 = to_device(item_class::contacts, *r.properties, protocol_version::v12_0, {1, 4});
  const auto* body = at12.child(tag("AirSyncBase:Body"));
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(body->child_text(tag("AirSyncBase:Type")), "1");
  EXPECT_EQ(body->child_text(tag("AirSyncBase:EstimatedDataSize")), "15");
  EXPECT_EQ(body->child_text(tag("AirSyncBase:Truncated")), "1");
  EXPECT_EQ(body->child_text(tag("AirSyncBase:Data")), "met ");
}

TEST(PimFromDevice, TheLegacyBodyIsTwoPointFivesOnly) {
  const auto at25 = from_device(item_class::calendar, data("<cal:Subject>x</cal:Subject><cal:Body>words</cal:Body>"
                                                           "<cal:BodyTruncated>0</cal:BodyTruncated>"),
                                protocol_version::v2_5);
  ASSERT_TRUE(at25.properties) << at25.error;
  const auto* body = at25.properties->child(tag("AirSyncBase:Body"));
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(body->child_text(tag("AirSyncBase:Data")), "words");
  EXPECT_EQ(at25.properties->child(tag("Calendar:BodyTruncated")), nullptr);  // not kept
  EXPECT_FALSE(from_device(item_class::calendar, data("<cal:Body>words</cal:Body>"), protocol_version::v14_1).properties);
  // And AirSyncBase does not exist at 2.5.
  EXPECT_FALSE(from_device(item_class::calendar, data("<b:Body><b:Type>1</b:Type></b:Body>"), protocol_version::v2_5).properties);
}

TEST(PimFromDevice, WhatAClassCannotHoldIsRefusedWithAReason) {
  struct refused {
    item_class cls;
    std::string inner;
    protocol_version v;
  };
  const refused cases[] = {
      {item_class::contacts, "<e:Subject>mail</e:Subject>", protocol_version::v14_1},                   // another class's
      {item_class::contacts, "<cal:Subject>x</cal:Subject>", protocol_version::v14_1},
      {item_class::calendar, "<cal:ClientUid>u</cal:ClientUid>", protocol_version::v14_1},              // 16.0+
      {item_class::calendar, "<cal:Location>Room</cal:Location>", protocol_version::v16_1},             // to 14.1
      {item_class::calendar, "<b:Location><b:DisplayName>R</b:DisplayName></b:Location>", protocol_version::v14_1},
      {item_class::calendar, "<cal:Attendees><cal:Attendee><cal:Email>a@b</cal:Email><cal:AttendeeStatus>3</cal:AttendeeStatus>"
                             "</cal:Attendee></cal:Attendees>", protocol_version::v2_5},                 // status 12.0+
      {item_class::calendar, "<cal:Attendees><cal:Category>x</cal:Category></cal:Attendees>", protocol_version::v14_1},
      {item_class::calendar, "<cal:Subject><cal:Name>x</cal:Name></cal:Subject>", protocol_version::v14_1},
      {item_class::notes, "<n:Subject>x</n:Subject>", protocol_version::v12_1},                         // notes 14.0+
      {item_class::tasks, "<b:Body><b:Type>4</b:Type><b:Data>MIME</b:Data></b:Body>", protocol_version::v14_1},
  };
  for (const auto& c : cases) {
    const auto r = from_device(c.cls, data(c.inner), c.v);
    EXPECT_FALSE(r.properties) << c.inner << " at " << to_string(c.v);
    EXPECT_FALSE(r.error.empty());
  }
}

TEST(PimFromDevice, ARecurrenceThatEndsBeforeItStartsIsRefused) {
  const std::string start = "<cal:StartTime>20261210T090000Z</cal:StartTime>";
  const auto weekly = [&](const std::string& until) {
    return data(start + "<cal:Recurrence><cal:Type>1</cal:Type><cal:Interval>1</cal:Interval><cal:DayOfWeek>16</cal:DayOfWeek>"
                "<cal:Until>" + until + "</cal:Until></cal:Recurrence>");
  };
  EXPECT_TRUE(from_device(item_class::calendar, weekly("20270101T000000Z"), protocol_version::v14_1).properties);
  const auto r = from_device(item_class::calendar, weekly("20261201T000000Z"), protocol_version::v14_1);
  EXPECT_FALSE(r.properties);
  EXPECT_NE(r.error.find("Until"), std::string::npos);
  EXPECT_FALSE(from_device(item_class::tasks,
                           data("<t:Recurrence><t:Type>0</t:Type><t:Start>2026-12-10T00:00:00.000Z</t:Start>"
                                "<t:Until>2026-11-01T00:00:00.000Z</t:Until></t:Recurrence>"),
                           protocol_version::v14_1)
                   .properties);
}

TEST(PimFromDevice, APictureMayHold48KilobytesOfBase64) {
  const std::string fits(max_picture_base64, 'A');
  EXPECT_TRUE(from_device(item_class::contacts, data("<c:Picture>" + fits + "</c:Picture>"), protocol_version::v14_1).properties);
  const auto r = from_device(item_class::contacts, data("<c:Picture>" + fits + "AAAA</c:Picture>"), protocol_version::v14_1);
  EXPECT_FALSE(r.properties);
  EXPECT_NE(r.error.find("48 KB"), std::string::npos);
}

TEST(PimFromDevice, ATimezoneIs172Bytes) {
  const auto blob = easemu::common::base64_encode(std::string(timezone_blob_size, '\0'));
  EXPECT_TRUE(from_device(item_class::calendar, data("<cal:Timezone>" + blob + "</cal:Timezone>"), protocol_version::v14_1).properties);
  const auto short_blob = easemu::common::base64_encode(std::string(timezone_blob_size - 1, '\0'));
  EXPECT_FALSE(from_device(item_class::calendar, data("<cal:Timezone>" + short_blob + "</cal:Timezone>"), protocol_version::v14_1).properties);
  EXPECT_FALSE(from_device(item_class::calendar, data("<cal:Timezone>not base64!</cal:Timezone>"), protocol_version::v14_1).properties);
}

TEST(PimToDevice, TheLocationIsCalendarLocationTo14Point1AndAirSyncBaseFrom16) {
  const auto r = from_device(item_class::calendar,
                             data("<cal:Subject>Standup</cal:Subject><b:Location><b:DisplayName>Room 1</b:DisplayName>"
                                  "<b:City>Berlin</b:City></b:Location><cal:ClientUid>c-1</cal:ClientUid>"),
                             protocol_version::v16_1);
  ASSERT_TRUE(r.properties) << r.error;
  const auto at14 = to_device(item_class::calendar, *r.properties, protocol_version::v14_1);
  EXPECT_EQ(at14.child_text(tag("Calendar:Location")), "Room 1");
  EXPECT_EQ(at14.child(tag("Calendar:ClientUid")), nullptr);  // 16.0+ only
  const auto at16 = to_device(item_class::calendar, *r.properties, protocol_version::v16_0);
  ASSERT_NE(at16.child(tag("AirSyncBase:Location")), nullptr);
  EXPECT_EQ(at16.child(tag("AirSyncBase:Location"))->child_text(tag("AirSyncBase:City")), "Berlin");
  // A 14.1 phone's Calendar:Location is kept as the one location.
  const auto old = from_device(item_class::calendar, data("<cal:Location>Room 2</cal:Location>"), protocol_version::v14_1);
  ASSERT_TRUE(old.properties);
  EXPECT_EQ(old.properties->child(tag("AirSyncBase:Location"))->child_text(tag("AirSyncBase:DisplayName")), "Room 2");
}

TEST(PimMergeChange, WithoutSupportedAnAbsentPropertyIsRemoved) {
  const auto kept = from_device(item_class::contacts, data("<c:FileAs>A</c:FileAs><c:JobTitle>Boss</c:JobTitle>"), protocol_version::v14_1);
  const auto change = from_device(item_class::contacts, data("<c:FileAs>B</c:FileAs>"), protocol_version::v14_1);
  const auto merged = merge_change(item_class::contacts, *kept.properties, *change.properties, protocol_version::v14_1, std::nullopt);
  EXPECT_EQ(merged.child_text(tag("Contacts:FileAs")), "B");
  EXPECT_EQ(merged.child(tag("Contacts:JobTitle")), nullptr);
}

TEST(PimMergeChange, PropertiesOutsideSupportedAreGhosted) {
  const auto kept = from_device(item_class::contacts,
                                data("<c:FileAs>A</c:FileAs><c:JobTitle>Boss</c:JobTitle><c:Spouse>S</c:Spouse>"),
                                protocol_version::v14_1);
  const auto supported = supported_tags(item_class::contacts, data("<c:FileAs/><c:Spouse/>"));
  const auto change = from_device(item_class::contacts, data("<c:FileAs>B</c:FileAs>"), protocol_version::v14_1);
  const auto merged = merge_change(item_class::contacts, *kept.properties, *change.properties, protocol_version::v14_1, supported);
  EXPECT_EQ(merged.child_text(tag("Contacts:FileAs")), "B");
  EXPECT_EQ(merged.child_text(tag("Contacts:JobTitle")), "Boss");  // not named: ghosted, kept
  EXPECT_EQ(merged.child(tag("Contacts:Spouse")), nullptr);        // named and absent: removed
}

TEST(PimMergeChange, CalendarAt16GhostsEverythingAbsentAndOlderPhonesKeepWhatTheyCannotSee) {
  const auto kept = from_device(item_class::calendar,
                                data("<cal:Subject>A</cal:Subject><cal:BusyStatus>2</cal:BusyStatus><cal:ClientUid>c</cal:ClientUid>"),
                                protocol_version::v16_1);
  const auto change16 = from_device(item_class::calendar, data("<cal:Subject>B</cal:Subject>"), protocol_version::v16_1);
  const auto m16 = merge_change(item_class::calendar, *kept.properties, *change16.properties, protocol_version::v16_1, std::nullopt);
  EXPECT_EQ(m16.child_text(tag("Calendar:BusyStatus")), "2");
  EXPECT_EQ(m16.child_text(tag("Calendar:Subject")), "B");
  const auto change14 = from_device(item_class::calendar, data("<cal:Subject>C</cal:Subject>"), protocol_version::v14_1);
  const auto m14 = merge_change(item_class::calendar, *kept.properties, *change14.properties, protocol_version::v14_1, std::nullopt);
  EXPECT_EQ(m14.child(tag("Calendar:BusyStatus")), nullptr);
  EXPECT_EQ(m14.child_text(tag("Calendar:ClientUid")), "c");  // a 14.1 phone cannot name it
}

TEST(PimStorage, PropertiesRoundTripThroughBytes) {
  const auto r = from_device(item_class::tasks, data("<t:Subject>Ä</t:Subject><t:Complete>0</t:Complete>"
                                                     "<t:Recurrence><t:Type>1</t:Type><t:Interval>2</t:Interval></t:Recurrence>"),
                             protocol_version::v14_1);
  ASSERT_TRUE(r.properties) << r.error;
  const auto bytes = serialize(*r.properties);
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(parse(bytes), *r.properties);
  EXPECT_FALSE(parse(""));
  EXPECT_FALSE(parse("not wbxml"));
}

}  // namespace
