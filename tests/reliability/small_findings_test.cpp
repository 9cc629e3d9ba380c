// Reliability: the smaller findings of issue 23 (finding 8). The 449 status line carries
// Exchange's reason phrase; a Sync that is no Sync, or has text in Collections, is a protocol
// error (Status 4); random DNS datagrams do not flood the log; the admin token is compared in
// full; the landing page and the CA site carry nosniff and a Content-Security-Policy; a database
// that cannot be used is named in the error.
#include <gtest/gtest.h>

#include <filesystem>

#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/dns_wire.hpp"
#include "support/process.hpp"
#include "support/raw_connection.hpp"
#include "support/test_server.hpp"
#include "support/wait.hpp"

namespace {

using namespace easemu::test;
namespace wbxml = easemu::wbxml;

// alice's policy asks for provisioning; bob's lets a phone sync without it.
constexpr const char* lab_yaml = R"(lab:
  domain: lab.test
  hostname: mail.lab.test
mailboxes:
  - address: alice@lab.test
    password: Passw0rd
  - address: bob@lab.test
    password: Passw0rd
    policy: Open
policies:
  - Name: Default
    IsDefault: $true
  - Name: Open
    AllowNonProvisionableDevices: $true
)";

const std::string alice = "Authorization: Basic YWxpY2VAbGFiLnRlc3Q6UGFzc3cwcmQ=\r\n";  // alice@lab.test:Passw0rd
const std::string bob = "Authorization: Basic Ym9iQGxhYi50ZXN0OlBhc3N3MHJk\r\n";        // bob@lab.test:Passw0rd

std::string status_line(const std::string& response) { return response.substr(0, response.find("\r\n")); }

std::string header_of(const std::string& response, const std::string& name) {
  const auto head = response.substr(0, response.find("\r\n\r\n") + 2);
  const auto at = head.find("\r\n" + name + ": ");
  if (at == std::string::npos) return {};
  const auto from = at + 4 + name.size();
  return head.substr(from, head.find("\r\n", from) - from);
}

class SmallFindings : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dir_ / "lab.yaml", lab_yaml);
    server_ = std::make_unique<test_server>(std::vector<std::string>{
        "--config", (dir_ / "lab.yaml").string(), "--dns-listen", "127.0.0.1:0"});
  }

  std::string eas(const std::string& auth, const std::string& cmd, const std::string& version, const std::string& body) {
    raw_connection c(server_->https_port, true);
    c.write("POST /Microsoft-Server-ActiveSync?Cmd=" + cmd + "&User=x&DeviceId=SMALL1&DeviceType=iPhone HTTP/1.1\r\n"
            "Host: mail.lab.test\r\n" + auth + "MS-ASProtocolVersion: " + version +
            "\r\nContent-Type: application/vnd.ms-sync.wbxml\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body);
    return c.read_response();
  }

  static std::string wbxml_of(const std::string& xml) { return *wbxml::encode(*wbxml::from_xml(xml)); }

  static std::string sync_status(const std::string& response) {
    const auto body = response.substr(response.find("\r\n\r\n") + 4);
    const auto tree = wbxml::decode(body);
    if (!tree) return "(no WBXML body)";
    return std::string(tree->child_text(wbxml::tag("AirSync:Status"), "(no Status)"));
  }

  std::string get(const std::string& target, const std::string& extra = "") {
    raw_connection c(server_->http_port, false);
    c.write("GET " + target + " HTTP/1.1\r\nHost: mail.lab.test\r\n" + extra + "\r\n");
    return c.read_response();
  }

  temp_dir dir_;
  std::unique_ptr<test_server> server_;
};

TEST_F(SmallFindings, The449StatusLineHasExchangesReasonPhrase) {
  // 12.1 without a policy key under a policy that asks for one: 142 as HTTP 449 (MS-ASCMD 2.2.2).
  // With a (stale) X-MS-PolicyKey header: 142 travels as 449 (without one, 12.1 gets 403).
  const auto r = eas(alice + "X-MS-PolicyKey: 0\r\n", "FolderSync", "12.1", wbxml_of(R"(<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>)"));
  EXPECT_EQ(status_line(r), "HTTP/1.1 449 Retry after sending a PROVISION command");
}

