#include "easemu/common/base64.hpp"

#include <gtest/gtest.h>

namespace {

using easemu::common::base64_decode;
using easemu::common::base64_encode;

TEST(Base64, Rfc4648Vectors) {
  // RFC 4648 section 10.
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), std::string(plain));
  }
}

TEST(Base64, BinaryAndWhiteSpace) {
  const std::string bytes("\x00\xff\x10\x80", 4);
  EXPECT_EQ(base64_encode(bytes), "AP8QgA==");
  EXPECT_EQ(base64_decode(" AP8Q\r\ngA==\n"), bytes);
}

TEST(Base64, RejectsWhatIsNotBase64) {
  EXPECT_FALSE(base64_decode("Zm9"));        // length
  EXPECT_FALSE(base64_decode("Zm9v!A=="));   // alphabet
  EXPECT_FALSE(base64_decode("Zg==Zm9v"));   // padding in the middle
  EXPECT_FALSE(base64_decode("Z==="));       // too much padding
  EXPECT_FALSE(base64_decode("Zm=v"));       // padding then data
}

}  // namespace
