// End-to-end: Find (MS-ASCMD 2.2.1.2, EAS 16.1) over TLS against a 2019 lab: mailbox search with
// the KQL subset, scope, paging and the error statuses; GAL search with pictures.
#include <gtest/gtest.h>

#include <string>

#include "easemu/wbxml/codec.hpp"
#include "support/admin_client.hpp"
#include "support/eas_client.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
namespace wbxml = easemu::wbxml;
using wbxml::tag;

class FindTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new temp_dir;
    write_file(*dir_ / "lab.yaml", "lab:\n  exchange_version: 2019\n");
    server_ = new test_server({"--config", (*dir_ / "lab.yaml").string()});
    const auto put = [](const std::string& json) { ASSERT_EQ(inject(*server_, "alice@lab.test", json).status, 201) << json; };
    put(R"({"subject": "Zebracorn quarterly report", "cc": "Bob Lab <bob@lab.test>", "text": "The zebracorn numbers are in.",
            "attachments": [{"name": "q.txt", "content_type": "text/plain", "content_base64": "cXVhcnRlcg=="}]})");
    put(R"({"subject": "Zebracorn lunch", "text": "Lunch at noon, zebracorn cafe."})");
    put(R"({"subject": "Unrelated", "text": "budget zebracorn in the body only"})");
    put(R"({"subject": "Long one", "text": ")" + std::string(1000, 'x') + R"(", "folder": "Sent Items"})");
    for (int i = 0; i < 5; ++i) put(R"({"subject": "Pagingword )" + std::to_string(i) + R"(", "text": "page"})");
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }

  static wbxml::element find(const std::string& criterion, const std::string& search_id = "1b0e4b8a-6c5f-4d2e-9a3b-7c8d9e0f1a2b") {
    const eas_client phone{.port = server_->https_port, .device_id = "FINDPHONE", .version = "16.1"};
    const auto res = phone.post("Find", "<Find xmlns=\"Find:\" xmlns:airsync=\"AirSync:\"><SearchId>" + search_id +
                                            "</SearchId><ExecuteSearch>" + criterion + "</ExecuteSearch></Find>");
    EXPECT_EQ(res.status, 200);
    return tree_of(res).value_or(wbxml::element());
  }
  static std::string mail(const std::string& free_text, const std::string& extra_query = "", const std::string& options = "") {
    return "<MailBoxSearchCriterion><Query><airsync:Class>Email</airsync:Class>" + extra_query + "<FreeText>" + free_text +
           "</FreeText></Query><Options>" + options + "</Options></MailBoxSearchCriterion>";
  }
  static std::vector<const wbxml::element*> results(const wbxml::element& find) {
    std::vector<const wbxml::element*> out;
    if (const auto* r = find.child(tag("Find:Response"))) {
      for (const auto& c : r->children) {
        if (c.tag == tag("Find:Result")) out.push_back(&c);
      }
    }
    return out;
  }
  static std::string response_text(const wbxml::element& find, wbxml::tag_id name) {
    const auto* r = find.child(tag("Find:Response"));
    return r != nullptr ? std::string(r->child_text(name)) : "";
  }
  static std::string prop(const wbxml::element* result, wbxml::tag_id name) {
    const auto* p = result->child(tag("Find:Properties"));
    return p != nullptr ? std::string(p->child_text(name)) : "<none>";
  }

  static inline temp_dir* dir_ = nullptr;
  static inline test_server* server_ = nullptr;
};

TEST_F(FindTest, FreeTextFindsMailWithTheResultProperties) {
  const auto out = find(mail("zebracorn"));
  EXPECT_EQ(status_of(out), "1");
  EXPECT_EQ(response_text(out, tag("ItemOperations:Store")), "Mailbox");
  EXPECT_EQ(response_text(out, tag("Find:Status")), "1");
  EXPECT_EQ(response_text(out, tag("Find:Total")), "3");
  EXPECT_EQ(response_text(out, tag("Find:Range")), "0-2");
  const auto hits = results(out);
  ASSERT_EQ(hits.size(), 3u);
  const wbxml::element* report = nullptr;
  for (const auto* h : hits) {
    EXPECT_EQ(h->child_text(tag("AirSync:Class")), "Email");
    EXPECT_EQ(h->child_text(tag("AirSync:CollectionId")), "1");
    EXPECT_EQ(h->child_text(tag("AirSync:ServerId")).substr(0, 2), "1:");
    if (prop(h, tag("Email:Subject")) == "Zebracorn quarterly report") report = h;
  }
  ASSERT_NE(report, nullptr);
  EXPECT_EQ(prop(report, tag("Find:HasAttachments")), "1");
  EXPECT_EQ(prop(report, tag("Find:DisplayCc")), "Bob Lab");
  EXPECT_EQ(prop(report, tag("Email2:IsDraft")), "0");
  EXPECT_EQ(prop(report, tag("Email:Read")), "0");
  EXPECT_EQ(prop(report, tag("Find:Preview")), "The zebracorn numbers are in.");
  for (const auto* h : hits) {
    if (h != report) {
      EXPECT_EQ(prop(h, tag("Find:HasAttachments")), "0");
    }
  }
}

