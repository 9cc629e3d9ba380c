#include "easemu/eas/url.hpp"

#include <gtest/gtest.h>

#include <random>

namespace {

using namespace easemu::eas;

struct decode_case {
  const char* in;
  plus_rule plus;
  std::string out;
};

class PercentDecode : public ::testing::TestWithParam<decode_case> {};

TEST_P(PercentDecode, Decodes) {
  const auto& c = GetParam();
  auto r = percent_decode(c.in, c.plus);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, c.out);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PercentDecode,
    ::testing::Values(decode_case{"", plus_rule::space, ""},
                      decode_case{"abc", plus_rule::space, "abc"},
                      decode_case{"a%20b", plus_rule::space, "a b"},
                      decode_case{"a+b", plus_rule::space, "a b"},
                      decode_case{"a+b", plus_rule::literal, "a+b"},
                      decode_case{"a%2Bb", plus_rule::space, "a+b"},        // encoded plus stays +
                      decode_case{"%2b%2f%3d", plus_rule::literal, "+/="},  // lower-case hex
                      decode_case{"CONTOSO%5Cjdoe", plus_rule::space, "CONTOSO\\jdoe"},
                      decode_case{"jdoe%40contoso.com", plus_rule::space, "jdoe@contoso.com"},
                      decode_case{"%00%FF", plus_rule::space, std::string("\x00\xff", 2)},
                      decode_case{"%C3%A9", plus_rule::space, "\xc3\xa9"},  // UTF-8 stays bytes
                      decode_case{"%25", plus_rule::space, "%"},
                      decode_case{"%2525", plus_rule::space, "%25"},  // decoded once only
                      decode_case{"a=b&c", plus_rule::space, "a=b&c"}));

struct bad_case {
  const char* in;
  std::size_t offset;
};

class PercentDecodeRejects : public ::testing::TestWithParam<bad_case> {};

TEST_P(PercentDecodeRejects, WithTheOffsetOfThePercent) {
  const auto& c = GetParam();
  auto r = percent_decode(c.in, plus_rule::space);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::bad_percent_encoding);
  EXPECT_EQ(r.error().offset, c.offset);
}

INSTANTIATE_TEST_SUITE_P(Cases, PercentDecodeRejects,
                         ::testing::Values(bad_case{"%", 0}, bad_case{"a%", 1}, bad_case{"a%4", 1},
                                           bad_case{"%G0", 0}, bad_case{"%0G", 0},
                                           bad_case{"ok%20%x1", 5}, bad_case{"% 20", 0}));

TEST(PercentEncode, KeepsOnlyUnreserved) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a b+c/d=e&f%g"), "a%20b%2Bc%2Fd%3De%26f%25g");
  EXPECT_EQ(percent_encode("D\\u@x"), "D%5Cu%40x");
  EXPECT_EQ(percent_encode(std::string("\x00\xff", 2)), "%00%FF");
}

TEST(PercentEncode, RoundTripsEveryByteString) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> len(0, 40);
  for (int i = 0; i < 500; ++i) {
    std::string s(static_cast<std::size_t>(len(rng)), '\0');
    for (auto& c : s) c = static_cast<char>(byte(rng));
    for (auto plus : {plus_rule::space, plus_rule::literal}) {
      auto r = percent_decode(percent_encode(s), plus);
      ASSERT_TRUE(r);
      EXPECT_EQ(*r, s);
    }
  }
}

}  // namespace
