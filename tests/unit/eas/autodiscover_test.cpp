// Autodiscover both ways (autodiscover.hpp): what the phone sends and reads against what the
// server reads and sends, the response shapes of MS-ASCMD section 4.2 and 2.2.3, limits and
// malformed input.
#include "easemu/eas/autodiscover.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace easemu::eas;

TEST(AutodiscoverClient, TheRequestIsWhatTheServerReads) {
  const auto body = autodiscover_request_body("chris@lab.test");
  const auto parsed = parse_autodiscover_request(body);
  ASSERT_TRUE(parsed.request) << parsed.reason;
  EXPECT_EQ(parsed.request->email_address, "chris@lab.test");
  EXPECT_EQ(parsed.request->acceptable_response_schema, mobilesync_response_schema);
  EXPECT_EQ(body.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>", 0), 0u) << body;
  EXPECT_NE(body.find(std::string("xmlns=\"") + std::string(mobilesync_request_schema) + "\""), std::string::npos);
}

TEST(AutodiscoverClient, AnAddressWithMarkupIsEscapedNotInjected) {
  const auto body = autodiscover_request_body("a<b>&\"c@lab.test");
  const auto parsed = parse_autodiscover_request(body);
  ASSERT_TRUE(parsed.request) << parsed.reason;
  EXPECT_EQ(parsed.request->email_address, "a<b>&\"c@lab.test");
}

TEST(AutodiscoverClient, TheServersAnswerGivesTheUrlAndName) {
  const auto body = autodiscover_response({"Chris Gray", "chris@lab.test"}, "https://mail.lab.test/Microsoft-Server-ActiveSync");
  const auto reply = parse_autodiscover_response(body);
  ASSERT_TRUE(reply) << reply.error().reason;
  EXPECT_EQ(reply->answer, autodiscover_answer::settings);
  EXPECT_EQ(reply->eas_url, "https://mail.lab.test/Microsoft-Server-ActiveSync");
  EXPECT_EQ(reply->display_name, "Chris Gray");
  EXPECT_EQ(reply->email_address, "chris@lab.test");
}

TEST(AutodiscoverClient, TheServersErrorsGiveTheirCodes) {
  for (const auto code : {autodiscover_error::invalid_request, autodiscover_error::no_provider}) {
    const auto reply = parse_autodiscover_response(autodiscover_error_response(code, "10:11:12", "4242"));
    ASSERT_TRUE(reply) << reply.error().reason;
    EXPECT_EQ(reply->answer, autodiscover_answer::error);
    EXPECT_EQ(reply->error_code, static_cast<int>(code));
    EXPECT_FALSE(reply->error_message.empty());
    EXPECT_TRUE(reply->eas_url.empty());
  }
}

// The shape of MS-ASCMD 4.2.1: two servers, the MobileSync one second here, prefixes instead of
// default namespaces, white space around the values.
TEST(AutodiscoverClient, TheMobileSyncServerAmongOthers) {
  const auto reply = parse_autodiscover_response(R"(<?xml version="1.0" encoding="utf-8"?>
<a:Autodiscover xmlns:a="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <m:Response xmlns:m="http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006">
    <m:Culture>en:us</m:Culture>
    <m:User><m:DisplayName>Dana Lee</m:DisplayName><m:EMailAddress>dana@lab.test</m:EMailAddress></m:User>
    <m:Action>
      <m:Settings>
        <m:Server>
          <m:Type>CertEnroll</m:Type>
          <m:Url>https://cert.lab.test/CertEnroll</m:Url>
          <m:Name/>
          <m:ServerData>CertEnrollTemplate</m:ServerData>
        </m:Server>
        <m:Server>
          <m:Type>MobileSync</m:Type>
          <m:Url>
            https://eas.lab.test/Microsoft-Server-ActiveSync?a=1&amp;b=2
          </m:Url>
          <m:Name>https://eas.lab.test/Microsoft-Server-ActiveSync</m:Name>
        </m:Server>
      </m:Settings>
    </m:Action>
  </m:Response>
</a:Autodiscover>)");
  ASSERT_TRUE(reply) << reply.error().reason;
  EXPECT_EQ(reply->answer, autodiscover_answer::settings);
  EXPECT_EQ(reply->eas_url, "https://eas.lab.test/Microsoft-Server-ActiveSync?a=1&b=2");
  EXPECT_EQ(reply->display_name, "Dana Lee");
}

// MS-ASCMD 2.2.3.147: Redirect names another SMTP address.
TEST(AutodiscoverClient, ARedirectNamesTheAddressToTryNext) {
  const auto reply = parse_autodiscover_response(
      "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">"
      "<Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006\">"
      "<Culture>en:us</Culture><User><EMailAddress>old@lab.test</EMailAddress></User>"
      "<Action><Redirect>new@branch.lab.test</Redirect></Action></Response></Autodiscover>");
  ASSERT_TRUE(reply) << reply.error().reason;
  EXPECT_EQ(reply->answer, autodiscover_answer::redirect);
  EXPECT_EQ(reply->redirect_address, "new@branch.lab.test");
  EXPECT_EQ(reply->email_address, "old@lab.test");
  EXPECT_TRUE(reply->eas_url.empty());
}

// The shape of MS-ASCMD 4.2.2: an error inside Action carries a Status, not an ErrorCode.
TEST(AutodiscoverClient, AnActionErrorCarriesAStatus) {
  const auto reply = parse_autodiscover_response(
      "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">"
      "<Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006\">"
      "<Culture>en:us</Culture><User><EMailAddress>x@lab.test</EMailAddress></User>"
      "<Action><Error><Status>2</Status><Message>directory unreachable</Message><DebugData>MailUser</DebugData>"
      "</Error></Action></Response></Autodiscover>");
  ASSERT_TRUE(reply) << reply.error().reason;
  EXPECT_EQ(reply->answer, autodiscover_answer::error);
  EXPECT_EQ(reply->error_status, 2);
  EXPECT_EQ(reply->error_code, 0);
  EXPECT_EQ(reply->error_message, "directory unreachable");
}

TEST(AutodiscoverClient, ResponsesThatSayNothingUsableAreErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "malformed XML"},
      {"<Autodiscover><Response>", "malformed XML"},
      {"<Other/>", "root element is not Autodiscover"},
      {"<Autodiscover/>", "exactly one Response"},
      {"<Autodiscover><Response/><Response/></Autodiscover>", "exactly one Response"},
      {"<Autodiscover><Response><Culture>en:us</Culture></Response></Autodiscover>", "neither Action nor Error"},
      {"<Autodiscover><Response><Action/></Response></Autodiscover>", "neither Settings, Redirect nor Error"},
      {"<Autodiscover><Response><Action><Redirect> </Redirect></Action></Response></Autodiscover>", "empty Redirect"},
      {"<Autodiscover><Response><Action><Settings><Server><Type>CertEnroll</Type><Url>https://c/</Url></Server>"
       "</Settings></Action></Response></Autodiscover>",
       "no MobileSync Server"},
      {"<Autodiscover><Response><Action><Settings><Server><Type>MobileSync</Type></Server></Settings></Action>"
       "</Response></Autodiscover>",
       "MobileSync Server without a Url"},
      {"<Autodiscover><Response><Error><ErrorCode>six</ErrorCode></Error></Response></Autodiscover>",
       "ErrorCode 'six' is not a number"},
  };
  for (const auto& [body, expected] : cases) {
    const auto reply = parse_autodiscover_response(body);
    ASSERT_FALSE(reply) << body;
    EXPECT_NE(reply.error().reason.find(expected), std::string::npos) << body << "\n-> " << reply.error().reason;
  }
}

