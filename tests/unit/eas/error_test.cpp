#include "easemu/eas/error.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace {

using namespace easemu::eas;

TEST(EasErrors, EveryCodeHasItsOwnMessage) {
  std::set<std::string> messages;
  const int last = static_cast<int>(errc::invalid_user_name);
  for (int e = 1; e <= last; ++e) {
    const std::error_code code = static_cast<errc>(e);
    EXPECT_EQ(code.category().name(), std::string("eas"));
    const std::string m = code.message();
    EXPECT_NE(m, "unknown eas error") << e;
    EXPECT_TRUE(messages.insert(m).second) << "duplicate message: " << m;
  }
  EXPECT_EQ(std::error_code(static_cast<errc>(last + 1)).message(), "unknown eas error");
}

TEST(EasErrors, MessageNamesDetailAndOffset) {
  const parse_error e = make_parse_error(errc::unknown_parameter_tag, 21, "tag 5");
  EXPECT_EQ(e.message(), "unknown parameter tag: tag 5 at byte 21");
  EXPECT_EQ(make_parse_error(errc::empty_query, 0).message(), "empty query string at byte 0");
  EXPECT_TRUE(e.code == errc::unknown_parameter_tag);
}

}  // namespace
