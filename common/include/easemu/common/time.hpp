#pragma once
// UTC times as EAS and the admin API write them: 2026-11-24T08:30:00.000Z (MS-ASDTYPE 2.3).
#include <cstdint>
#include <string>

namespace easemu::common {

// Unix milliseconds -> ISO 8601 UTC with milliseconds.
std::string iso8601_utc(std::int64_t ms);

// The wall clock in Unix milliseconds (for the server's shells; pure modules get time passed in).
std::int64_t now_ms();

}  // namespace easemu::common
