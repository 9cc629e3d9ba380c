// Reliability: a slow request never delays the others (issue 23, finding 2). Two SendMails whose
// MIME takes the server a long while (tens of megabytes, within every limit) are in progress
// when a FolderSync arrives on another connection: the FolderSync is answered while both
// SendMails are still unanswered. (Before, handlers ran on the two I/O threads: the FolderSync's
// handshake and request waited until a SendMail was done.) Ordering, not a time bound.
#include <gtest/gtest.h>

#include "easemu/common/base64.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/process.hpp"
#include "support/raw_connection.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
namespace wbxml = easemu::wbxml;

constexpr const char* lab_yaml = R"(lab:
  domain: lab.test
  hostname: mail.lab.test
mailboxes:
  - address: alice@lab.test
    password: Passw0rd
policies:
  - Name: Default
    IsDefault: $true
    AllowNonProvisionableDevices: $true
)";

std::string request(const std::string& cmd, const std::string& device, const std::string& body) {
  return "POST /Microsoft-Server-ActiveSync?Cmd=" + cmd + "&User=alice&DeviceId=" + device +
         "&DeviceType=iPhone HTTP/1.1\r\nHost: mail.lab.test\r\nAuthorization: Basic YWxpY2VAbGFiLnRlc3Q6UGFzc3cwcmQ=\r\n"
         "MS-ASProtocolVersion: 14.1\r\nContent-Type: application/vnd.ms-sync.wbxml\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// A SendMail of a message with a text part of `megabytes` MB (base64 lines, as phones send).
std::string big_send_mail(int n, std::size_t megabytes) {
  std::string text;
  text.reserve(megabytes << 20);
  std::string line;
  for (int i = 0; i < 57; ++i) line += static_cast<char>('a' + (i * 7 + n) % 26);
  const auto encoded = easemu::common::base64_encode(line) + "\r\n";
  while (text.size() < (megabytes << 20)) text += encoded;
  const std::string mime = "From: alice@lab.test\r\nTo: alice@lab.test\r\nSubject: big " + std::to_string(n) +
                           "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                           "Content-Transfer-Encoding: base64\r\n\r\n" + text;
  wbxml::element root(wbxml::tag("ComposeMail:SendMail"));
  root.add(wbxml::tag("ComposeMail:ClientId"), "big-" + std::to_string(n));
  root.add(wbxml::element::opaque(wbxml::tag("ComposeMail:Mime"), mime));
  return request("SendMail", "SLOW" + std::to_string(n), *wbxml::encode(root));
}

TEST(SlowRequest, AFolderSyncIsAnsweredWhileTwoHeavySendMailsAreStillInProgress) {
  temp_dir dir;
  write_file(dir / "lab.yaml", lab_yaml);
  test_server server({"--config", (dir / "lab.yaml").string()});
  const auto fs_body = *wbxml::encode(*wbxml::from_xml(R"(<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>)"));
  // A first FolderSync: the mailbox's folders exist, the code paths are warm.
  {
    raw_connection c(server.https_port, true);
    ASSERT_TRUE(c.write(request("FolderSync", "QUICK0", fs_body)));
    ASSERT_TRUE(c.read_response().starts_with("HTTP/1.1 200"));
  }
  const auto a = big_send_mail(1, 24);
  const auto b = big_send_mail(2, 24);
  raw_connection slow1(server.https_port, true, 120'000);
  raw_connection slow2(server.https_port, true, 120'000);
  ASSERT_TRUE(slow1.write(a));
  ASSERT_TRUE(slow2.write(b));

  raw_connection quick(server.https_port, true, 120'000);
  ASSERT_TRUE(quick.write(request("FolderSync", "QUICK1", fs_body)));
  const auto answer = quick.read_response();
  ASSERT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer.substr(0, 40);
  const bool first_done = slow1.answer_waiting();
  const bool second_done = slow2.answer_waiting();
  EXPECT_FALSE(first_done && second_done) << "the FolderSync waited for both SendMails";
  EXPECT_FALSE(first_done || second_done) << "the FolderSync waited for a SendMail";

  // Both are sent in the end.
  EXPECT_TRUE(slow1.read_response().starts_with("HTTP/1.1 200"));
  EXPECT_TRUE(slow2.read_response().starts_with("HTTP/1.1 200"));
}

}  // namespace
