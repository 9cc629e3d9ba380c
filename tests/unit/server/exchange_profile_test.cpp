// The emulated Exchange releases as data: every listed value is well-formed and known.
#include "easemu/server/exchange_profile.hpp"

#include <gtest/gtest.h>

#include "easemu/eas/command.hpp"

namespace {

using namespace easemu;

TEST(ExchangeProfile, EveryListedCommandIsInTheCommandTableAndVersionsAscend) {
  for (const auto& p : server::exchange_profiles) {
    for (const auto name : server::split_list(p.protocol_commands)) {
      EXPECT_NE(eas::find_command(name), nullptr) << p.name << ": " << name;
    }
    const auto served = server::advertised_versions(p);
    ASSERT_FALSE(served.empty()) << p.name;
    EXPECT_TRUE(std::is_sorted(served.begin(), served.end())) << p.name;
    // Only 2.0 and 2.1 are listed without being served.
    for (const auto item : server::split_list(p.protocol_versions)) {
      if (!parse_protocol_version(item)) {
        EXPECT_TRUE(item == "2.0" || item == "2.1") << p.name << ": " << item;
      }
    }
    EXPECT_FALSE(p.server_build.empty());
    EXPECT_FALSE(p.source.empty());
  }
}

TEST(ExchangeProfile, Exchange2010Sp1IsTheMsAsHttpExamplePlus141) {
  const auto* p = server::find_exchange_profile("2010SP1");
  ASSERT_NE(p, nullptr);
  // MS-ASHTTP 4.3: "2.0,2.1,2.5,12.0,12.1,14.0" for Exchange 2010, plus SP1's 14.1.
  EXPECT_EQ(p->protocol_versions, "2.0,2.1,2.5,12.0,12.1,14.0,14.1");
  EXPECT_EQ(server::advertised_versions(*p).front(), protocol_version::v2_5);
  EXPECT_EQ(server::advertised_versions(*p).back(), protocol_version::v14_1);
  EXPECT_TRUE(server::lists_command(*p, "GetHierarchy"));
  EXPECT_TRUE(server::lists_command(*p, "MoveCollection"));
  EXPECT_FALSE(server::lists_command(*p, "Find"));
  EXPECT_TRUE(server::lists_command(*server::find_exchange_profile("2019"), "Find"));
  EXPECT_EQ(server::find_exchange_profile("2007"), nullptr);
}

}  // namespace
