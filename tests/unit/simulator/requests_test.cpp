// The simulated phone's requests (requests.hpp): each tree is the one the XML text the phone used
// to send decodes to (so the bytes on the wire stay the same), and what the encoder refuses is an
// error, never an empty body.
#include "easemu/simulator/requests.hpp"

#include <gtest/gtest.h>

#include <string>

#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"

namespace {

using namespace easemu::simulator;
using easemu::protocol_version;
using easemu::wbxml::element;
using easemu::wbxml::tag;

element xml(const std::string& text) {
  auto tree = easemu::wbxml::from_xml(text);
  EXPECT_TRUE(tree) << tree.error().message();
  return tree ? *tree : element();
}

// Same tree, and the same bytes.
void expect_same(const element& built, const std::string& text) {
  const auto expected = xml(text);
  EXPECT_EQ(built, expected) << easemu::wbxml::to_xml(built) << "\nexpected\n" << text;
  EXPECT_EQ(*easemu::wbxml::encode(built), *easemu::wbxml::encode(expected));
}

easemu::phone::device_profile phone() {
  easemu::phone::device_profile p;
  p.model = "Lumia <920> & co";
  p.friendly_name = "Windows Phone";
  p.device_os = "Windows Phone8.0.10211";
  p.os_language = "English";
  p.user_agent = "MSFT-WP/8.0.10211";
  p.mobile_operator = "Lab Mobile";
  return p;
}

TEST(Requests, FolderSync) {
  expect_same(folder_sync_request("0"), R"(<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>)");
}

TEST(Requests, SyncCarriesClassUpTo121Only) {
  expect_same(sync_request("5", "0", false, protocol_version::v12_1),
              R"(<Sync xmlns="AirSync:"><Collections><Collection><Class>Email</Class><SyncKey>0</SyncKey>)"
              R"(<CollectionId>5</CollectionId></Collection></Collections></Sync>)");
  expect_same(sync_request("5", "{a&b}", true, protocol_version::v14_0),
              R"(<Sync xmlns="AirSync:"><Collections><Collection><SyncKey>{a&amp;b}</SyncKey>)"
              R"(<CollectionId>5</CollectionId><DeletesAsMoves>1</DeletesAsMoves><GetChanges>1</GetChanges>)"
              R"(<WindowSize>25</WindowSize></Collection></Collections></Sync>)");
}

TEST(Requests, AnEmptyKeyIsAnEmptyElement) {
  expect_same(sync_request("5", "", true, protocol_version::v14_1),
              R"(<Sync xmlns="AirSync:"><Collections><Collection><SyncKey></SyncKey>)"
              R"(<CollectionId>5</CollectionId><DeletesAsMoves>1</DeletesAsMoves><GetChanges>1</GetChanges>)"
              R"(<WindowSize>25</WindowSize></Collection></Collections></Sync>)");
  expect_same(provision_acknowledge_request(protocol_version::v14_0, "", 2),
              R"(<Provision xmlns="Provision:"><Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType>)"
              R"(<PolicyKey></PolicyKey><Status>2</Status></Policy></Policies></Provision>)");
}

TEST(Requests, Ping) {
  expect_same(ping_request("5"),
              R"(<Ping xmlns="Ping:"><HeartbeatInterval>480</HeartbeatInterval><Folders><Folder><Id>5</Id>)"
              R"(<Class>Email</Class></Folder></Folders></Ping>)");
}

TEST(Requests, SettingsDeviceInformationGrowsWithTheVersion) {
  expect_same(settings_request(phone(), protocol_version::v12_0),
              R"(<Settings xmlns="Settings:"><DeviceInformation><Set><Model>Lumia &lt;920&gt; &amp; co</Model>)"
              R"(<FriendlyName>Windows Phone</FriendlyName><OS>Windows Phone8.0.10211</OS><OSLanguage>English</OSLanguage>)"
              R"(</Set></DeviceInformation></Settings>)");
  auto p = phone();
  p.friendly_name.clear();  // empty values are left out
  expect_same(settings_request(p, protocol_version::v14_0),
              R"(<Settings xmlns="Settings:"><DeviceInformation><Set><Model>Lumia &lt;920&gt; &amp; co</Model>)"
              R"(<OS>Windows Phone8.0.10211</OS><OSLanguage>English</OSLanguage><UserAgent>MSFT-WP/8.0.10211</UserAgent>)"
              R"(<MobileOperator>Lab Mobile</MobileOperator></Set></DeviceInformation></Settings>)");
}

TEST(Requests, ProvisionDownloadWithAndWithoutDeviceInformation) {
  expect_same(provision_download_request(protocol_version::v2_5, nullptr),
              R"(<Provision xmlns="Provision:"><Policies><Policy><PolicyType>MS-WAP-Provisioning-XML</PolicyType>)"
              R"(</Policy></Policies></Provision>)");
  const auto info = device_information(phone(), protocol_version::v14_1);
  expect_same(provision_download_request(protocol_version::v14_1, &info),
              R"(<Provision xmlns="Provision:" xmlns:settings="Settings:"><settings:DeviceInformation><settings:Set>)"
              R"(<settings:Model>Lumia &lt;920&gt; &amp; co</settings:Model><settings:FriendlyName>Windows Phone</settings:FriendlyName>)"
              R"(<settings:OS>Windows Phone8.0.10211</settings:OS><settings:OSLanguage>English</settings:OSLanguage>)"
              R"(<settings:UserAgent>MSFT-WP/8.0.10211</settings:UserAgent><settings:MobileOperator>Lab Mobile</settings:MobileOperator>)"
              R"(</settings:Set></settings:DeviceInformation><Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType>)"
              R"(</Policy></Policies></Provision>)");
}

TEST(Requests, ProvisionAcknowledgements) {
  expect_same(provision_acknowledge_request(protocol_version::v14_1, "1307199584", 1),
              R"(<Provision xmlns="Provision:"><Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType>)"
              R"(<PolicyKey>1307199584</PolicyKey><Status>1</Status></Policy></Policies></Provision>)");
  expect_same(wipe_acknowledge_request(false, 1),
              R"(<Provision xmlns="Provision:"><RemoteWipe><Status>1</Status></RemoteWipe></Provision>)");
  expect_same(wipe_acknowledge_request(true, 2),
              R"(<Provision xmlns="Provision:"><AccountOnlyRemoteWipe><Status>2</Status></AccountOnlyRemoteWipe></Provision>)");
}

// The 16.x draft requests as MS-ASCMD 2.2.3.7.2 and MS-ASEMAIL 2.2.2.69 lay them out: the
// attachment added inline (MS-ASAIRS 2.2.2.2), no IsDraft from the client (MS-ASEMAIL 2.2.2.42).
TEST(Requests, DraftAddAndSend) {
  outgoing_mail m;
  m.from = "alice@lab.test";
  m.to = "bob@lab.test";
  m.subject = "Q3 & more";
  m.body = "Hello";
  m.attachment_name = "notes.txt";
  m.attachment = "abc";
  expect_same(draft_add_request("2", "1", "c1", m),
              R"(<Sync xmlns="AirSync:" xmlns:email="Email:" xmlns:b="AirSyncBase:"><Collections><Collection>)"
              R"(<SyncKey>1</SyncKey><CollectionId>2</CollectionId><Commands><Add><ClientId>c1</ClientId><ApplicationData>)"
              R"(<email:To>bob@lab.test</email:To><email:Subject>Q3 &amp; more</email:Subject>)"
              R"(<b:Body><b:Type>1</b:Type><b:Data>Hello</b:Data></b:Body>)"
              R"(<b:Attachments><b:Add><b:ClientId>c1-1</b:ClientId><b:DisplayName>notes.txt</b:DisplayName><b:Method>1</b:Method>)"
              R"(<b:ContentType>application/octet-stream</b:ContentType><b:Content>YWJj</b:Content></b:Add></b:Attachments>)"
              R"(</ApplicationData></Add></Commands></Collection></Collections></Sync>)");
  m.attachment_name.clear();
  const auto plain = draft_add_request("2", "1", "c2", m);
  EXPECT_EQ(easemu::wbxml::to_xml(plain).find("Attachments"), std::string::npos);
  expect_same(draft_send_request("2", "2", "2:9"),
              R"(<Sync xmlns="AirSync:" xmlns:email2="Email2:"><Collections><Collection><SyncKey>2</SyncKey>)"
              R"(<CollectionId>2</CollectionId><Commands><Change><ServerId>2:9</ServerId><email2:Send/></Change>)"
              R"(</Commands></Collection></Collections></Sync>)");
}

TEST(Requests, FindAndSearchOfTheMailbox) {
  expect_same(find_request("0f0e0d0c-0b0a-4908-8706-050403020100", "zebra", 50),
              R"(<Find xmlns="Find:" xmlns:airsync="AirSync:"><SearchId>0f0e0d0c-0b0a-4908-8706-050403020100</SearchId>)"
              R"(<ExecuteSearch><MailBoxSearchCriterion><Query><airsync:Class>Email</airsync:Class><FreeText>zebra</FreeText>)"
              R"(</Query><Options><Range>0-49</Range></Options></MailBoxSearchCriterion></ExecuteSearch></Find>)");
  expect_same(search_request("zebra", 10),
              R"(<Search xmlns="Search:" xmlns:airsync="AirSync:"><Store><Name>Mailbox</Name><Query><And>)"
              R"(<airsync:Class>Email</airsync:Class><FreeText>zebra</FreeText></And></Query>)"
              R"(<Options><Range>0-9</Range></Options></Store></Search>)");
}

// SendMail from 14.0 (MS-ASCMD 2.2.1.17): the message travels as opaque Mime, and it is a
// message: the headers, the text and the attachment are in it.
TEST(Requests, SendMailCarriesTheMessageAsOpaqueMime) {
  outgoing_mail m;
  m.from = "alice@lab.test";
  m.to = "bob@lab.test";
  m.subject = "Hello";
  m.body = "Body text";
  m.attachment_name = "a.bin";
  m.attachment = "xyz";
  const auto mime = mime_of(m);
  EXPECT_NE(mime.find("To: bob@lab.test"), std::string::npos) << mime;
  EXPECT_NE(mime.find("Subject: Hello"), std::string::npos) << mime;
  EXPECT_NE(mime.find("Body text"), std::string::npos) << mime;
  EXPECT_NE(mime.find("a.bin"), std::string::npos) << mime;
  EXPECT_NE(mime.find("eHl6"), std::string::npos) << mime;  // base64 of the attachment
  const auto request = send_mail_request("k1", mime);
  const auto* carried = request.child(tag("ComposeMail:Mime"));
  ASSERT_NE(carried, nullptr);
  EXPECT_EQ(carried->kind, easemu::wbxml::content_kind::opaque);
  EXPECT_EQ(carried->value, mime);
  EXPECT_EQ(request.child_text(tag("ComposeMail:ClientId")), "k1");
  EXPECT_NE(request.child(tag("ComposeMail:SaveInSentItems")), nullptr);
  // The bytes decode back to the same tree.
  EXPECT_EQ(*easemu::wbxml::decode(*encode_request(request)), request);
}

TEST(Requests, WhatTheEncoderRefusesIsAnErrorNotAnEmptyBody) {
  // A server may send a key as OPAQUE bytes with a NUL in them; text cannot carry it back.
  const auto bytes = encode_request(sync_request("5", std::string("1\0" "2", 3), true, protocol_version::v14_1));
  ASSERT_FALSE(bytes);
  EXPECT_NE(bytes.error().message.find("Sync request"), std::string::npos) << bytes.error().message;
  EXPECT_NE(bytes.error().message.find("NUL"), std::string::npos) << bytes.error().message;
  const auto good = encode_request(folder_sync_request("0"));
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, *easemu::wbxml::encode(folder_sync_request("0")));
}

}  // namespace
