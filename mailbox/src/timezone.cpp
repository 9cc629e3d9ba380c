#include "easemu/mailbox/timezone.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <vector>

namespace easemu::mailbox::tz {

namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::size_t name_units = 32;  // WCHAR[32], NUL-terminated

void put16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>(v >> 8);
}
void put32(std::string& out, std::int32_t v) {
  const auto u = static_cast<std::uint32_t>(v);
  for (int i = 0; i < 4; ++i) out += static_cast<char>((u >> (8 * i)) & 0xFF);
}
void put_name(std::string& out, const std::u16string& name) {
  for (std::size_t i = 0; i < name_units; ++i) put16(out, i + 1 < name_units && i < name.size() ? name[i] : 0);
}
void put_time(std::string& out, const system_time& t) {
  for (auto v : {t.year, t.month, t.day_of_week, t.day, t.hour, t.minute, t.second, t.milliseconds}) put16(out, v);
}

struct reader {
  std::string_view bytes;
  std::size_t at = 0;
  std::uint16_t u16() {
    const auto v = static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[at]) | (static_cast<unsigned char>(bytes[at + 1]) << 8));
    at += 2;
    return v;
  }
  std::int32_t i32() {
    std::uint32_t u = 0;
    for (int i = 0; i < 4; ++i) u |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    at += 4;
    return static_cast<std::int32_t>(u);
  }
  std::u16string name() {
    std::u16string out;
    for (std::size_t i = 0; i < name_units; ++i) {
      const auto c = u16();
      if (c == 0) {
        at += 2 * (name_units - i - 1);
        break;
      }
      out += static_cast<char16_t>(c);
    }
    return out;
  }
  system_time time() {
    system_time t;
    t.year = u16();
    t.month = u16();
    t.day_of_week = u16();
    t.day = u16();
    t.hour = u16();
    t.minute = u16();
    t.second = u16();
    t.milliseconds = u16();
    return t;
  }
};

std::u16string ascii16(const std::string& s) { return {s.begin(), s.end()}; }

// A change at `instant` as the local wall clock before it shows it: nth (or last) weekday.
system_time yearly_date(date::sys_seconds instant, seconds offset_before) {
  const auto local = instant + offset_before;
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<seconds> tod{local - day};
  const unsigned d = static_cast<unsigned>(ymd.day());
  const auto last = static_cast<unsigned>(date::year_month_day_last{ymd.year(), date::month_day_last{ymd.month()}}.day());
  system_time t;
  t.month = static_cast<std::uint16_t>(static_cast<unsigned>(ymd.month()));
  t.day_of_week = static_cast<std::uint16_t>(date::weekday{day}.c_encoding());
  t.day = static_cast<std::uint16_t>(d + 7 > last ? 5 : (d - 1) / 7 + 1);  // 5: the last in the month
  t.hour = static_cast<std::uint16_t>(tod.hours().count());
  t.minute = static_cast<std::uint16_t>(tod.minutes().count());
  t.second = static_cast<std::uint16_t>(tod.seconds().count());
  return t;
}

// The local date and time a yearly rule names in `year`.
date::sys_seconds local_instant(const system_time& t, int year) {
  const date::year y{year};
  const date::month m{t.month};
  const date::weekday wd{t.day_of_week};
  date::sys_days day;
  if (t.day >= 5) {
    day = date::sys_days{date::year_month_weekday_last{y, m, date::weekday_last{wd}}};
  } else {
    day = date::sys_days{date::year_month_weekday{y, m, date::weekday_indexed{wd, t.day}}};
  }
  return day + std::chrono::hours(t.hour) + minutes(t.minute) + seconds(t.second);
}

}  // namespace

std::string encode(const timezone_info& tz) {
  std::string out;
  out.reserve(blob_size);
  put32(out, tz.bias);
  put_name(out, tz.standard_name);
  put_time(out, tz.standard_date);
  put32(out, tz.standard_bias);
  put_name(out, tz.daylight_name);
  put_time(out, tz.daylight_date);
  put32(out, tz.daylight_bias);
  return out;
}

std::optional<timezone_info> decode(std::string_view bytes) {
  if (bytes.size() != blob_size) return std::nullopt;
  reader r{bytes};
  timezone_info tz;
  tz.bias = r.i32();
  tz.standard_name = r.name();
  tz.standard_date = r.time();
  tz.standard_bias = r.i32();
  tz.daylight_name = r.name();
  tz.daylight_date = r.time();
  tz.daylight_bias = r.i32();
  return tz;
}

timezone_info rule_for(const date::time_zone& zone, int year) {
  const date::sys_seconds start{date::sys_days{date::year{year} / 1 / 1}};
  const date::sys_seconds end{date::sys_days{date::year{year + 1} / 1 / 1}};
  auto info = zone.get_info(start);
  std::optional<date::sys_info> standard = info.save == minutes{0} ? std::optional(info) : std::nullopt;
  std::optional<date::sys_info> daylight = info.save != minutes{0} ? std::optional(info) : std::nullopt;
  std::optional<system_time> dst_start;
  std::optional<system_time> dst_end;
  while (info.end < end) {
    const auto next = zone.get_info(info.end);
    if (info.save == minutes{0} && next.save != minutes{0} && !dst_start) dst_start = yearly_date(info.end, info.offset);
    if (info.save != minutes{0} && next.save == minutes{0} && !dst_end) dst_end = yearly_date(info.end, info.offset);
    if (next.save == minutes{0} && !standard) standard = next;
    if (next.save != minutes{0} && !daylight) daylight = next;
    info = next;
  }
  timezone_info tz;
  const auto& base = standard ? *standard : *daylight;
  // The system tz database (USE_OS_TZDB) tells only whether saving is on, not how much (save is
  // 1 minute then): the saving is the difference of the two offsets.
  const auto standard_offset = std::chrono::duration_cast<minutes>(base.offset);
  tz.bias = static_cast<std::int32_t>(-standard_offset.count());
  tz.standard_name = ascii16(base.abbrev);
  if (dst_start && dst_end && daylight) {
    // MS-ASDTYPE 2.7.6 with the yearly form of SYSTEMTIME (wYear 0): DaylightDate when saving
    // starts, StandardDate when it ends; DaylightBias is minus the saving.
    tz.daylight_date = *dst_start;
    tz.standard_date = *dst_end;
    tz.daylight_bias = static_cast<std::int32_t>(-(std::chrono::duration_cast<minutes>(daylight->offset) - standard_offset).count());
    tz.daylight_name = ascii16(daylight->abbrev);
  } else {
    tz.daylight_name = tz.standard_name;  // wMonth 0: no daylight saving
  }
  return tz;
}

int utc_offset_minutes(const timezone_info& tz, std::int64_t utc_seconds) {
  const int standard = -(tz.bias + tz.standard_bias);
  if (tz.daylight_date.month == 0 || tz.standard_date.month == 0) return standard;
  const int daylight = -(tz.bias + tz.daylight_bias);
  const date::sys_seconds t{seconds{utc_seconds}};
  const int year = static_cast<int>(date::year_month_day{date::floor<date::days>(t + minutes(standard))}.year());
  // Saving starts at a local standard time and ends at a local daylight time.
  const auto starts = local_instant(tz.daylight_date, year) - minutes(standard);
  const auto ends = local_instant(tz.standard_date, year) - minutes(daylight);
  const bool saving = starts < ends ? (t >= starts && t < ends) : (t < ends || t >= starts);
  return saving ? daylight : standard;
}

}  // namespace easemu::mailbox::tz