TEST_F(SmallFindings, ASyncThatIsNoSyncOrHasTextInCollectionsIsAProtocolError) {
  // MS-ASCMD 2.2.3.177.17: 4, protocol error.
  EXPECT_EQ(sync_status(eas(bob, "Sync", "14.1", wbxml_of(R"(<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>)"))), "4");
  EXPECT_EQ(sync_status(eas(bob, "Sync", "14.1", wbxml_of(R"(<Sync xmlns="AirSync:"><Collections>text</Collections></Sync>)"))), "4");
  EXPECT_EQ(sync_status(eas(bob, "Sync", "14.1",
                            wbxml_of(R"(<Sync xmlns="AirSync:"><Collections><SyncKey>0</SyncKey></Collections></Sync>)"))), "4");
  // A well-formed one still syncs.
  EXPECT_EQ(sync_status(eas(bob, "Sync", "14.1",
                            wbxml_of(R"(<Sync xmlns="AirSync:"><Collections><Collection><SyncKey>0</SyncKey><CollectionId>1</CollectionId></Collection></Collections></Sync>)"))),
            "(no Status)");
}

TEST_F(SmallFindings, RandomDnsDatagramsDoNotFloodTheLog) {
  std::uint16_t port = 0;
  ASSERT_TRUE(eventually([&] {
    const auto text = server_->log();
    const auto at = text.find("DNS 127.0.0.1:");
    if (at == std::string::npos) return false;
    port = static_cast<std::uint16_t>(std::stoi(text.substr(at + 14)));
    return true;
  }));
  for (int i = 0; i < 200; ++i) {
    dns::bytes noise(40);
    for (std::size_t b = 0; b < noise.size(); ++b) noise[b] = static_cast<std::uint8_t>(i * 131 + b * 37 + 11);
    noise[2] = 0x01;
    (void)dns::udp_exchange(port, noise, 50);
  }
  // Still answering; the malformed ones were written a few times, not 200.
  const auto reply = dns::udp_exchange(port, dns::make_query("mail.lab.test", 1));
  ASSERT_TRUE(reply);
  ASSERT_TRUE(server_->logged("A mail.lab.test: NOERROR"));
  const auto log = server_->log();
  std::size_t lines = 0;
  for (auto at = log.find("dns udp"); at != std::string::npos; at = log.find("dns udp", at + 1)) ++lines;
  EXPECT_LE(lines, 10u) << "every malformed datagram logged";
}

TEST_F(SmallFindings, TheAdminTokenIsComparedInFull) {
  const auto token = server_->admin_token;
  EXPECT_EQ(status_line(get("/api/v1/server", "Authorization: Bearer " + token + "\r\n")), "HTTP/1.1 200 OK");
  for (const auto& wrong : {token.substr(0, token.size() - 1), token + "x", std::string(token.size(), 'x'),
                            token.substr(0, token.size() - 1) + "X", std::string()}) {
    EXPECT_EQ(status_line(get("/api/v1/server", "Authorization: Bearer " + wrong + "\r\n")), "HTTP/1.1 401 Unauthorized")
        << wrong;
  }
}

TEST_F(SmallFindings, TheLandingPageAndTheCaSiteCarryNosniffAndACsp) {
  for (const auto* target : {"/", "/certsrv/", "/certsrv/ca.pem"}) {
    const auto r = get(target);
    ASSERT_EQ(status_line(r), "HTTP/1.1 200 OK") << target;
    EXPECT_EQ(header_of(r, "X-Content-Type-Options"), "nosniff") << target;
    const auto csp = header_of(r, "Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << target << ": " << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << target << ": " << csp;
  }
}

}  // namespace

namespace {

TEST(SmallFindingsStart, ADatabaseThatCannotBeUsedIsNamed) {
  // The database opens, but its WAL file cannot be made (a directory took its name): SQLite's
  // error comes from the first statement and names no file; the start-up error names it.
  temp_dir dir;
  std::filesystem::create_directories(dir / "data" / "easemu.db-wal");
  test_server server({"--data-dir", (dir / "data").string()}, false);
  EXPECT_NE(server.stop(false), 0);
  const auto log = server.log();
  EXPECT_NE(log.find("cannot use the database " + (dir / "data" / "easemu.db").string() + ": "), std::string::npos) << log;
}

}  // namespace
