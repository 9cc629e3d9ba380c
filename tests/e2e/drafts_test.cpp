// End-to-end: drafts written by the phone through Sync at 16.0 and 16.1 (MS-ASCMD 2.2.3.7.2,
// MS-ASEMAIL 2.2.2.42 IsDraft, 2.2.2.69 Send; MS-ASAIRS 2.2.2.2 attachment Add, 2.2.2.21
// Delete): create a draft with an attachment, fetch the attachment back, change the draft, send
// it, and find the delivered mail in bob's Inbox with Find.
#include <gtest/gtest.h>

#include <string>

#include "easemu/common/base64.hpp"
#include "easemu/wbxml/codec.hpp"
#include "support/eas_client.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
namespace wbxml = easemu::wbxml;
using wbxml::tag;

const std::string ns = "xmlns=\"AirSync:\" xmlns:email=\"Email:\" xmlns:email2=\"Email2:\" xmlns:airsyncbase=\"AirSyncBase:\"";

struct phone_session {
  eas_client phone;
  std::string key = "0";

  // A Sync of Drafts ("2") with these Commands; the collection's answer.
  wbxml::element sync(const std::string& commands = "", bool get_changes = true) {
    const auto res = phone.post("Sync", "<Sync " + ns + "><Collections><Collection><SyncKey>" + key +
                                            "</SyncKey><CollectionId>2</CollectionId>" +
                                            (key == "0" || !get_changes ? "" : "<GetChanges>1</GetChanges>") +
                                            (commands.empty() ? "" : "<Commands>" + commands + "</Commands>") +
                                            "</Collection></Collections></Sync>");
    EXPECT_EQ(res.status, 200);
    const auto tree = tree_of(res).value_or(wbxml::element());
    const auto* cs = tree.child(tag("AirSync:Collections"));
    const auto* c = cs != nullptr ? cs->child(tag("AirSync:Collection")) : nullptr;
    if (c == nullptr) {
      ADD_FAILURE() << "no Collection: " << wbxml::to_xml(tree, {false, false});
      return {};
    }
    key = std::string(c->child_text(tag("AirSync:SyncKey")));
    return *c;
  }
};

const wbxml::element* response(const wbxml::element& collection, wbxml::tag_id kind) {
  const auto* r = collection.child(tag("AirSync:Responses"));
  return r != nullptr ? r->child(kind) : nullptr;
}

// Everything a fresh device of `phone` gets of a folder, as XML.
std::string folder_xml(const eas_client& phone, const std::string& collection) {
  const auto sync = [&](const std::string& key) {
    return xml_of(phone.post("Sync", "<Sync xmlns=\"AirSync:\"><Collections><Collection><SyncKey>" + key + "</SyncKey><CollectionId>" +
                                         collection + "</CollectionId><WindowSize>512</WindowSize></Collection></Collections></Sync>"));
  };
  sync("0");
  return sync("1");
}

class Drafts : public ::testing::TestWithParam<std::string> {};

