// End-to-end: SendMail, SmartReply and SmartForward over TLS: delivery to lab mailboxes (Bcc
// included), Sent Items, the outbound log for other recipients, the quoted original of a
// SmartReply, raw MIME for 12.1, and the error statuses.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "easemu/common/base64.hpp"
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
using wbxml::tag;

// The sending phone of `user`; Cmd= and the command's own parameters come last in the query.
client_response post(const test_server& s, const std::string& user, const std::string& query_tail,
                     const std::string& version, const std::string& body, const std::string& content_type) {
  const eas_client phone{.port = s.https_port, .user = user, .device_id = "SEND-" + user, .version = version,
                         .content_type = content_type, .timeout = std::chrono::seconds(20)};
  return phone.post_query("User=" + user + "&DeviceId=" + phone.device_id + "&DeviceType=iPhone&" + query_tail, body);
}

std::string compose(const std::string& root, const std::string& mime, const std::string& extra = "") {
  return wbxml_body("<" + root + " xmlns=\"ComposeMail:\"><ClientId>c-" + std::to_string(mime.size()) + "</ClientId>" + extra +
                  "<Mime>" + easemu::common::base64_encode(mime) + "</Mime></" + root + ">");
}

// Every item of a folder, as (subject, ServerId, body text), by a fresh device of `user`.
std::vector<std::tuple<std::string, std::string, std::string>> folder_items(const test_server& s, const std::string& user,
                                                                            const std::string& folder) {
  static int device = 0;
  const auto dev = "V" + std::to_string(++device);
  const eas_client phone{.port = s.https_port, .user = user, .device_id = dev};
  auto sync = [&](const std::string& key) {
    return tree_of(phone.post("Sync", "<Sync xmlns=\"AirSync:\"><Collections><Collection><SyncKey>" + key +
                                          "</SyncKey><CollectionId>" + folder +
                                          "</CollectionId><WindowSize>512</WindowSize></Collection></Collections></Sync>"))
        .value();
  };
  sync("0");
  const auto all = sync("1");
  std::vector<std::tuple<std::string, std::string, std::string>> out;
  const auto* cmds = all.child(tag("AirSync:Collections"))->child(tag("AirSync:Collection"))->child(tag("AirSync:Commands"));
  if (cmds == nullptr) return out;
  for (const auto& add : cmds->children) {
    const auto* data = add.child(tag("AirSync:ApplicationData"));
    const auto* body = data->child(tag("AirSyncBase:Body"));
    out.emplace_back(std::string(data->child_text(tag("Email:Subject"))), std::string(add.child_text(tag("AirSync:ServerId"))),
                     body != nullptr ? std::string(body->child_text(tag("AirSyncBase:Data"))) : std::string());
  }
  return out;
}

bool has_subject(const std::vector<std::tuple<std::string, std::string, std::string>>& items, const std::string& s) {
  return std::any_of(items.begin(), items.end(), [&](const auto& i) { return std::get<0>(i) == s; });
}

TEST(SendMail, DeliveredToLabMailboxesSentItemsAndTheOutboundLog) {
  test_server server({"--heartbeat-min", "1"});
  const std::string mime =
      "From: Alice Lab <alice@lab.test>\r\nTo: Bob Lab <bob@lab.test>, outside@example.test\r\n"
      "Bcc: alice@lab.test\r\nSubject: Lab meeting\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
      "See you at 3.\r\n";
  auto sent = post(server, "alice", "Cmd=SendMail", "14.1", compose("SendMail", mime, "<SaveInSentItems/>"),
                   "application/vnd.ms-sync.wbxml");
  EXPECT_EQ(sent.status, 200);
  EXPECT_TRUE(sent.body.empty());
  EXPECT_TRUE(has_subject(folder_items(server, "bob", "1"), "Lab meeting"));
  EXPECT_TRUE(has_subject(folder_items(server, "alice", "1"), "Lab meeting"));  // Bcc
  EXPECT_TRUE(has_subject(folder_items(server, "alice", "4"), "Lab meeting"));  // Sent Items
  const auto log = boost::json::parse(admin(server, "GET", "/api/v1/outbound").body);
  EXPECT_EQ(log.at("messages").at(0).at("to").at(0), "outside@example.test");
  EXPECT_EQ(log.at("messages").at(0).at("subject"), "Lab meeting");

  // Bob replies with SmartReply: the original is quoted by the server.
  const auto bob_inbox = folder_items(server, "bob", "1");
  const auto meeting = std::find_if(bob_inbox.begin(), bob_inbox.end(), [](const auto& i) { return std::get<0>(i) == "Lab meeting"; });
  ASSERT_NE(meeting, bob_inbox.end());
  const std::string reply =
      "From: bob@lab.test\r\nTo: alice@lab.test\r\nSubject: Re: Lab meeting\r\nContent-Type: text/plain\r\n\r\nI will be there.\r\n";
  auto replied = post(server, "bob", "Cmd=SmartReply", "14.1",
                      compose("SmartReply", reply, "<Source><FolderId>1</FolderId><ItemId>" + std::get<1>(*meeting) +
                                                       "</ItemId></Source>"),
                      "application/vnd.ms-sync.wbxml");
  EXPECT_EQ(replied.status, 200);
  const auto alice = folder_items(server, "alice", "1");
  const auto re = std::find_if(alice.begin(), alice.end(), [](const auto& i) { return std::get<0>(i) == "Re: Lab meeting"; });
  ASSERT_NE(re, alice.end());
  EXPECT_NE(std::get<2>(*re).find("> See you at 3."), std::string::npos) << std::get<2>(*re);
  // A source that does not exist is ItemNotFound (150).
  auto missing = post(server, "bob", "Cmd=SmartForward", "14.1",
                      compose("SmartForward", reply, "<Source><FolderId>1</FolderId><ItemId>1:999</ItemId></Source>"),
                      "application/vnd.ms-sync.wbxml");
  EXPECT_EQ(xml_of(missing),
            "<SmartForward xmlns=\"ComposeMail:\"><Status>150</Status></SmartForward>");
}

TEST(SendMail, RawMimeFor121AndErrors) {
  test_server server;
  const std::string mime = "From: alice@lab.test\r\nTo: bob@lab.test\r\nSubject: from 12.1\r\n\r\nold style\r\n";
  auto sent = post(server, "alice", "Cmd=SendMail&SaveInSent=T", "12.1", mime, "message/rfc822");
  EXPECT_EQ(sent.status, 200);
  EXPECT_TRUE(has_subject(folder_items(server, "bob", "1"), "from 12.1"));
  EXPECT_TRUE(has_subject(folder_items(server, "alice", "4"), "from 12.1"));
  EXPECT_EQ(post(server, "alice", "Cmd=SendMail", "12.1", "not a message", "message/rfc822").status, 500);
  auto bad = post(server, "alice", "Cmd=SendMail", "14.1", compose("SendMail", "no headers here"),
                  "application/vnd.ms-sync.wbxml");
  EXPECT_EQ(xml_of(bad),
            "<SendMail xmlns=\"ComposeMail:\"><Status>107</Status></SendMail>");
}

}  // namespace
