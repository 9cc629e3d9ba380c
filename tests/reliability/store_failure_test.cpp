// Reliability: nothing is acknowledged that was not stored (issue 23, finding 3). A store whose
// writes fail (what SQLite answers on a full disk: "database or disk is full") sits under the
// real router in this process; each command whose write fails answers its own server-error
// status (Provision 3, FolderSync 6, Sync 5, the common 110 where a command has none, HTTP 500
// before 14.0), and once the store writes again the same device provisions and syncs.
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <future>

#include "easemu/common/base64.hpp"
#include "easemu/server/router.hpp"
#include "easemu/store/forwarding_store.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"

namespace {

using namespace easemu;
namespace wbxml = easemu::wbxml;
namespace st = easemu::store;
using wbxml::tag;

// Which writes fail: the device's contact (the first write of every request) and the rest.
class failing_store final : public st::forwarding_store {
 public:
  explicit failing_store(std::shared_ptr<st::store> inner) : forwarding_store(std::move(inner)) {}

  std::atomic<bool> fail_contact{false};
  std::atomic<bool> fail_writes{false};
  std::atomic<int> refused{0};

  st::device_record record_device_contact(const std::string& m, const std::string& d, const std::string& t,
                                             const std::string& ua, const std::string& v, std::int64_t now) override {
    if (fail_contact) full();
    return forwarding_store::record_device_contact(m, d, t, ua, v, now);
  }
  bool update_device_provisioning(const std::string& m, const std::string& d,
                                  const st::device_provisioning& s) override {
    check();
    return forwarding_store::update_device_provisioning(m, d, s);
  }
  bool update_device_information(const std::string& m, const std::string& d,
                                 const st::device_information_record& i) override {
    check();
    return forwarding_store::update_device_information(m, d, i);
  }
  void replace_folders(const std::string& m, const std::vector<st::folder_record>& f) override {
    check();
    forwarding_store::replace_folders(m, f);
  }
  void save_hierarchy_state(const std::string& m, const std::string& d, const st::hierarchy_record& s) override {
    check();
    forwarding_store::save_hierarchy_state(m, d, s);
  }
  void put_items(const std::string& m, const std::vector<st::item_record>& items) override {
    check();
    forwarding_store::put_items(m, items);
  }
  void save_collection_state(const std::string& m, const std::string& d, const std::string& c,
                             const st::hierarchy_record& s) override {
    check();
    forwarding_store::save_collection_state(m, d, c, s);
  }
  void set_lab_state(const std::string& k, const std::string& v) override {
    check();
    forwarding_store::set_lab_state(k, v);
  }

 private:
  void check() {
    if (fail_writes) full();
  }
  [[noreturn]] void full() {
    ++refused;
    throw st::store_error("SQL step failed: database or disk is full");
  }
};

class StoreFailure : public ::testing::Test {
 protected:
  StoreFailure() {
    auto memory = std::shared_ptr<st::store>(st::open_memory_store());
    memory->replace_mailboxes({{"alice@lab.test", "Alice", "Passw0rd", "", true}});
    // A policy that asks for provisioning (the 142 a lost acknowledgement leads to), and
    // lets a device that cannot provision sync too.
    memory->replace_policies({{"Default", {{"Name", "Default"}, {"IsDefault", "true"}}}});
    db_ = std::make_shared<failing_store>(memory);
    server::lab_view lab;
    lab.domain = "lab.test";
    lab.hostname = "mail.lab.test";
    lab.netbios_domain = "LAB";
    lab.public_url = "https://mail.lab.test";
    lab.server_build = "14.3.123.4";
    lab.versions = {protocol_version::v2_5,  protocol_version::v12_0, protocol_version::v12_1, protocol_version::v14_0,
                    protocol_version::v14_1, protocol_version::v16_0, protocol_version::v16_1};
    auto log = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
    router_ = std::make_unique<server::router>(lab, db_, "token", log);
  }
  ~StoreFailure() override { router_->shutdown(); }

