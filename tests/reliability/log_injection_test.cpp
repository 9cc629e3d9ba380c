// Reliability: nothing a client sends can forge a log line or put a control character into the
// device list (issue 23, finding 5). A DeviceType with %0A and ESC and an Autodiscover
// EMailAddress with a newline come out escaped (\xNN) in the log and the store; a header with a
// control character is refused by the HTTP parser.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/admin_client.hpp"
#include "support/process.hpp"
#include "support/raw_connection.hpp"
#include "support/test_server.hpp"
#include "reliability_lab.hpp"

namespace {

using namespace easemu::test;
namespace wbxml = easemu::wbxml;

constexpr const char* lab_yaml = reliability_lab_yaml;

const std::string basic = "Authorization: Basic YWxpY2VAbGFiLnRlc3Q6UGFzc3cwcmQ=\r\n";  // alice@lab.test:Passw0rd

std::string folder_sync() {
  return *wbxml::encode(*wbxml::from_xml(R"(<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>)"));
}

bool has_control_bytes(const std::string& s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) return true;
  }
  return false;
}

class LogInjection : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dir_ / "lab.yaml", lab_yaml);
    server_ = std::make_unique<test_server>(std::vector<std::string>{"--config", (dir_ / "lab.yaml").string(), "--log-level", "debug"});
  }
  std::string send(const std::string& bytes) {
    raw_connection c(server_->https_port, true);
    c.write(bytes);
    return c.read_response();
  }
  temp_dir dir_;
  std::unique_ptr<test_server> server_;
};

TEST_F(LogInjection, DeviceTypeIsEscapedAndAHeaderWithAControlCharacterIsRefused) {
  const auto body = folder_sync();
  const auto answer = send(
      "POST /Microsoft-Server-ActiveSync?Cmd=FolderSync&User=alice&DeviceId=INJECT1&DeviceType=Evil%0AFORGED%20line%1B%5B31m"
      " HTTP/1.1\r\nHost: mail.lab.test\r\n" + basic + "User-Agent: Agent/1.0\r\n"
      "MS-ASProtocolVersion: 14.1\r\nContent-Type: application/vnd.ms-sync.wbxml\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer.substr(0, 60);
  // (A control character in a header value never gets this far: the HTTP parser refuses it with
  // 400, checked below.)
  ASSERT_TRUE(server_->logged("type=Evil\\x0aFORGED line\\x1b[31m")) << server_->log();
  const auto log = server_->log();
  EXPECT_EQ(log.find("\nFORGED"), std::string::npos) << log;
  EXPECT_FALSE(has_control_bytes(log));

  const auto device = device_json(*server_, "INJECT1");
  EXPECT_EQ(std::string(device.at("device_type").as_string()), "Evil\\x0aFORGED line\\x1b[31m");
  EXPECT_EQ(std::string(device.at("user_agent").as_string()), "Agent/1.0");

  const auto refused = send("POST /Microsoft-Server-ActiveSync?Cmd=FolderSync&User=alice&DeviceId=INJECT2&DeviceType=iPhone"
                            " HTTP/1.1\r\nHost: mail.lab.test\r\n" + basic + "User-Agent: Agent\x1b[2Jcleared\r\n"
                            "MS-ASProtocolVersion: 14.1\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 400")) << refused.substr(0, 60);
  EXPECT_FALSE(has_control_bytes(server_->log()));
}

TEST_F(LogInjection, AutodiscoverEmailAddressIsEscapedInTheLog) {
  const std::string xml =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/"
      "mobilesync/requestschema/2006\"><Request><EMailAddress>nobody&#10;FORGED line&#27;[31m@lab.test</EMailAddress>"
      "<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006"
      "</AcceptableResponseSchema></Request></Autodiscover>";
  const auto answer = send("POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: mail.lab.test\r\n" + basic +
                           "Content-Type: text/xml\r\nContent-Length: " + std::to_string(xml.size()) + "\r\n\r\n" + xml);
  ASSERT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer.substr(0, 60);
  ASSERT_TRUE(server_->logged("unknown address 'nobody\\x0aFORGED line\\x1b[31m@lab.test'"));
  const auto log = server_->log();
  EXPECT_EQ(log.find("\nFORGED"), std::string::npos) << log;
  EXPECT_FALSE(has_control_bytes(log));
}

}  // namespace