TEST_F(FindTest, TheKqlSubset) {
  EXPECT_EQ(response_text(find(mail("subject:zebracorn")), tag("Find:Total")), "2");
  EXPECT_EQ(response_text(find(mail("subject:\"zebracorn quarterly\"")), tag("Find:Total")), "1");
  EXPECT_EQ(response_text(find(mail("zebracorn AND lunch")), tag("Find:Total")), "1");
  EXPECT_EQ(response_text(find(mail("zebracorn budget")), tag("Find:Total")), "1");
  EXPECT_EQ(response_text(find(mail("body:budget")), tag("Find:Total")), "1");
  EXPECT_EQ(response_text(find(mail("subject:budget")), tag("Find:Total")), "0");
  // Outside the subset: Status 2, no Response.
  for (const auto* q : {"zebracorn OR lunch", "NOT lunch", "zebra*", "(zebracorn)", "received&gt;2020-01-01",
                        "hasattachment:true", "-lunch", "\"unterminated", ""}) {
    const auto out = find(mail(q));
    EXPECT_EQ(status_of(out), "2") << q;
    EXPECT_EQ(out.child(tag("Find:Response")), nullptr) << q;
  }
}

TEST_F(FindTest, PreviewIsAtMost255CharactersAndScopeFollowsCollectionId) {
  // Sent Items ("4") alone: only the long message.
  const auto sent = find(mail("xxxxx", "<airsync:CollectionId>4</airsync:CollectionId>"));
  ASSERT_EQ(results(sent).size(), 1u);
  EXPECT_EQ(prop(results(sent)[0], tag("Find:Preview")), std::string(255, 'x'));
  EXPECT_EQ(response_text(find(mail("zebracorn", "<airsync:CollectionId>4</airsync:CollectionId>")), tag("Find:Total")), "0");
  // A folder the device does not know: FolderSync required.
  EXPECT_EQ(status_of(find(mail("zebracorn", "<airsync:CollectionId>999</airsync:CollectionId>"))), "3");
  // DeepTraversal of the Inbox finds what the Inbox has.
  EXPECT_EQ(response_text(find(mail("zebracorn", "<airsync:CollectionId>1</airsync:CollectionId>", "<DeepTraversal/>")),
                          tag("Find:Total")),
            "3");
  // Only the Email class.
  EXPECT_EQ(status_of(find("<MailBoxSearchCriterion><Query><airsync:Class>Contacts</airsync:Class><FreeText>x</FreeText>"
                           "</Query></MailBoxSearchCriterion>")),
            "2");
}

TEST_F(FindTest, RangeAndTotalPageThroughOneSearch) {
  const std::string id = "aaaaaaaa-0000-4000-8000-000000000001";
  const auto first = find(mail("pagingword", "", "<Range>0-1</Range>"), id);
  EXPECT_EQ(response_text(first, tag("Find:Range")), "0-1");
  EXPECT_EQ(response_text(first, tag("Find:Total")), "5");
  EXPECT_EQ(results(first).size(), 2u);
  const auto last = find(mail("pagingword", "", "<Range>4-9</Range>"), id);
  EXPECT_EQ(response_text(last, tag("Find:Status")), "1");
  EXPECT_EQ(response_text(last, tag("Find:Range")), "4-4");
  EXPECT_EQ(results(last).size(), 1u);
  // A new search must start at 0 (Status 4 in the Response).
  const auto fresh = find(mail("pagingword", "", "<Range>2-3</Range>"), "aaaaaaaa-0000-4000-8000-000000000002");
  EXPECT_EQ(status_of(fresh), "1");
  EXPECT_EQ(response_text(fresh, tag("Find:Status")), "4");
  EXPECT_TRUE(results(fresh).empty());
  // Bad requests: Status 2.
  EXPECT_EQ(status_of(find(mail("pagingword", "", "<Range>9-2</Range>"))), "2");
  EXPECT_EQ(status_of(find(mail("pagingword"), "not-a-guid")), "2");
  EXPECT_EQ(status_of(find("")), "2");
}

TEST_F(FindTest, GalSearchWithPictures) {
  const auto out = find("<GalSearchCriterion><Query><FreeText>bob</FreeText></Query><Options><Range>0-9</Range>"
                        "<Picture><MaxSize>102400</MaxSize><MaxPictures>1</MaxPictures></Picture></Options>"
                        "</GalSearchCriterion>");
  EXPECT_EQ(status_of(out), "1");
  EXPECT_EQ(response_text(out, tag("ItemOperations:Store")), "GAL");
  const auto hits = results(out);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(prop(hits[0], tag("GAL:EmailAddress")), "bob@lab.test");
  // The lab has no photos: NoPicture (173).
  const auto* picture = hits[0]->child(tag("Find:Properties"))->child(tag("GAL:Picture"));
  ASSERT_NE(picture, nullptr);
  EXPECT_EQ(picture->child_text(tag("GAL:Status")), "173");
  // MaxPictures 0: the limit is reached at once (175).
  const auto none = find("<GalSearchCriterion><Query><FreeText>alice</FreeText></Query><Options>"
                         "<Picture><MaxPictures>0</MaxPictures></Picture></Options></GalSearchCriterion>");
  ASSERT_FALSE(results(none).empty());
  EXPECT_EQ(results(none)[0]->child(tag("Find:Properties"))->child(tag("GAL:Picture"))->child_text(tag("GAL:Status")), "175");
  // MaxSize over 102,400 bytes is refused.
  EXPECT_EQ(status_of(find("<GalSearchCriterion><Query><FreeText>bob</FreeText></Query><Options><Picture>"
                           "<MaxSize>102401</MaxSize></Picture></Options></GalSearchCriterion>")),
            "2");
}

TEST_F(FindTest, OnlyIn161) {
  const eas_client phone{.port = server_->https_port, .device_id = "FIND160", .version = "16.0"};
  const auto res = phone.post("Find", "<Find xmlns=\"Find:\"><SearchId>1b0e4b8a-6c5f-4d2e-9a3b-7c8d9e0f1a2b</SearchId></Find>");
  EXPECT_EQ(status_of(res), "137");
}

}  // namespace
