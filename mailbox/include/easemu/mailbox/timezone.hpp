#pragma once
// The calendar's Timezone blob (MS-ASDTYPE 2.7.6): a TIME_ZONE_INFORMATION of 172 bytes, base64
// in Calendar:Timezone. It holds one yearly rule; easemu writes the rule an IANA zone has in the
// event's year (Howard Hinnant's date/tz over the system's tz database) and reads a phone's blob
// back into UTC offsets. Pure: the caller looks the zone up (date::locate_zone).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace easemu::mailbox::tz {

// SYSTEMTIME as TIME_ZONE_INFORMATION uses it for a yearly change: year 0, month 1-12 (0: no
// daylight saving), day_of_week 0 (Sunday) to 6, day 1-4 the nth such weekday of the month and 5
// the last, the local time of day.
struct system_time {
  std::uint16_t year = 0;
  std::uint16_t month = 0;
  std::uint16_t day_of_week = 0;
  std::uint16_t day = 0;
  std::uint16_t hour = 0;
  std::uint16_t minute = 0;
  std::uint16_t second = 0;
  std::uint16_t milliseconds = 0;

  bool operator==(const system_time&) const = default;
};

// Biases in minutes, UTC = local time + bias (+ the standard or daylight bias).
struct timezone_info {
  std::int32_t bias = 0;
  std::u16string standard_name;  // at most 31 UTF-16 units are kept
  system_time standard_date;      // when daylight saving ends, in local daylight time
  std::int32_t standard_bias = 0;
  std::u16string daylight_name;
  system_time daylight_date;  // when daylight saving starts, in local standard time
  std::int32_t daylight_bias = 0;

  bool operator==(const timezone_info&) const = default;
};

inline constexpr std::size_t blob_size = 172;

// The 172 little-endian bytes (not yet base64).
std::string encode(const timezone_info& tz);
// nullopt unless `bytes` is 172 bytes long.
std::optional<timezone_info> decode(std::string_view bytes);

// The rule `zone` has in `year`: its standard offset, and when it has daylight saving that year
// the two changes as day-in-month dates. Names are the zone's abbreviations (CET, CEST).
timezone_info rule_for(const date::time_zone& zone, int year);

// The UTC offset in minutes (local = UTC + offset) the rule gives at a Unix time.
int utc_offset_minutes(const timezone_info& tz, std::int64_t utc_seconds);

}  // namespace easemu::mailbox::tz