TEST_P(Drafts, CreateWithAttachmentChangeSendAndFindAtBob) {
  const auto version = GetParam();
  temp_dir dir;
  write_file(dir / "lab.yaml", "lab:\n  exchange_version: 2019\n");
  test_server server({"--config", (dir / "lab.yaml").string()});
  phone_session alice{eas_client{.port = server.https_port, .device_id = "DRAFT" + version, .version = version}};
  alice.sync();  // key 0
  ASSERT_EQ(alice.key, "1");

  // Add: the properties a client may set; IsDraft is the server's.
  const std::string attachment = "attachment bytes \x01\x02";
  const auto added = alice.sync(
      "<Add><ClientId>draft-1</ClientId><ApplicationData><email:To>bob@lab.test</email:To>"
      "<email:Subject>Draft zebrafinch " + version + "</email:Subject><email:Importance>2</email:Importance>"
      "<airsyncbase:Body><airsyncbase:Type>1</airsyncbase:Type><airsyncbase:Data>First words</airsyncbase:Data></airsyncbase:Body>"
      "<airsyncbase:Attachments><airsyncbase:Add><airsyncbase:ClientId>att-1</airsyncbase:ClientId>"
      "<airsyncbase:DisplayName>notes.txt</airsyncbase:DisplayName><airsyncbase:Method>1</airsyncbase:Method>"
      "<airsyncbase:ContentType>application/octet-stream</airsyncbase:ContentType><airsyncbase:Content>" +
      easemu::common::base64_encode(attachment) + "</airsyncbase:Content></airsyncbase:Add></airsyncbase:Attachments>"
      "</ApplicationData></Add>");
  const auto* add = response(added, tag("AirSync:Add"));
  ASSERT_NE(add, nullptr) << wbxml::to_xml(added, {false, false});
  EXPECT_EQ(add->child_text(tag("AirSync:ClientId")), "draft-1");
  EXPECT_EQ(add->child_text(tag("AirSync:Status")), "1");
  const std::string server_id(add->child_text(tag("AirSync:ServerId")));
  EXPECT_EQ(server_id.substr(0, 2), "2:");
  const auto* att = add->child(tag("AirSync:ApplicationData"))->child(tag("AirSyncBase:Attachments"))->child(tag("AirSyncBase:Attachment"));
  ASSERT_NE(att, nullptr);
  EXPECT_EQ(att->child_text(tag("AirSyncBase:ClientId")), "att-1");
  const std::string file_reference(att->child_text(tag("AirSyncBase:FileReference")));
  EXPECT_EQ(file_reference, server_id + ":0");
  // The device's own Add is not echoed back as a server Add.
  EXPECT_EQ(added.child(tag("AirSync:Commands")), nullptr);

  // The attachment comes back through ItemOperations.
  const auto fetched = tree_of(alice.phone.post(
      "ItemOperations", "<ItemOperations xmlns=\"ItemOperations:\" xmlns:airsyncbase=\"AirSyncBase:\"><Fetch><Store>Mailbox</Store>"
                        "<airsyncbase:FileReference>" + file_reference + "</airsyncbase:FileReference></Fetch></ItemOperations>"));
  ASSERT_TRUE(fetched.has_value());
  const auto* props = fetched->child(tag("ItemOperations:Response"))->child(tag("ItemOperations:Fetch"))->child(tag("ItemOperations:Properties"));
  ASSERT_NE(props, nullptr);
  EXPECT_EQ(props->child_text(tag("ItemOperations:Data")), easemu::common::base64_encode(attachment));

  // Change: a new subject, a Bcc, the attachment deleted. A Change without new attachments is
  // not answered; a Delete of a FileReference the draft does not have is Status 8.
  const auto changed = alice.sync(
      "<Change><ServerId>" + server_id + "</ServerId><ApplicationData><email:Subject>Final zebrafinch " + version +
      "</email:Subject><email2:Bcc>alice@lab.test</email2:Bcc><airsyncbase:Attachments><airsyncbase:Delete>"
      "<airsyncbase:FileReference>" + file_reference + "</airsyncbase:FileReference></airsyncbase:Delete>"
      "</airsyncbase:Attachments></ApplicationData></Change>");
  EXPECT_EQ(response(changed, tag("AirSync:Change")), nullptr) << wbxml::to_xml(changed, {false, false});
  const auto bad = alice.sync(
      "<Change><ServerId>" + server_id + "</ServerId><ApplicationData><airsyncbase:Attachments><airsyncbase:Delete>"
      "<airsyncbase:FileReference>" + server_id + ":5</airsyncbase:FileReference></airsyncbase:Delete>"
      "</airsyncbase:Attachments></ApplicationData></Change>");
  ASSERT_NE(response(bad, tag("AirSync:Change")), nullptr);
  EXPECT_EQ(response(bad, tag("AirSync:Change"))->child_text(tag("AirSync:Status")), "8");

  // A second device sees the draft as the server keeps it: IsDraft 1, the Bcc, no attachment.
  phone_session other{eas_client{.port = server.https_port, .device_id = "OTHER" + version, .version = version}};
  other.sync();
  const auto seen = other.sync();
  const auto* cmds = seen.child(tag("AirSync:Commands"));
  ASSERT_NE(cmds, nullptr);
  const auto* data = cmds->child(tag("AirSync:Add"))->child(tag("AirSync:ApplicationData"));
  EXPECT_EQ(data->child_text(tag("Email:Subject")), "Final zebrafinch " + version);
  EXPECT_EQ(data->child_text(tag("Email2:IsDraft")), "1");
  EXPECT_EQ(data->child_text(tag("Email2:Bcc")), "alice@lab.test");
  EXPECT_EQ(data->child_text(tag("Email:Importance")), "2");
  EXPECT_EQ(data->child(tag("AirSyncBase:Attachments")), nullptr);

  // Send: the draft leaves Drafts (a Delete in the same answer), bob gets it, alice's Sent Items
  // has the copy.
  const auto sent = alice.sync("<Change><ServerId>" + server_id + "</ServerId><email2:Send/></Change>");
  const auto* sent_cmds = sent.child(tag("AirSync:Commands"));
  ASSERT_NE(sent_cmds, nullptr) << wbxml::to_xml(sent, {false, false});
  EXPECT_EQ(sent_cmds->child(tag("AirSync:Delete"))->child_text(tag("AirSync:ServerId")), server_id);

  // bob finds it with Find (16.1), or sees it in his Inbox (16.0).
  const eas_client bob{.port = server.https_port, .user = "bob", .device_id = "BOB" + version, .version = version};
  if (version == "16.1") {
    const auto found = tree_of(bob.post(
        "Find", "<Find xmlns=\"Find:\"><SearchId>0f0e0d0c-0b0a-4908-8706-050403020100</SearchId><ExecuteSearch>"
                "<MailBoxSearchCriterion><Query><FreeText>zebrafinch</FreeText></Query></MailBoxSearchCriterion>"
                "</ExecuteSearch></Find>"));
    ASSERT_TRUE(found.has_value());
    const auto* r = found->child(tag("Find:Response"));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->child_text(tag("Find:Total")), "1");
    const auto* p = r->child(tag("Find:Result"))->child(tag("Find:Properties"));
    EXPECT_EQ(p->child_text(tag("Email:Subject")), "Final zebrafinch 16.1");
    EXPECT_EQ(p->child_text(tag("Find:Preview")), "First words");
    EXPECT_EQ(p->child_text(tag("Find:DisplayBcc")), "");  // recipients never see the Bcc
  }
  EXPECT_NE(folder_xml(bob, "1").find("Final zebrafinch " + version), std::string::npos);
  const auto sent_items = folder_xml(eas_client{.port = server.https_port, .device_id = "SENT" + version, .version = version}, "4");
  EXPECT_NE(sent_items.find("Final zebrafinch " + version), std::string::npos) << sent_items;
  // The draft is gone from Drafts.
  phone_session third{eas_client{.port = server.https_port, .device_id = "THIRD" + version, .version = version}};
  third.sync();
  EXPECT_EQ(third.sync().child(tag("AirSync:Commands")), nullptr);
}

