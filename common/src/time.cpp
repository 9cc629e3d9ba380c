#include "easemu/common/time.hpp"
#include "easemu/common/test_clock.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace easemu::common {

std::string iso8601_utc(std::int64_t ms) {
  const auto seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;  // floor, so the milliseconds stay 0..999
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[96];  // room for any int the compiler can imagine
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms - seconds * 1000));
  return out;
}

namespace {
std::atomic<std::int64_t> clock_offset_ms{0};
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
             .count() +
         clock_offset_ms.load(std::memory_order_relaxed);
}

std::int64_t advance_clock_ms(std::int64_t ms) { return clock_offset_ms.fetch_add(ms) + ms; }

}  // namespace easemu::common
