// Mailbox logging as periods (on, off, off by itself after 72 hours) and a device's log in
// Exchange's mailbox log text format.
#include "easemu/server/mailbox_logging.hpp"

#include <gtest/gtest.h>

namespace {

using namespace easemu::server::mailbox_logging;
using easemu::store::journal_entry;

constexpr std::int64_t hour = 3600 * 1000;

TEST(MailboxLogging, PeriodsRoundTripAndBadTextIsIgnored) {
  const std::vector<period> p{{1000, 2000}, {5000, std::nullopt}};
  EXPECT_EQ(format(p), "1000-2000;5000-");
  EXPECT_EQ(parse("1000-2000;5000-"), p);
  EXPECT_EQ(parse("x-1;7-;;9-y"), (std::vector<period>{{7, std::nullopt}}));
  EXPECT_TRUE(parse("").empty());
  // The value stored before periods existed: on, with no limit.
  EXPECT_TRUE(is_on(parse("1"), 1000 * hour));
}

TEST(MailboxLogging, OffByItself72HoursAfterItStarted) {
  const std::vector<period> on{{10 * hour, std::nullopt}};
  EXPECT_TRUE(is_on(on, 10 * hour));
  EXPECT_TRUE(is_on(on, 82 * hour - 1));
  EXPECT_FALSE(is_on(on, 82 * hour));
  EXPECT_EQ(as_of(on, 100 * hour), (std::vector<period>{{10 * hour, 82 * hour}}));
  EXPECT_TRUE(covers(on, 81 * hour, 100 * hour));
  EXPECT_FALSE(covers(on, 83 * hour, 100 * hour));
  EXPECT_FALSE(covers(on, 9 * hour, 100 * hour));
  const std::vector<period> closed{{1 * hour, 2 * hour}};
  EXPECT_FALSE(is_on(closed, 1 * hour + 1));
  EXPECT_TRUE(covers(closed, 2 * hour, 3 * hour));
}

TEST(MailboxLogging, LogEntriesInExchangesLayoutOnlyInsideThePeriods) {
  journal_entry before;
  before.id = 1;
  before.time_ms = 1 * hour;
  before.command = "FolderSync";
  journal_entry inside;
  inside.id = 2;
  inside.time_ms = 3 * hour;
  inside.duration_ms = 12;
  inside.user = "alice@lab.test";
  inside.device_id = "WP7A";
  inside.device_type = "WP";
  inside.command = "Sync";
  inside.http_status = 200;
  inside.request_headers = "Authorization: (removed)\nMS-ASProtocolVersion: 14.0\n";
  inside.response_headers = "HTTP 200\nContent-Type: application/vnd.ms-sync.wbxml\n";
  inside.request_xml = "<Sync xmlns=\"AirSync:\">\n  <Collections/>\n</Sync>";
  inside.response_xml = "<Sync xmlns=\"AirSync:\"/>";
  const auto log = device_log({inside, before}, {{2 * hour, 4 * hour}}, 5 * hour, {"mail.lab.test", "14.1.218.15"});
  EXPECT_EQ(log,
            "Log Entry: 1\n"
            "RequestTime : \n\t1970-01-01T02:59:59.988Z\n"
            "ServerName : \n\tmail.lab.test\n"
            "AssemblyVersion : \n\t14.1.218.15\n"
            "Identifier : \n\t00000002\n"
            "RequestHeader : \n"
            "\tPOST /Microsoft-Server-ActiveSync/default.eas?Cmd=Sync&User=alice@lab.test&DeviceId=WP7A&DeviceType=WP HTTP/1.1\n"
            "\tAuthorization: (removed)\n\tMS-ASProtocolVersion: 14.0\n"
            "RequestBody : \n\t<Sync xmlns=\"AirSync:\">\n\t  <Collections/>\n\t</Sync>\n"
            "ResponseHeader : \n\tHTTP/1.1 200 OK\n\tContent-Type: application/vnd.ms-sync.wbxml\n"
            "ResponseBody : \n\t<Sync xmlns=\"AirSync:\"/>\n"
            "ResponseTime : \n\t1970-01-01T03:00:00.000Z\n"
            "------------------------------------------------------------\n");
  EXPECT_EQ(device_log({before}, {{2 * hour, 4 * hour}}, 5 * hour, {}), "");
}

}  // namespace
