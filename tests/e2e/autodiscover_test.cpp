// End-to-end Autodiscover as phones run it (PROTOCOL.md section 3).
#include <gtest/gtest.h>

#include "easemu/client/http_client.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::client;

std::string request_body(const std::string& address,
                         const std::string& schema =
                             "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006") {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
         "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006\">\n"
         "  <Request>\n    <EMailAddress>" + address + "</EMailAddress>\n"
         "    <AcceptableResponseSchema>" + schema + "</AcceptableResponseSchema>\n  </Request>\n"
         "</Autodiscover>\n";
}

client_request post(std::string body, std::string target = "/autodiscover/autodiscover.xml") {
  client_request r;
  r.method = "POST";
  r.target = std::move(target);
  r.headers.emplace_back("Content-Type", "text/xml");
  r.body = std::move(body);
  r.basic_user = "alice@lab.test";
  r.basic_password = "Passw0rd";
  return r;
}

TEST(Autodiscover, ReturnsTheMobileSyncServer) {
  test_server server({"--public-url", "https://mail.lab.test"});
  for (const char* path : {"/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml"}) {
    auto r = send(server.https_port, post(request_body("alice@lab.test"), path));
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.header("Content-Type"), "text/xml; charset=utf-8");
    EXPECT_NE(r.body.find("<Culture>en:us</Culture>"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("<DisplayName>Alice Lab</DisplayName>"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("<EMailAddress>alice@lab.test</EMailAddress>"), std::string::npos);
    EXPECT_NE(r.body.find("<Type>MobileSync</Type>"), std::string::npos);
    EXPECT_NE(r.body.find("<Url>https://mail.lab.test/Microsoft-Server-ActiveSync</Url>"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("<Name>https://mail.lab.test/Microsoft-Server-ActiveSync</Name>"), std::string::npos);
  }
}

TEST(Autodiscover, ErrorsAre600And601) {
  test_server server;
  struct bad {
    std::string body;
    const char* code;
  };
  const bad cases[] = {
      {request_body("nobody@lab.test"), "600"},
      {request_body("alice@lab.test", "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"), "601"},
      {"<not xml", "600"},
      {"", "600"},
      {"<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006\">"
       "<Request><EMailAddress>alice@lab.test</EMailAddress></Request><Request/></Autodiscover>", "600"},
  };
  for (const auto& c : cases) {
    auto r = send(server.https_port, post(c.body));
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find(std::string("<ErrorCode>") + c.code + "</ErrorCode>"), std::string::npos)
        << c.body << "\n" << r.body;
  }
}

TEST(Autodiscover, HostileXmlIsRejectedSafely) {
  test_server server;
  const std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
      "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
      "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006\">"
      "<Request><EMailAddress>&lol3;</EMailAddress><AcceptableResponseSchema>"
      "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006"
      "</AcceptableResponseSchema></Request></Autodiscover>";
  auto r = send(server.https_port, post(laughs));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<ErrorCode>600</ErrorCode>"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("lollol"), std::string::npos);
  auto huge = send(server.https_port, post(request_body(std::string(200000, 'a') + "@lab.test")));
  EXPECT_NE(huge.body.find("<ErrorCode>600</ErrorCode>"), std::string::npos);
  EXPECT_EQ(send(server.https_port, post(request_body("alice@lab.test"))).status, 200);
}

TEST(Autodiscover, NeedsCredentials) {
  test_server server;
  auto r = post(request_body("alice@lab.test"));
  r.basic_password = "nope";
  auto res = send(server.https_port, r);
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(res.header("WWW-Authenticate"), "Basic realm=\"mail.lab.test\"");
}

TEST(Autodiscover, PlainHttpGetRedirectsToHttps) {
  test_server server({"--public-url", "https://mail.lab.test"});
  client_request r;
  r.tls = false;
  r.target = "/autodiscover/autodiscover.xml";
  r.headers.emplace_back("Host", "autodiscover.lab.test");
  auto res = send(server.http_port, r);
  EXPECT_EQ(res.status, 302);
  EXPECT_EQ(res.header("Location"), "https://mail.lab.test/autodiscover/autodiscover.xml");
}

TEST(Autodiscover, DefaultPublicUrlNamesHostnameAndPort) {
  test_server server({"--hostname", "eas.example.test"});
  auto r = send(server.https_port, post(request_body("alice@lab.test")));
  EXPECT_NE(r.body.find("<Url>https://eas.example.test:" + std::to_string(server.https_port) +
                        "/Microsoft-Server-ActiveSync</Url>"),
            std::string::npos)
      << r.body;
}

}  // namespace
