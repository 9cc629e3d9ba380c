#pragma once
// The test clock (`easemu serve --test-clock`, POST /api/v1/clock): moves common::now_ms() forward
// for the whole process, so a test can show what happens hours later (mailbox logging turning
// itself off after 72 hours) without waiting.
#include <cstdint>

namespace easemu::common {

// Moves now_ms() forward by `ms`; returns the total offset.
std::int64_t advance_clock_ms(std::int64_t ms);

}  // namespace easemu::common
