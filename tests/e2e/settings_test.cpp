// End-to-end: the Settings command: DeviceInformation on the device record, UserInformation per
// protocol version, Oof set then get.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "easemu/client/http_client.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/admin_client.hpp"
#include "support/eas_client.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::client;
namespace wbxml = easemu::wbxml;

// alice's Android phone SET1 sends Settings with this content; the answer as XML.
std::string settings(const test_server& s, const std::string& version, const std::string& inner) {
  const eas_client phone{.port = s.https_port, .device_id = "SET1", .device_type = "Android", .version = version};
  return xml_of(phone.post("Settings", "<Settings xmlns=\"Settings:\">" + inner + "</Settings>"));
}

TEST(Settings, DeviceInformationUserInformationAndOof) {
  test_server server;
  EXPECT_EQ(settings(server, "14.0",
                     "<DeviceInformation><Set><Model>Pixel 8</Model><IMEI>35000000</IMEI><OS>Android 14</OS>"
                     "<MobileOperator>Lab Mobile</MobileOperator></Set></DeviceInformation>"),
            "<Settings xmlns=\"Settings:\"><Status>1</Status><DeviceInformation><Status>1</Status></DeviceInformation>"
            "</Settings>");
  const auto list = device_list(server);
  EXPECT_EQ(list.at(0).at("model"), "Pixel 8");
  EXPECT_EQ(list.at(0).at("mobile_operator"), "Lab Mobile");

  EXPECT_EQ(settings(server, "14.0", "<UserInformation><Get/></UserInformation>"),
            "<Settings xmlns=\"Settings:\"><Status>1</Status><UserInformation><Status>1</Status><Get><EmailAddresses>"
            "<SMTPAddress>alice@lab.test</SMTPAddress></EmailAddresses></Get></UserInformation></Settings>");
  EXPECT_EQ(settings(server, "14.1", "<UserInformation><Get/></UserInformation>"),
            "<Settings xmlns=\"Settings:\"><Status>1</Status><UserInformation><Status>1</Status><Get><Accounts><Account>"
            "<UserDisplayName>Alice Lab</UserDisplayName><EmailAddresses><PrimarySmtpAddress>alice@lab.test"
            "</PrimarySmtpAddress></EmailAddresses></Account></Accounts></Get></UserInformation></Settings>");

  EXPECT_EQ(settings(server, "14.1", "<Oof><Get><BodyType>Text</BodyType></Get></Oof>"),
            "<Settings xmlns=\"Settings:\"><Status>1</Status><Oof><Status>1</Status><Get><OofState>0</OofState></Get>"
            "</Oof></Settings>");
  EXPECT_EQ(settings(server, "14.1",
                     "<Oof><Set><OofState>1</OofState><OofMessage><AppliesToInternal/><Enabled>1</Enabled>"
                     "<ReplyMessage>Back on Monday</ReplyMessage><BodyType>Text</BodyType></OofMessage></Set></Oof>"),
            "<Settings xmlns=\"Settings:\"><Status>1</Status><Oof><Status>1</Status></Oof></Settings>");
  EXPECT_EQ(settings(server, "14.1", "<Oof><Get><BodyType>Text</BodyType></Get></Oof>"),
            "<Settings xmlns=\"Settings:\"><Status>1</Status><Oof><Status>1</Status><Get><OofState>1</OofState>"
            "<OofMessage><AppliesToInternal/><Enabled>1</Enabled><ReplyMessage>Back on Monday</ReplyMessage>"
            "<BodyType>Text</BodyType></OofMessage></Get></Oof></Settings>");
  EXPECT_EQ(settings(server, "14.1", "<Oof><Set><OofState>9</OofState></Set></Oof>"),
            "<Settings xmlns=\"Settings:\"><Status>1</Status><Oof><Status>2</Status></Oof></Settings>");
}

}  // namespace
