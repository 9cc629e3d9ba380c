#include "easemu/common/hex.hpp"

#include <gtest/gtest.h>

namespace {

using easemu::common::hex_decode;
using easemu::common::hex_encode;

TEST(Hex, EncodesLowerCaseWithOptionalSeparator) {
  EXPECT_EQ(hex_encode(std::string("\x03\x01\x6A\x00", 4)), "03016a00");
  EXPECT_EQ(hex_encode(std::string("\x03\x01\x6A\x00", 4), ' '), "03 01 6a 00");
}

TEST(Hex, DecodesTheFormsPeoplePaste) {
  const std::string expected("\x03\x01\x6A\x00", 4);
  for (const char* s : {"03 01 6A 00", "03016a00", "0x03, 0x01, 0x6A, 0x00", "03:01:6a:00",
                        "03-01-6A-00\n", "  03 01\n6a 00  "}) {
    EXPECT_EQ(hex_decode(s), expected) << s;
  }
}

TEST(Hex, RejectsOddDigitsAndOtherCharacters) {
  EXPECT_FALSE(hex_decode("030"));
  EXPECT_FALSE(hex_decode("0 3"));
  EXPECT_FALSE(hex_decode("zz"));
  EXPECT_FALSE(hex_decode("03 01 6g"));
}

TEST(RandomHex, GivesFreshLowerCaseHexOfTheLength) {
  const auto a = easemu::common::random_hex(16);
  const auto b = easemu::common::random_hex(16);
  EXPECT_EQ(a.size(), 32U);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
  EXPECT_NE(a, b);
  EXPECT_EQ(easemu::common::random_hex(0), "");
}

}  // namespace
