// The calendar's Timezone blob (MS-ASDTYPE 2.7.6) from IANA zones: 172 bytes, the rule of the
// event's year as day-in-month dates, and read back, the same UTC offset as the tz database for
// every instant of that year.
#include "easemu/mailbox/timezone.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace easemu::mailbox::tz;
using std::chrono::minutes;
using std::chrono::seconds;

int tzdb_offset(const date::time_zone& zone, std::int64_t t) {
  return static_cast<int>(std::chrono::duration_cast<minutes>(zone.get_info(date::sys_seconds{seconds{t}}).offset).count());
}

std::int64_t unix_time(int year, unsigned month, unsigned day) {
  return date::sys_seconds{date::sys_days{date::year{year} / month / day}}.time_since_epoch().count();
}

TEST(TimezoneBlob, BerlinIn2026IsTheLastSundaysOfMarchAndOctober) {
  const auto tz = rule_for(*date::locate_zone("Europe/Berlin"), 2026);
  EXPECT_EQ(tz.bias, -60);
  EXPECT_EQ(tz.standard_bias, 0);
  EXPECT_EQ(tz.daylight_bias, -60);
  // Saving starts on the last Sunday of March at 02:00 standard time, ends on the last Sunday
  // of October at 03:00 daylight time; wYear 0, wDay 5 the last.
  EXPECT_EQ(tz.daylight_date, (system_time{0, 3, 0, 5, 2, 0, 0, 0}));
  EXPECT_EQ(tz.standard_date, (system_time{0, 10, 0, 5, 3, 0, 0, 0}));
  EXPECT_EQ(tz.standard_name, u"CET");
  EXPECT_EQ(tz.daylight_name, u"CEST");
  const auto bytes = encode(tz);
  ASSERT_EQ(bytes.size(), 172u);
  // Bias is a little-endian LONG at offset 0: -60.
  EXPECT_EQ(bytes.substr(0, 4), std::string("\xC4\xFF\xFF\xFF", 4));
  EXPECT_EQ(decode(bytes), tz);
}

TEST(TimezoneBlob, NewYorkUsesTheSecondAndFirstSundays) {
  const auto tz = rule_for(*date::locate_zone("America/New_York"), 2026);
  EXPECT_EQ(tz.bias, 300);
  EXPECT_EQ(tz.daylight_date, (system_time{0, 3, 0, 2, 2, 0, 0, 0}));
  EXPECT_EQ(tz.standard_date, (system_time{0, 11, 0, 1, 2, 0, 0, 0}));
}

TEST(TimezoneBlob, AZoneWithoutDaylightSavingHasMonthZero) {
  const auto tz = rule_for(*date::locate_zone("Asia/Kolkata"), 2026);
  EXPECT_EQ(tz.bias, -330);
  EXPECT_EQ(tz.daylight_date.month, 0);
  EXPECT_EQ(tz.standard_date.month, 0);
  EXPECT_EQ(utc_offset_minutes(tz, unix_time(2026, 7, 1)), 330);
}

TEST(TimezoneBlob, OnlyOneHundredSeventyTwoBytesDecode) {
  EXPECT_FALSE(decode(std::string(171, '\0')));
  EXPECT_FALSE(decode(std::string(173, '\0')));
  EXPECT_TRUE(decode(std::string(172, '\0')));
}

// Read back, the blob gives the tz database's offset at every half hour of the year and around
// each change (a second before, at, and after).
TEST(TimezoneBlob, ReadBackGivesTheSameOffsetsForEveryInstantOfTheYear) {
  const std::vector<std::string> zones = {
      "Europe/Berlin",    "Europe/London",     "America/New_York", "America/Los_Angeles", "America/Phoenix",
      "America/St_Johns", "America/Sao_Paulo", "America/Santiago", "Australia/Sydney",    "Australia/Lord_Howe",
      "Pacific/Auckland", "Pacific/Chatham",   "Asia/Kolkata",     "Asia/Kathmandu",      "Asia/Tokyo",
      "Africa/Johannesburg", "UTC"};
  for (const auto& name : zones) {
    const auto* zone = date::locate_zone(name);
    for (int year : {2024, 2025, 2026, 2027}) {
      const auto blob = decode(encode(rule_for(*zone, year)));
      ASSERT_TRUE(blob);
      std::vector<std::int64_t> instants;
      const auto from = unix_time(year, 1, 1);
      const auto to = unix_time(year + 1, 1, 1);
      for (auto t = from; t < to; t += 1800) instants.push_back(t);
      for (auto info = zone->get_info(date::sys_seconds{seconds{from}}); info.end.time_since_epoch().count() < to;
           info = zone->get_info(info.end)) {
        const auto change = info.end.time_since_epoch().count();
        for (auto t : {change - 1, change, change + 1}) instants.push_back(t);
      }
      int wrong = 0;
      for (auto t : instants) {
        if (utc_offset_minutes(*blob, t) == tzdb_offset(*zone, t)) continue;
        if (++wrong <= 3) {
          ADD_FAILURE() << name << " " << year << " at " << date::format("%F %T", date::sys_seconds{seconds{t}}) << " UTC: blob "
                        << utc_offset_minutes(*blob, t) << ", tz database " << tzdb_offset(*zone, t);
        }
      }
      EXPECT_EQ(wrong, 0) << name << " " << year;
    }
  }
}

}  // namespace
