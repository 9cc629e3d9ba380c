// End-to-end: Sync of e-mail over TLS: the demo Inbox, 600 injected messages in windows of 100,
// read flags and deletes from the device, body preferences, and a restart in the middle.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>
#include <set>

#include "easemu/common/base64.hpp"
#include "easemu/client/http_client.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/admin_client.hpp"
#include "support/eas_client.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::client;
namespace wbxml = easemu::wbxml;
using wbxml::tag;

wbxml::element eas(const test_server& s, const std::string& user, const std::string& device, const std::string& cmd,
                   const std::string& xml) {
  const auto res = eas_client{.port = s.https_port, .user = user, .device_id = device}.post(cmd, xml);
  EXPECT_EQ(res.status, 200);
  return tree_of(res).value_or(wbxml::element());
}

std::string sync_xml(const std::string& key, const std::string& collection, const std::string& extra = "",
                     const std::string& commands = "") {
  return "<Sync xmlns=\"AirSync:\" xmlns:airsyncbase=\"AirSyncBase:\" xmlns:email=\"Email:\"><Collections><Collection>"
         "<SyncKey>" + key + "</SyncKey><CollectionId>" + collection + "</CollectionId>" + extra +
         (commands.empty() ? "" : "<Commands>" + commands + "</Commands>") + "</Collection></Collections></Sync>";
}

const wbxml::element& collection(const wbxml::element& sync) {
  static const wbxml::element none;
  const auto* cs = sync.child(tag("AirSync:Collections"));
  const auto* c = cs != nullptr ? cs->child(tag("AirSync:Collection")) : nullptr;
  return c != nullptr ? *c : none;
}

std::vector<const wbxml::element*> commands_of(const wbxml::element& sync, const char* kind) {
  std::vector<const wbxml::element*> out;
  const auto* cmds = collection(sync).child(tag("AirSync:Commands"));
  if (cmds == nullptr) return out;
  const auto* t = wbxml::find_tag(0, kind);
  for (const auto& e : cmds->children) {
    if (e.tag == wbxml::tag_id{t->page, t->token}) out.push_back(&e);
  }
  return out;
}

std::string subject_of(const wbxml::element& add) {
  return std::string(add.child(tag("AirSync:ApplicationData"))->child_text(tag("Email:Subject")));
}

