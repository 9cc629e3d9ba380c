// Reliability: MIME structure a phone cannot have meant is refused before it is parsed (issue 23,
// finding 2): multiparts nested past 32 levels, more than 2,000 parts or a header block over
// 256 KB get SendMail Status 107 InvalidMIME (MS-ASCMD 2.2.2) at once, and mail within the
// limits is still sent.
#include <gtest/gtest.h>

#include "easemu/common/base64.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/process.hpp"
#include "support/raw_connection.hpp"
#include "support/test_server.hpp"
#include "reliability_lab.hpp"

namespace {

using namespace easemu::test;
namespace wbxml = easemu::wbxml;

constexpr const char* lab_yaml = reliability_lab_yaml;

std::string nested(int depth) {
  std::string head = "From: alice@lab.test\r\nTo: alice@lab.test\r\nSubject: nested\r\n";
  std::string body;
  for (int i = 0; i < depth; ++i) {
    head += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\r\n\r\n--b" + std::to_string(i) + "\r\n";
  }
  body = "Content-Type: text/plain\r\n\r\ndeep\r\n";
  for (int i = depth - 1; i >= 0; --i) body += "--b" + std::to_string(i) + "--\r\n";
  return head + body;
}

std::string siblings(int parts) {
  std::string m = "From: alice@lab.test\r\nTo: alice@lab.test\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary=\"s\"\r\n\r\n";
  for (int i = 0; i < parts; ++i) m += "--s\r\nContent-Type: text/plain\r\n\r\npart " + std::to_string(i) + "\r\n";
  return m + "--s--\r\n";
}

std::string big_header(std::size_t bytes) {
  std::string m = "From: alice@lab.test\r\nTo: alice@lab.test\r\nSubject: x\r\nX-Filler: ";
  for (std::size_t i = 0; i < bytes / 70; ++i) m += std::string(68, 'f') + "\r\n ";
  return m + "end\r\n\r\nbody\r\n";
}

class MimeLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dir_ / "lab.yaml", lab_yaml);
    server_ = std::make_unique<test_server>(std::vector<std::string>{"--config", (dir_ / "lab.yaml").string()});
  }

  // SendMail (14.1) of `mime`: the HTTP response.
  std::string send(const std::string& mime, int n) {
    const auto body = *wbxml::encode(*wbxml::from_xml("<SendMail xmlns=\"ComposeMail:\"><ClientId>limits-" + std::to_string(n) +
                                                      "</ClientId><Mime>" + easemu::common::base64_encode(mime) +
                                                      "</Mime></SendMail>"));
    raw_connection c(server_->https_port, true, 30'000);
    c.write("POST /Microsoft-Server-ActiveSync?Cmd=SendMail&User=alice&DeviceId=MIME1&DeviceType=iPhone HTTP/1.1\r\n"
            "Host: mail.lab.test\r\nAuthorization: Basic YWxpY2VAbGFiLnRlc3Q6UGFzc3cwcmQ=\r\nMS-ASProtocolVersion: 14.1\r\n"
            "Content-Type: application/vnd.ms-sync.wbxml\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    return c.read_response();
  }

  static std::string status(const std::string& response) {
    const auto tree = wbxml::decode(response.substr(response.find("\r\n\r\n") + 4));
    return tree ? std::string(tree->child_text(wbxml::tag("ComposeMail:Status"), "(none)")) : "(no body)";
  }

  temp_dir dir_;
  std::unique_ptr<test_server> server_;
};

TEST_F(MimeLimits, StructurePastTheLimitsIsInvalidMime) {
  int n = 0;
  for (const auto& [what, mime] : std::vector<std::pair<std::string, std::string>>{
           {"100 nested multiparts", nested(100)}, {"3,000 sibling parts", siblings(3000)}, {"a 300 KB header", big_header(300 * 1024)}}) {
    const auto r = send(mime, ++n);
    ASSERT_TRUE(r.starts_with("HTTP/1.1 200")) << what << ": " << r.substr(0, 40);
    EXPECT_EQ(status(r), "107") << what;
  }
  EXPECT_TRUE(server_->logged("MIME structure refused: multiparts nested over 32 levels"));
  EXPECT_TRUE(server_->logged("MIME structure refused: over 2000 body parts"));
  EXPECT_TRUE(server_->logged("MIME structure refused: a header block over 262144 bytes"));
}

TEST_F(MimeLimits, MailWithinTheLimitsIsSent) {
  int n = 10;
  for (const auto& [what, mime] : std::vector<std::pair<std::string, std::string>>{
           {"10 nested multiparts", nested(10)}, {"500 sibling parts", siblings(500)}, {"a 100 KB header", big_header(100 * 1024)}}) {
    const auto r = send(mime, ++n);
    ASSERT_TRUE(r.starts_with("HTTP/1.1 200")) << what << ": " << r.substr(0, 40);
    EXPECT_EQ(status(r), "(no body)") << what << ": SendMail answers success with an empty body";
  }
}

}  // namespace