TEST_P(Drafts, TooLargeAttachmentsAndNonDraftAddsAreRefused) {
  const auto version = GetParam();
  temp_dir dir;
  write_file(dir / "lab.yaml", "lab:\n  exchange_version: 2019\n");
  test_server server({"--config", (dir / "lab.yaml").string()});
  phone_session alice{eas_client{.port = server.https_port, .device_id = "BIG" + version, .version = version,
                                 .timeout = std::chrono::seconds(60)}};
  alice.sync();
  const auto big = alice.sync(
      "<Add><ClientId>big</ClientId><ApplicationData><email:Subject>big</email:Subject><airsyncbase:Attachments>"
      "<airsyncbase:Add><airsyncbase:ClientId>a</airsyncbase:ClientId><airsyncbase:DisplayName>big.bin</airsyncbase:DisplayName>"
      "<airsyncbase:Method>1</airsyncbase:Method><airsyncbase:Content>" +
      easemu::common::base64_encode(std::string(10 * 1024 * 1024 + 1, 'z')) +
      "</airsyncbase:Content></airsyncbase:Add></airsyncbase:Attachments></ApplicationData></Add>");
  const auto* add = response(big, tag("AirSync:Add"));
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->child_text(tag("AirSync:Status")), "122");  // AttachmentIsTooLarge (MS-ASCMD 2.2.2)
  EXPECT_EQ(add->child(tag("AirSync:ServerId")), nullptr);

  // An Add into the Inbox is not a draft: Status 6, as before 16.0 everywhere.
  const eas_client inbox_phone{.port = server.https_port, .device_id = "INBOXADD" + version, .version = version};
  inbox_phone.post("Sync", "<Sync xmlns=\"AirSync:\"><Collections><Collection><SyncKey>0</SyncKey><CollectionId>1</CollectionId>"
                           "</Collection></Collections></Sync>");
  const auto res = tree_of(inbox_phone.post(
      "Sync", "<Sync " + ns + "><Collections><Collection><SyncKey>1</SyncKey><CollectionId>1</CollectionId><Commands><Add>"
              "<ClientId>x</ClientId><ApplicationData><email:Subject>no</email:Subject></ApplicationData></Add></Commands>"
              "</Collection></Collections></Sync>"));
  ASSERT_TRUE(res.has_value());
  EXPECT_NE(wbxml::to_xml(*res, {false, false}).find("<Add><ClientId>x</ClientId><Status>6</Status></Add>"), std::string::npos)
      << wbxml::to_xml(*res, {false, false});
}

INSTANTIATE_TEST_SUITE_P(Eas16, Drafts, ::testing::Values("16.0", "16.1"),
                         [](const auto& info) { return info.param == "16.0" ? "v16_0" : "v16_1"; });

TEST(DraftsBefore16, AddToDraftsIsStatus6At141) {
  test_server server;  // 2010SP1
  const eas_client phone{.port = server.https_port, .device_id = "OLDDRAFT", .version = "14.1"};
  phone.post("Sync", "<Sync xmlns=\"AirSync:\"><Collections><Collection><SyncKey>0</SyncKey><CollectionId>2</CollectionId>"
                     "</Collection></Collections></Sync>");
  const auto res = tree_of(phone.post(
      "Sync", "<Sync " + ns + "><Collections><Collection><SyncKey>1</SyncKey><CollectionId>2</CollectionId><Commands><Add>"
              "<ClientId>x</ClientId><ApplicationData><email:Subject>no</email:Subject></ApplicationData></Add></Commands>"
              "</Collection></Collections></Sync>"));
  ASSERT_TRUE(res.has_value());
  EXPECT_NE(wbxml::to_xml(*res, {false, false}).find("<Status>6</Status>"), std::string::npos);
}

}  // namespace