TEST(MailSync, DemoInboxWithBodiesAttachmentsAndNonAscii) {
  test_server server;
  auto first = eas(server, "alice", "A1", "Sync", sync_xml("0", "1"));
  EXPECT_EQ(collection(first).child_text(tag("AirSync:Status")), "1");
  EXPECT_EQ(collection(first).child_text(tag("AirSync:SyncKey")), "1");
  auto mail = eas(server, "alice", "A1", "Sync",
                  sync_xml("1", "1", "<Options><airsyncbase:BodyPreference><airsyncbase:Type>2</airsyncbase:Type>"
                                     "<airsyncbase:TruncationSize>200000</airsyncbase:TruncationSize>"
                                     "</airsyncbase:BodyPreference></Options>"));
  const auto adds = commands_of(mail, "Add");
  ASSERT_EQ(adds.size(), 8u);
  EXPECT_EQ(subject_of(*adds.front()), "Action required: certificate renewal");  // newest first
  std::set<std::string> subjects;
  for (const auto* a : adds) subjects.insert(subject_of(*a));
  EXPECT_EQ(subjects.count("Welcome to the easemu lab"), 1u);
  EXPECT_EQ(subjects.count("Gr\xC3\xBC\xC3\x9F" "e aus M\xC3\xBCnchen \xE2\x80\x93 \xE6\x9D\xB1\xE4\xBA\xAC \xE2\x9C\x93"), 1u);
  for (const auto* a : adds) {
    const auto& data = *a->child(tag("AirSync:ApplicationData"));
    const auto* body = data.child(tag("AirSyncBase:Body"));
    ASSERT_NE(body, nullptr);
    EXPECT_EQ(body->child_text(tag("AirSyncBase:Type")), "2");
    if (subject_of(*a) == "Quarterly report") {
      const auto* atts = data.child(tag("AirSyncBase:Attachments"));
      ASSERT_NE(atts, nullptr);
      EXPECT_EQ(atts->children.size(), 2u);
      EXPECT_EQ(atts->children[0].child_text(tag("AirSyncBase:DisplayName")), "report.pdf");
    }
    if (subject_of(*a) == "This week in the lab") {
      EXPECT_EQ(data.child_text(tag("AirSyncBase:NativeBodyType")), "2");
      EXPECT_NE(body->child_text(tag("AirSyncBase:Data")).find("<h1>"), std::string::npos);
    }
    const auto* conversation = data.child(tag("Email2:ConversationId"));
    ASSERT_NE(conversation, nullptr);
    EXPECT_EQ(conversation->value.size(), 16u);
    if (subject_of(*a) == "Action required: certificate renewal") {
      EXPECT_EQ(data.child_text(tag("Email:Importance")), "2");
    }
  }
  // The lunch thread is one conversation.
  std::set<std::string> lunch;
  for (const auto* a : adds) {
    if (subject_of(*a).find("Lunch on Friday?") != std::string::npos) {
      lunch.insert(a->child(tag("AirSync:ApplicationData"))->child(tag("Email2:ConversationId"))->value);
    }
  }
  EXPECT_EQ(lunch.size(), 1u);
  // Plain text, truncated on a character boundary.
  auto again = eas(server, "alice", "A2", "Sync", sync_xml("0", "1"));
  auto text = eas(server, "alice", "A2", "Sync",
                  sync_xml("1", "1", "<WindowSize>8</WindowSize><Options><airsyncbase:BodyPreference><airsyncbase:Type>1"
                                     "</airsyncbase:Type><airsyncbase:TruncationSize>12</airsyncbase:TruncationSize>"
                                     "</airsyncbase:BodyPreference></Options>"));
  for (const auto* a : commands_of(text, "Add")) {
    const auto* body = a->child(tag("AirSync:ApplicationData"))->child(tag("AirSyncBase:Body"));
    EXPECT_LE(body->child_text(tag("AirSyncBase:Data")).size(), 12u);
    EXPECT_EQ(body->child_text(tag("AirSyncBase:Truncated")), "1");
  }
  EXPECT_EQ(collection(eas(server, "alice", "A2", "Sync", sync_xml("77", "1"))).child_text(tag("AirSync:Status")), "3");
  EXPECT_EQ(collection(eas(server, "alice", "A2", "Sync", sync_xml("1", "999"))).child_text(tag("AirSync:Status")), "12");
}