  // One EAS POST over "TLS" as alice; the answer the router gives.
  server::http_response post(const std::string& cmd, const std::string& version, const std::string& body,
                             const std::string& content_type = "application/vnd.ms-sync.wbxml",
                             const std::string& device = "STOREFAIL1", std::uint32_t policy_key = 0) {
    server::http_request r;
    r.method = "POST";
    r.target = "/Microsoft-Server-ActiveSync?Cmd=" + cmd + "&User=alice&DeviceId=" + device + "&DeviceType=iPhone";
    r.secure = true;
    r.remote_address = "127.0.0.1";
    r.request_id = ++request_id_;
    r.headers.emplace_back("Authorization", "Basic " + common::base64_encode("alice@lab.test:Passw0rd"));
    r.headers.emplace_back("MS-ASProtocolVersion", version);
    r.headers.emplace_back("Content-Type", content_type);
    if (policy_key != 0) r.headers.emplace_back("X-MS-PolicyKey", std::to_string(policy_key));
    r.body = body;
    std::promise<server::http_response> answered;
    auto f = answered.get_future();
    router_->handle(std::move(r), [&answered](server::http_response res) { answered.set_value(std::move(res)); });
    EXPECT_EQ(f.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    return f.get();
  }

  static std::string wbxml_of(const std::string& xml) { return *wbxml::encode(*wbxml::from_xml(xml)); }

  static wbxml::element tree(const server::http_response& r) {
    auto t = wbxml::decode(r.body);
    EXPECT_TRUE(t.has_value()) << "HTTP " << r.status << ", body of " << r.body.size() << " bytes";
    return t ? *t : wbxml::element();
  }

  static std::string provision_request(const std::string& key = "", const std::string& status = "") {
    std::string policy = "<PolicyType>MS-EAS-Provisioning-WBXML</PolicyType>";
    if (!key.empty()) policy += "<PolicyKey>" + key + "</PolicyKey><Status>" + status + "</Status>";
    return wbxml_of("<Provision xmlns=\"Provision:\"><Policies><Policy>" + policy + "</Policy></Policies></Provision>");
  }

  // Both phases of Provision; the final policy key ("" when a phase failed).
  std::string provision(const std::string& version, const std::string& device) {
    auto first = tree(post("Provision", version, provision_request(), "application/vnd.ms-sync.wbxml", device));
    if (first.child_text(tag("Provision:Status")) != "1") return {};
    const auto* policy = first.child(tag("Provision:Policies"))->child(tag("Provision:Policy"));
    const auto temporary = std::string(policy->child_text(tag("Provision:PolicyKey")));
    auto second = tree(post("Provision", version, provision_request(temporary, "1"), "application/vnd.ms-sync.wbxml", device));
    if (second.child_text(tag("Provision:Status")) != "1") return {};
    return std::string(second.child(tag("Provision:Policies"))->child(tag("Provision:Policy"))->child_text(tag("Provision:PolicyKey")));
  }

  std::shared_ptr<failing_store> db_;
  std::unique_ptr<server::router> router_;
  std::uint64_t request_id_ = 0;
};

// The finding: the device was not recorded on a full disk, yet both phases answered Status 1
// with a final key, and FolderSync with that key got 142 once the disk had room again.
TEST_F(StoreFailure, ProvisionOnAFullStoreAnswersGeneralServerErrorAndNoKey) {
  db_->fail_contact = true;
  for (const auto* version : {"14.0", "12.1"}) {
    const auto r = post("Provision", version, provision_request());
    EXPECT_EQ(r.status, 200) << version;
    const auto t = tree(r);
    // MS-ASPROV 2.2.2.54.2: 3 is "General server error"; no Policies, no key.
    EXPECT_EQ(t.child_text(tag("Provision:Status")), "3") << version;
    EXPECT_EQ(t.child(tag("Provision:Policies")), nullptr) << version;
  }
  EXPECT_GE(db_->refused.load(), 2);

  // The acknowledgement phase's own writes failing (the device is known): no final key either.
  db_->fail_contact = false;
  auto first = tree(post("Provision", "14.0", provision_request()));
  ASSERT_EQ(first.child_text(tag("Provision:Status")), "1");
  const auto temporary = std::string(
      first.child(tag("Provision:Policies"))->child(tag("Provision:Policy"))->child_text(tag("Provision:PolicyKey")));
  db_->fail_writes = true;
  auto second = tree(post("Provision", "14.0", provision_request(temporary, "1")));
  EXPECT_EQ(second.child_text(tag("Provision:Status")), "3");
  EXPECT_EQ(second.child(tag("Provision:Policies")), nullptr);

  // Room again: the same device provisions, and its key opens FolderSync.
  db_->fail_writes = false;
  const auto key = provision("14.0", "STOREFAIL1");
  ASSERT_FALSE(key.empty());
  const auto fs = tree(post("FolderSync", "14.0", wbxml_of(R"(<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>)"),
                            "application/vnd.ms-sync.wbxml", "STOREFAIL1", static_cast<std::uint32_t>(std::stoul(key))));
  EXPECT_EQ(fs.child_text(tag("FolderHierarchy:Status")), "1");
}

TEST_F(StoreFailure, FolderSyncSyncAndSendMailAnswerTheirOwnServerErrors) {
  const auto key = static_cast<std::uint32_t>(std::stoul(provision("14.0", "STOREFAIL2")));
  const auto fs_body = wbxml_of(R"(<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>)");
  const auto sync_body = wbxml_of(
      R"(<Sync xmlns="AirSync:"><Collections><Collection><SyncKey>0</SyncKey><CollectionId>1</CollectionId></Collection></Collections></Sync>)");
  const auto mime = std::string("From: alice@lab.test\r\nTo: alice@lab.test\r\nSubject: full disk\r\n\r\nhello\r\n");
  const auto send_body = wbxml_of("<SendMail xmlns=\"ComposeMail:\"><ClientId>full-1</ClientId><SaveInSentItems/><Mime>" +
                                  common::base64_encode(mime) + "</Mime></SendMail>");
  const auto wb = std::string("application/vnd.ms-sync.wbxml");

  // The device's contact write fails: every command answers its own server error.
  db_->fail_contact = true;
  EXPECT_EQ(tree(post("FolderSync", "14.0", fs_body, wb, "STOREFAIL2", key)).child_text(tag("FolderHierarchy:Status")), "6");
  EXPECT_EQ(tree(post("Sync", "14.0", sync_body, wb, "STOREFAIL2", key)).child_text(tag("AirSync:Status")), "5");
  EXPECT_EQ(tree(post("SendMail", "14.0", send_body, wb, "STOREFAIL2", key)).child_text(tag("ComposeMail:Status")), "110");
  db_->fail_contact = false;

  // The command's own writes fail.
  db_->fail_writes = true;
  auto fs = tree(post("FolderSync", "14.0", fs_body, wb, "STOREFAIL2", key));
  // MS-ASCMD 2.2.3.177.5: 6, an error occurred on the server; no SyncKey handed out.
  EXPECT_EQ(fs.child_text(tag("FolderHierarchy:Status")), "6");
  EXPECT_EQ(fs.child(tag("FolderHierarchy:SyncKey")), nullptr);
  db_->fail_writes = false;
  ASSERT_EQ(tree(post("FolderSync", "14.0", fs_body, wb, "STOREFAIL2", key)).child_text(tag("FolderHierarchy:Status")), "1");

  db_->fail_writes = true;
  auto sync = tree(post("Sync", "14.0", sync_body, wb, "STOREFAIL2", key));
  // MS-ASCMD 2.2.3.177.17: 5, server error, at the top level; no collection with a new SyncKey.
  EXPECT_EQ(sync.child_text(tag("AirSync:Status")), "5");
  EXPECT_EQ(sync.child(tag("AirSync:Collections")), nullptr);

  // SendMail has no server error of its own: the common 110 from 14.0 (MS-ASCMD 2.2.2), HTTP 500
  // before (the raw MIME of 12.1).
  const auto refused_before = db_->refused.load();
  auto sent = tree(post("SendMail", "14.0", send_body, wb, "STOREFAIL2", key));
  EXPECT_EQ(sent.child_text(tag("ComposeMail:Status")), "110");
  EXPECT_EQ(post("SendMail&SaveInSent=T", "12.1", mime, "message/rfc822", "STOREFAIL2", key).status, 500);
  EXPECT_GT(db_->refused.load(), refused_before);
  db_->fail_writes = false;
}

}  // namespace
