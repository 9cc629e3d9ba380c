// Where a status travels: in the command's body or as the HTTP status that stands for it. The
// version rule and the HTTP mapping (moved here with the rule from server/faults and
// provisioning/access), and the command table's part: which commands have a body at all.
#include "easemu/eas/status.hpp"

#include <gtest/gtest.h>

namespace {

using namespace easemu;
using namespace easemu::eas;
using v = protocol_version;

TEST(StatusFitsBody, FollowsExchangesVersionRules) {
  EXPECT_TRUE(status_fits_body(v::v12_1, 3));
  EXPECT_TRUE(status_fits_body(v::v2_5, 100));
  EXPECT_FALSE(status_fits_body(v::v12_1, 142));
  EXPECT_TRUE(status_fits_body(v::v14_0, 143));
  EXPECT_FALSE(status_fits_body(v::v14_0, 177));
  EXPECT_TRUE(status_fits_body(v::v14_1, 177));
  EXPECT_FALSE(status_fits_body(v::v14_1, 178));
  EXPECT_TRUE(status_fits_body(v::v16_0, 185));
  EXPECT_TRUE(status_fits_body(v::v16_1, 999));
}

TEST(StatusFitsBody, ByVersion) {
  EXPECT_TRUE(status_fits_body(v::v2_5, 6));
  EXPECT_TRUE(status_fits_body(v::v12_1, 100));
  EXPECT_FALSE(status_fits_body(v::v12_1, 101));
  EXPECT_FALSE(status_fits_body(v::v12_0, 129));
  EXPECT_TRUE(status_fits_body(v::v14_0, 163));
  EXPECT_FALSE(status_fits_body(v::v14_0, 164));
  EXPECT_TRUE(status_fits_body(v::v14_1, 177));
  EXPECT_FALSE(status_fits_body(v::v14_1, 178));
  EXPECT_TRUE(status_fits_body(v::v16_0, 185));
  EXPECT_FALSE(status_fits_body(v::v16_0, 186));
  EXPECT_TRUE(status_fits_body(v::v16_1, 999));
}

TEST(HttpStatusFor, TheStatusesMsAsCmdNames) {
  EXPECT_EQ(http_status_for(142), 449);
  EXPECT_EQ(http_status_for(143), 449);
  EXPECT_EQ(http_status_for(144), 449);
  EXPECT_EQ(http_status_for(110), 500);
  EXPECT_EQ(http_status_for(111), 503);
  EXPECT_EQ(http_status_for(113), 507);
  EXPECT_EQ(http_status_for(126), 403);
  EXPECT_EQ(http_status_for(137), 501);
  EXPECT_EQ(http_status_for(138), 400);
  EXPECT_EQ(http_status_for(102), 400);
  EXPECT_EQ(http_status_for(177), 403);
}

TEST(StatusInBody, NeedsAStatusABodyAndAVersionThatCarriesIt) {
  const auto& sync = info(command_id::sync);
  EXPECT_TRUE(status_in_body(sync, v::v14_0, 142));
  EXPECT_FALSE(status_in_body(sync, v::v12_1, 142));
  EXPECT_TRUE(status_in_body(sync, v::v12_1, 3));
  EXPECT_FALSE(status_in_body(sync, v::v16_1, 0));  // no status: the bare HTTP status
  // No WBXML response to carry it, whatever the version.
  EXPECT_FALSE(status_in_body(info(command_id::get_attachment), v::v12_1, 3));
  EXPECT_FALSE(status_in_body(info(command_id::create_collection), v::v2_5, 6));
}

}  // namespace