TEST(MailSync, SixHundredMessagesInWindowsReadFlagsDeletesAndARestart) {
  temp_dir dir;
  const std::vector<std::string> args = {"--data-dir", (dir / "data").string()};
  std::string key;
  std::set<std::string> seen;
  {
    test_server server(args);
    for (int i = 0; i < 600; ++i) {
      const auto res = inject(server, "bob@lab.test", "{\"subject\": \"Load " + std::to_string(i) +
                                                          "\", \"text\": \"message " + std::to_string(i) + "\"}");
      ASSERT_EQ(res.status, 201) << res.body;
    }
    eas(server, "bob", "B1", "Sync", sync_xml("0", "1"));
    key = "1";
    // Three windows of 100 now, the rest after a restart.
    for (int round = 0; round < 3; ++round) {
      auto r = eas(server, "bob", "B1", "Sync", sync_xml(key, "1", "<WindowSize>100</WindowSize>"));
      const auto adds = commands_of(r, "Add");
      EXPECT_EQ(adds.size(), 100u);
      EXPECT_NE(collection(r).child(tag("AirSync:MoreAvailable")), nullptr);
      for (const auto* a : adds) EXPECT_TRUE(seen.insert(std::string(a->child_text(tag("AirSync:ServerId")))).second);
      key = std::string(collection(r).child_text(tag("AirSync:SyncKey")));
    }
  }
  test_server server(args);
  int rounds = 0;
  while (true) {
    auto r = eas(server, "bob", "B1", "Sync", sync_xml(key, "1", "<WindowSize>100</WindowSize>"));
    for (const auto* a : commands_of(r, "Add")) {
      EXPECT_TRUE(seen.insert(std::string(a->child_text(tag("AirSync:ServerId")))).second);  // nothing twice
    }
    key = std::string(collection(r).child_text(tag("AirSync:SyncKey")));
    ++rounds;
    if (collection(r).child(tag("AirSync:MoreAvailable")) == nullptr) break;
    ASSERT_LT(rounds, 10);
  }
  EXPECT_EQ(seen.size(), 608u);  // 600 injected and the 8 demo messages
  EXPECT_EQ(rounds, 4);          // 308 left after the restart: 100, 100, 100, 8

  // The device marks one read and deletes another.
  const auto read_id = *seen.begin();
  const auto gone_id = *std::next(seen.begin());
  auto changed = eas(server, "bob", "B1", "Sync",
                     sync_xml(key, "1", "",
                              "<Change><ServerId>" + read_id + "</ServerId><ApplicationData><email:Read>1</email:Read>"
                              "</ApplicationData></Change><Delete><ServerId>" + gone_id + "</ServerId></Delete>"
                              "<Change><ServerId>1:999999</ServerId><ApplicationData><email:Read>1</email:Read>"
                              "</ApplicationData></Change>"));
  EXPECT_EQ(collection(changed).child_text(tag("AirSync:Status")), "1");
  EXPECT_TRUE(commands_of(changed, "Change").empty());  // not echoed
  const auto* responses = collection(changed).child(tag("AirSync:Responses"));
  ASSERT_NE(responses, nullptr);  // only the unknown item is reported
  EXPECT_EQ(responses->children.size(), 1u);
  EXPECT_EQ(responses->children[0].child_text(tag("AirSync:Status")), "8");
  // A second device sees the read flag and not the deleted message, which is in Deleted Items.
  eas(server, "bob", "B2", "Sync", sync_xml("0", "1"));
  std::string key2 = "1";
  std::size_t total = 0;
  bool read_seen = false;
  for (int i = 0; i < 10; ++i) {
    auto r = eas(server, "bob", "B2", "Sync", sync_xml(key2, "1", "<WindowSize>512</WindowSize>"));
    for (const auto* a : commands_of(r, "Add")) {
      ++total;
      EXPECT_NE(a->child_text(tag("AirSync:ServerId")), gone_id);
      if (a->child_text(tag("AirSync:ServerId")) == read_id) {
        read_seen = a->child(tag("AirSync:ApplicationData"))->child_text(tag("Email:Read")) == "1";
      }
    }
    key2 = std::string(collection(r).child_text(tag("AirSync:SyncKey")));
    if (collection(r).child(tag("AirSync:MoreAvailable")) == nullptr) break;
  }
  EXPECT_EQ(total, 607u);
  EXPECT_TRUE(read_seen);
  eas(server, "bob", "B2", "Sync", sync_xml("0", "3"));
  auto trash = eas(server, "bob", "B2", "Sync", sync_xml("1", "3"));
  EXPECT_EQ(commands_of(trash, "Add").size(), 1u);
}

}  // namespace

