// ISO 8601 UTC times with milliseconds (MS-ASDTYPE 2.3).
#include "easemu/common/time.hpp"

#include <gtest/gtest.h>

namespace {

using easemu::common::iso8601_utc;

TEST(Time, Iso8601Utc) {
  EXPECT_EQ(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_utc(1795509000123), "2026-11-24T08:30:00.123Z");
  EXPECT_EQ(iso8601_utc(951782400000), "2000-02-29T00:00:00.000Z");  // a leap day
  EXPECT_EQ(iso8601_utc(-1), "1969-12-31T23:59:59.999Z");
}

}  // namespace