TEST(AutodiscoverClient, MalformedXmlSaysWhere) {
  const std::string body = "<Autodiscover><Response></Oops></Autodiscover>";
  const auto reply = parse_autodiscover_response(body);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().offset, body.find("</Oops>") + 2) << reply.error().reason;
}

TEST(AutodiscoverClient, TooLargeIsRefusedBeforeParsing) {
  const auto body = autodiscover_response({"A", "a@lab.test"}, "https://mail.lab.test/Microsoft-Server-ActiveSync");
  EXPECT_TRUE(parse_autodiscover_response(body, body.size()));
  const auto reply = parse_autodiscover_response(body, body.size() - 1);
  ASSERT_FALSE(reply);
  EXPECT_NE(reply.error().reason.find("over the limit"), std::string::npos);
}

// No DTD is read and no entity but XML's own is expanded: the "billion laughs" stays text.
TEST(AutodiscoverClient, EntitiesAreNeverExpanded) {
  const auto reply = parse_autodiscover_response(R"(<?xml version="1.0"?>
<!DOCTYPE Autodiscover [<!ENTITY a "https://evil.test/"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<Autodiscover><Response><Action><Settings><Server><Type>MobileSync</Type><Url>&b;</Url></Server></Settings>
</Action></Response></Autodiscover>)");
  ASSERT_TRUE(reply) << reply.error().reason;
  EXPECT_EQ(reply->eas_url, "&b;");
}

// The server side, which had no unit test of its own: limits and the two error codes.
TEST(AutodiscoverServer, RequestsAreCheckedAsTheSpecSays) {
  EXPECT_EQ(parse_autodiscover_request("<Autodiscover/>").error, autodiscover_error::invalid_request);
  const auto wrong_schema = parse_autodiscover_request(
      "<Autodiscover><Request><EMailAddress>a@b</EMailAddress>"
      "<AcceptableResponseSchema>http://example.test/other</AcceptableResponseSchema></Request></Autodiscover>");
  EXPECT_FALSE(wrong_schema.request);
  EXPECT_EQ(wrong_schema.error, autodiscover_error::no_provider);
  const auto body = autodiscover_request_body("a@lab.test");
  EXPECT_FALSE(parse_autodiscover_request(body, body.size() - 1).request);
}

}  // namespace