namespace {

TEST(MailSync, GetItemEstimateAndMoveItems) {
  test_server server;
  const std::string estimate_xml =
      "<GetItemEstimate xmlns=\"GetItemEstimate:\" xmlns:airsync=\"AirSync:\"><Collections><Collection>"
      "<airsync:SyncKey>KEY</airsync:SyncKey><CollectionId>1</CollectionId><airsync:Options><airsync:FilterType>0"
      "</airsync:FilterType></airsync:Options></Collection></Collections></GetItemEstimate>";
  auto estimate = [&](const std::string& key) {
    auto xml = estimate_xml;
    xml.replace(xml.find("KEY"), 3, key);
    return wbxml::to_xml(eas(server, "alice", "E1", "GetItemEstimate", xml), {false, false});
  };
  EXPECT_NE(estimate("0").find("<Status>3</Status>"), std::string::npos);  // not primed
  eas(server, "alice", "E1", "Sync", sync_xml("0", "1"));
  EXPECT_NE(estimate("1").find("<Estimate>8</Estimate>"), std::string::npos);
  EXPECT_NE(estimate("1").find("<Estimate>8</Estimate>"), std::string::npos);  // the key does not advance
  EXPECT_NE(estimate("5").find("<Status>4</Status>"), std::string::npos);
  auto all = eas(server, "alice", "E1", "Sync", sync_xml("1", "1"));
  EXPECT_NE(estimate("2").find("<Estimate>0</Estimate>"), std::string::npos);

  const auto id = std::string(commands_of(all, "Add").front()->child_text(tag("AirSync:ServerId")));
  auto moved = eas(server, "alice", "E1", "MoveItems",
                   "<MoveItems xmlns=\"Move:\"><Move><SrcMsgId>" + id + "</SrcMsgId><SrcFldId>1</SrcFldId>"
                   "<DstFldId>3</DstFldId></Move><Move><SrcMsgId>1:424242</SrcMsgId><SrcFldId>1</SrcFldId>"
                   "<DstFldId>3</DstFldId></Move><Move><SrcMsgId>" + id + "</SrcMsgId><SrcFldId>1</SrcFldId>"
                   "<DstFldId>77</DstFldId></Move></MoveItems>");
  ASSERT_EQ(moved.children.size(), 3u);
  EXPECT_EQ(moved.children[0].child_text(tag("Move:Status")), "3");
  EXPECT_EQ(moved.children[0].child_text(tag("Move:DstMsgId")).substr(0, 2), "3:");
  EXPECT_EQ(moved.children[1].child_text(tag("Move:Status")), "1");
  EXPECT_EQ(moved.children[2].child_text(tag("Move:Status")), "1");  // already moved away
  // The Inbox sync reports it gone; Deleted Items has it.
  auto after = eas(server, "alice", "E1", "Sync", sync_xml("2", "1"));
  ASSERT_EQ(commands_of(after, "Delete").size(), 1u);
  EXPECT_EQ(commands_of(after, "Delete")[0]->child_text(tag("AirSync:ServerId")), id);
}

}  // namespace

namespace {

// alice's request with its query given whole (a command's own parameters such as
// AttachmentName), asking for a multipart answer when `multipart` (MS-ASCMD 2.2.1.10.1).
client_response raw_eas(const test_server& s, const std::string& query, const std::string& version, const std::string& xml,
                        bool multipart) {
  eas_client phone{.port = s.https_port, .version = version};
  if (multipart) phone.headers.emplace_back("MS-ASAcceptMultiPart", "T");
  return phone.post_query(query, wbxml_body(xml));
}

std::uint32_t le32(const std::string& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)]);
  return v;
}

TEST(MailSync, ItemOperationsFetchesItemsAndAttachmentsAndEmptiesFolders) {
  test_server server;
  eas(server, "alice", "IO1", "Sync", sync_xml("0", "1"));
  auto all = eas(server, "alice", "IO1", "Sync", sync_xml("1", "1"));
  std::string report_id, file_ref;
  for (const auto* a : commands_of(all, "Add")) {
    if (subject_of(*a) != "Quarterly report") continue;
    report_id = std::string(a->child_text(tag("AirSync:ServerId")));
    file_ref = std::string(a->child(tag("AirSync:ApplicationData"))->child(tag("AirSyncBase:Attachments"))
                               ->children[0].child_text(tag("AirSyncBase:FileReference")));
  }
  ASSERT_FALSE(report_id.empty());
  const std::string query = "Cmd=ItemOperations&User=alice&DeviceId=IO1&DeviceType=iPhone";
  const std::string ns = "<ItemOperations xmlns=\"ItemOperations:\" xmlns:airsync=\"AirSync:\" xmlns:airsyncbase=\"AirSyncBase:\">";
  // The message itself, as plain text.
  auto fetched = wbxml::decode(raw_eas(server, query, "14.1",
                                       ns + "<Fetch><Store>Mailbox</Store><airsync:CollectionId>1</airsync:CollectionId>"
                                            "<airsync:ServerId>" + report_id + "</airsync:ServerId><Options>"
                                            "<airsyncbase:BodyPreference><airsyncbase:Type>1</airsyncbase:Type>"
                                            "</airsyncbase:BodyPreference></Options></Fetch></ItemOperations>", false).body);
  ASSERT_TRUE(fetched);
  const auto* fetch = fetched->child(tag("ItemOperations:Response"))->child(tag("ItemOperations:Fetch"));
  EXPECT_EQ(fetch->child_text(tag("ItemOperations:Status")), "1");
  const auto* props = fetch->child(tag("ItemOperations:Properties"));
  EXPECT_EQ(props->child_text(tag("Email:Subject")), "Quarterly report");
  EXPECT_NE(props->child(tag("AirSyncBase:Body"))->child_text(tag("AirSyncBase:Data")).find("quarterly report is attached"),
            std::string::npos);
  // The attachment inline (base64) ...
  const std::string attachment_request = ns + "<Fetch><Store>Mailbox</Store><airsyncbase:FileReference>" + file_ref +
                                         "</airsyncbase:FileReference></Fetch></ItemOperations>";
  auto inline_data = wbxml::decode(raw_eas(server, query, "14.1", attachment_request, false).body);
  const auto* p = inline_data->child(tag("ItemOperations:Response"))->child(tag("ItemOperations:Fetch"))
                      ->child(tag("ItemOperations:Properties"));
  EXPECT_EQ(p->child_text(tag("AirSyncBase:ContentType")), "application/pdf");
  const auto pdf = easemu::common::base64_decode(p->child_text(tag("ItemOperations:Data")));
  ASSERT_TRUE(pdf);
  EXPECT_EQ(pdf->rfind("%PDF-1.4", 0), 0u);
  // ... and as a multipart response: part 0 the WBXML, part 1 the bytes.
  auto multi = raw_eas(server, query, "14.1", attachment_request, true);
  EXPECT_EQ(multi.header("Content-Type"), "application/vnd.ms-sync.multipart");
  ASSERT_GE(multi.body.size(), 20u);
  ASSERT_EQ(le32(multi.body, 0), 2u);
  const auto part1 = multi.body.substr(le32(multi.body, 12), le32(multi.body, 16));
  EXPECT_EQ(part1, *pdf);
  auto part0 = wbxml::decode(multi.body.substr(le32(multi.body, 4), le32(multi.body, 8)));
  ASSERT_TRUE(part0);
  EXPECT_NE(wbxml::to_xml(*part0, {false, false}).find("<Part>1</Part>"), std::string::npos);
  // GetAttachment for 12.1.
  auto legacy = raw_eas(server, "Cmd=GetAttachment&User=alice&DeviceId=IO1&DeviceType=iPhone&AttachmentName=" + file_ref,
                        "12.1", "", false);
  EXPECT_EQ(legacy.status, 200);
  EXPECT_EQ(legacy.header("Content-Type"), "application/pdf");
  EXPECT_EQ(legacy.body, *pdf);
  EXPECT_EQ(raw_eas(server, "Cmd=GetAttachment&User=alice&DeviceId=IO1&DeviceType=iPhone&AttachmentName=1:1:9", "12.1", "",
                    false).status, 500);
  // A reference to nothing is Status 15; EmptyFolderContents empties Deleted Items.
  auto missing = wbxml::decode(raw_eas(server, query, "14.1", ns + "<Fetch><Store>Mailbox</Store><airsyncbase:FileReference>"
                                                                "1:404:0</airsyncbase:FileReference></Fetch></ItemOperations>",
                                       false).body);
  EXPECT_NE(wbxml::to_xml(*missing, {false, false}).find("<Status>15</Status>"), std::string::npos);
  eas(server, "alice", "IO1", "MoveItems", "<MoveItems xmlns=\"Move:\"><Move><SrcMsgId>" + report_id +
                                               "</SrcMsgId><SrcFldId>1</SrcFldId><DstFldId>3</DstFldId></Move></MoveItems>");
  auto emptied = wbxml::decode(raw_eas(server, query, "14.1", ns + "<EmptyFolderContents><airsync:CollectionId>3"
                                                                "</airsync:CollectionId></EmptyFolderContents></ItemOperations>",
                                       false).body);
  EXPECT_NE(wbxml::to_xml(*emptied, {false, false}).find("<EmptyFolderContents><Status>1</Status>"), std::string::npos);
  eas(server, "alice", "IO1", "Sync", sync_xml("0", "3"));
  EXPECT_TRUE(commands_of(eas(server, "alice", "IO1", "Sync", sync_xml("1", "3")), "Add").empty());
}

}  // namespace

namespace {

TEST(MailSync, SearchTheGalAndTheMailboxAndResolveRecipients) {
  test_server server;
  const std::string query = "Cmd=Search&User=alice&DeviceId=S1&DeviceType=iPhone";
  auto search = [&](const std::string& store_xml) {
    auto r = wbxml::decode(raw_eas(server, query, "14.1",
                                   "<Search xmlns=\"Search:\" xmlns:airsync=\"AirSync:\"><Store>" + store_xml + "</Store></Search>",
                                   false).body);
    return r ? wbxml::to_xml(*r, {false, false}) : std::string("undecodable");
  };
  const auto gal = search("<Name>GAL</Name><Query>bo</Query><Options><Range>0-9</Range></Options>");
  EXPECT_NE(gal.find("<gal:DisplayName>Bob Lab</gal:DisplayName>"), std::string::npos) << gal;
  EXPECT_NE(gal.find("<gal:EmailAddress>bob@lab.test</gal:EmailAddress>"), std::string::npos);
  EXPECT_NE(gal.find("<Range>0-0</Range><Total>1</Total>"), std::string::npos);
  EXPECT_NE(search("<Name>GAL</Name><Query>lab</Query>").find("<Total>2</Total>"), std::string::npos);  // "Lab" in both names
  EXPECT_NE(search("<Name>GAL</Name><Query>zzz</Query>").find("<Result/><Total>0</Total>"), std::string::npos);
  const auto mail = search("<Name>Mailbox</Name><Query><And><airsync:CollectionId>1</airsync:CollectionId>"
                           "<FreeText>lunch</FreeText></And></Query><Options><Range>0-1</Range></Options>");
  EXPECT_NE(mail.find("<Range>0-1</Range><Total>3</Total>"), std::string::npos) << mail;  // the lunch thread
  EXPECT_NE(mail.find("<email:Subject>Re: Re: Lunch on Friday?</email:Subject>"), std::string::npos);

  auto resolve = wbxml::decode(raw_eas(server, "Cmd=ResolveRecipients&User=alice&DeviceId=S1&DeviceType=iPhone", "14.1",
                                       "<ResolveRecipients xmlns=\"ResolveRecipients:\"><To>bob@lab.test</To><To>Lab</To>"
                                       "<To>nobody@nowhere.test</To></ResolveRecipients>",
                                       false).body);
  ASSERT_TRUE(resolve);
  const auto xml = wbxml::to_xml(*resolve, {false, false});
  EXPECT_NE(xml.find("<To>bob@lab.test</To><Status>1</Status><RecipientCount>1</RecipientCount>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<To>Lab</To><Status>2</Status><RecipientCount>2</RecipientCount>"), std::string::npos);
  EXPECT_NE(xml.find("<To>nobody@nowhere.test</To><Status>4</Status><RecipientCount>0</RecipientCount>"), std::string::npos);
}

}  // namespace

namespace {

TEST(MailSync, EasemuInjectFromFlagsAndFromAFile) {
  test_server server;
  temp_dir dir;
  write_file(dir / "notes.txt", "attached notes\n");
  write_file(dir / "m.eml", "From: robot@example.test\r\nTo: alice@lab.test\r\nSubject: from a file\r\n\r\nraw\r\n");
  const std::string exe = EASEMU_EXE;
  const auto server_flag = exe + " inject --server http://127.0.0.1:" + std::to_string(server.http_port);
  const auto base = server_flag + " --admin-token " + server.admin_token + " --to alice@lab.test";
  auto flags = run(base + " --subject 'Injected' --text 'hello' --count 2 --attach " + shell_quote((dir / "notes.txt").string()));
  EXPECT_EQ(flags.exit_code, 0) << flags.err;
  EXPECT_EQ(std::count(flags.out.begin(), flags.out.end(), '\n'), 2);  // one item id per copy
  auto file = run(base + " --file " + shell_quote((dir / "m.eml").string()) + " --folder Drafts");
  EXPECT_EQ(file.exit_code, 0) << file.err;
  EXPECT_EQ(file.out.rfind("2:", 0), 0u);  // Drafts is folder 2
  EXPECT_EQ(run(server_flag + " --admin-token wrong --to alice@lab.test --subject x").exit_code, 1);
  eas(server, "alice", "INJ", "Sync", sync_xml("0", "1"));
  auto inbox = eas(server, "alice", "INJ", "Sync", sync_xml("1", "1"));
  int injected = 0;
  for (const auto* a : commands_of(inbox, "Add")) {
    if (subject_of(*a) != "Injected") continue;
    ++injected;
    EXPECT_NE(a->child(tag("AirSync:ApplicationData"))->child(tag("AirSyncBase:Attachments")), nullptr);
  }
  EXPECT_EQ(injected, 2);
}

}  // namespace

namespace {

// MS-ASCMD 2.2.3.110.3: MIME (BodyPreference Type 4) only where MIMESupport allows it: 0 never,
// 1 for S/MIME messages, 2 for every message; otherwise the next preference, else plain text.
TEST(MailSync, MimeSupportDecidesWhoGetsMime) {
  test_server server;
  // bob's Inbox gets one signed and one plain message.
  const std::string signed_one =
      "From: alice@lab.test\r\nTo: bob@lab.test\r\nSubject: signed one\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"b1\"\r\n\r\n"
      "--b1\r\nContent-Type: text/plain\r\n\r\nsigned body\r\n"
      "--b1\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "MIIB\r\n--b1--\r\n";
  ASSERT_EQ(inject(server, "bob@lab.test", signed_one, "message/rfc822").status, 201);
  const std::string plain_one = "From: alice@lab.test\r\nTo: bob@lab.test\r\nSubject: plain one\r\n\r\nplain body\r\n";
  ASSERT_EQ(inject(server, "bob@lab.test", plain_one, "message/rfc822").status, 201);

  // For each MIMESupport value, the body type each of the two new messages gets.
  auto bodies = [&](const std::string& device, const std::string& mime_support) {
    eas(server, "bob", device, "Sync", sync_xml("0", "1"));
    const auto sync = eas(server, "bob", device, "Sync",
                          sync_xml("1", "1", "<WindowSize>100</WindowSize><Options>" + mime_support +
                                                 "<airsyncbase:BodyPreference><airsyncbase:Type>4</airsyncbase:Type>"
                                                 "</airsyncbase:BodyPreference></Options>"));
    std::map<std::string, std::pair<std::string, std::string>> out;  // subject -> (type, class)
    for (const auto* a : commands_of(sync, "Add")) {
      const auto& data = *a->child(tag("AirSync:ApplicationData"));
      const auto subject = subject_of(*a);
      if (subject != "signed one" && subject != "plain one") continue;
      const auto* body = data.child(tag("AirSyncBase:Body"));
      out[subject] = {std::string(body->child_text(tag("AirSyncBase:Type"))),
                      std::string(data.child_text(tag("Email:MessageClass")))};
      if (body->child_text(tag("AirSyncBase:Type")) == "4") {
        // MIME is the message's own source.
        EXPECT_NE(body->child_text(tag("AirSyncBase:Data")).find("Subject: " + subject), std::string::npos);
      }
    }
    return out;
  };
  const auto none = bodies("M0", "");
  const auto zero = bodies("M1", "<MIMESupport>0</MIMESupport>");
  const auto smime_only = bodies("M2", "<MIMESupport>1</MIMESupport>");
  const auto all = bodies("M3", "<MIMESupport>2</MIMESupport>");
  using pair = std::pair<std::string, std::string>;
  EXPECT_EQ(none.at("signed one"), pair("1", "IPM.Note.SMIME.MultipartSigned"));
  EXPECT_EQ(none.at("plain one"), pair("1", "IPM.Note"));
  EXPECT_EQ(zero.at("signed one").first, "1");
  EXPECT_EQ(smime_only.at("signed one").first, "4");
  EXPECT_EQ(smime_only.at("plain one").first, "1");
  EXPECT_EQ(all.at("signed one").first, "4");
  EXPECT_EQ(all.at("plain one").first, "4");
}

}  // namespace
