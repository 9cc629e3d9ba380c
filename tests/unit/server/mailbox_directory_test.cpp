// Who may log in: the store's mailboxes at each request (mailbox_directory), and the router's
// side of it in process: a mailbox added to the store logs in at once; a removed one gets 401 on
// its next request, and its held Ping ends when provisioning reloads (what the shell, the admin
// API and a lab reset call after they change the store's mailboxes).
#include "easemu/server/mailbox_directory.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string>

#include "easemu/common/base64.hpp"
#include "easemu/server/http.hpp"
#include "easemu/server/provisioning_service.hpp"
#include "easemu/server/router.hpp"
#include "easemu/store/store.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"

namespace {

using namespace easemu;
using namespace easemu::server;

std::shared_ptr<spdlog::logger> quiet_log() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

const store::mailbox_record alice{"alice@lab.test", "Alice", "Passw0rd", "", true};
const store::mailbox_record bob{"bob@lab.test", "Bob", "Secret1", "", true};

http_request with_basic(const std::string& user, const std::string& password) {
  http_request r;
  r.headers.emplace_back("Authorization", "Basic " + common::base64_encode(user + ":" + password));
  return r;
}

class Directory : public ::testing::Test {
 protected:
  Directory() { db->replace_mailboxes({alice, bob}); }

  std::optional<std::string> login(const std::string& user, const std::string& password) {
    auto mb = directory.authenticate(with_basic(user, password));
    return mb ? std::optional(mb->address) : std::nullopt;
  }

  std::shared_ptr<store::store> db = store::open_memory_store();
  mailbox_directory directory{db, "LAB", quiet_log()};
};

// MS-ASHTTP 2.2.1.1.2.2: the user as user@domain, DOMAIN\user or the bare name.
TEST_F(Directory, EveryLogonNameFormFindsTheMailbox) {
  EXPECT_EQ(login("alice@lab.test", "Passw0rd"), "alice@lab.test");
  EXPECT_EQ(login("LAB\\alice", "Passw0rd"), "alice@lab.test");     // the lab's NetBIOS domain
  EXPECT_EQ(login("lab.test\\alice", "Passw0rd"), "alice@lab.test");  // the address's domain
  EXPECT_EQ(login("alice", "Passw0rd"), "alice@lab.test");
  EXPECT_EQ(login("bob", "Secret1"), "bob@lab.test");
}

TEST_F(Directory, NamesAreCaseInsensitivePasswordsAreNot) {
  EXPECT_EQ(login("ALICE@Lab.Test", "Passw0rd"), "alice@lab.test");
  EXPECT_EQ(login("lab\\Alice", "Passw0rd"), "alice@lab.test");
  EXPECT_EQ(login("ALICE", "Passw0rd"), "alice@lab.test");
  EXPECT_EQ(login("alice", "passw0rd"), std::nullopt);
}

TEST_F(Directory, AWrongPasswordAnUnknownUserOrAWrongDomainIsRefused) {
  EXPECT_EQ(login("alice", "Secret1"), std::nullopt);  // bob's password
  EXPECT_EQ(login("alice@lab.test", ""), std::nullopt);
  EXPECT_EQ(login("carol", "Passw0rd"), std::nullopt);
  EXPECT_EQ(login("alice@other.test", "Passw0rd"), std::nullopt);
  EXPECT_EQ(login("OTHER\\alice", "Passw0rd"), std::nullopt);
  EXPECT_FALSE(directory.authenticate(http_request{}));  // no Authorization
  http_request bearer;
  bearer.headers.emplace_back("Authorization", "Bearer abc");
  EXPECT_FALSE(directory.authenticate(bearer));
  EXPECT_FALSE(directory.find_login(""));
}

TEST_F(Directory, ItReadsTheStoreAtEachRequest) {
  EXPECT_EQ(login("carol", "Pw3"), std::nullopt);
  db->replace_mailboxes({alice, {"carol@lab.test", "Carol", "Pw3", "", true}});
  EXPECT_EQ(login("carol", "Pw3"), "carol@lab.test");
  EXPECT_EQ(login("bob", "Secret1"), std::nullopt);
  EXPECT_TRUE(directory.exists("CAROL@lab.test"));
  EXPECT_FALSE(directory.exists("bob@lab.test"));
}

// The router over an in-memory store, EAS requests in, as the listener hands them over.
class LiveMailboxes : public ::testing::Test {
 protected:
  LiveMailboxes() {
    db->replace_mailboxes({alice, bob});
    db->replace_policies({{"Default", {{"Name", "Default"}, {"AllowNonProvisionableDevices", "$true"}, {"IsDefault", "$true"}}}});
    lab_view lab;
    lab.domain = "lab.test";
    lab.hostname = "mail.lab.test";
    lab.netbios_domain = "LAB";
    lab.public_url = "https://mail.lab.test";
    lab.server_build = "14.3.123.4";
    lab.versions = {protocol_version::v14_1};
    r = std::make_unique<router>(lab, db, "token", quiet_log());
    r->set_ready(true);
  }
  ~LiveMailboxes() override { r->shutdown(); }

  // Posts a Ping of the Inbox; the answer lands in `out` (now or when the Ping ends).
  void ping(const std::string& user, const std::string& password, std::shared_ptr<std::optional<http_response>> out) {
    auto body = wbxml::from_xml(
        "<Ping xmlns=\"Ping:\"><HeartbeatInterval>600</HeartbeatInterval><Folders><Folder><Id>1</Id><Class>Email</Class>"
        "</Folder></Folders></Ping>");
    ASSERT_TRUE(body);
    auto req = with_basic(user, password);
    req.method = "POST";
    req.target = "/Microsoft-Server-ActiveSync?Cmd=Ping&User=" + user + "&DeviceId=LIVE1&DeviceType=TestPhone";
    req.headers.emplace_back("MS-ASProtocolVersion", "14.1");
    req.body = *wbxml::encode(*body);
    req.secure = true;
    r->handle(std::move(req), [out](http_response res) { *out = std::move(res); });
  }

  std::shared_ptr<store::store> db = store::open_memory_store();
  std::unique_ptr<router> r;
};

TEST_F(LiveMailboxes, AMailboxAddedToTheStoreLogsInAtOnce) {
  auto before = std::make_shared<std::optional<http_response>>();
  ping("carol@lab.test", "Pw3", before);
  ASSERT_TRUE(*before);
  EXPECT_EQ((*before)->status, 401);

  db->replace_mailboxes({alice, bob, {"carol@lab.test", "Carol", "Pw3", "", true}});
  r->provisioning().reload();
  auto after = std::make_shared<std::optional<http_response>>();
  ping("carol@lab.test", "Pw3", after);
  EXPECT_FALSE(*after);  // authenticated: the Ping waits for the Inbox to change
  EXPECT_TRUE(r->find_login("LAB\\carol"));
}

TEST_F(LiveMailboxes, ARemovedMailboxsHeldPingEndsAndItsNextRequestIs401) {
  auto bobs = std::make_shared<std::optional<http_response>>();
  auto alices = std::make_shared<std::optional<http_response>>();
  ping("bob@lab.test", "Secret1", bobs);
  ping("alice@lab.test", "Passw0rd", alices);
  ASSERT_FALSE(*bobs);  // both held
  ASSERT_FALSE(*alices);

  db->replace_mailboxes({alice});
  r->provisioning().reload();
  // Bob's Ping ends as if its heartbeat had (MS-ASCMD 2.2.3.177.10: Status 1); Alice's waits on.
  ASSERT_TRUE(*bobs);
  EXPECT_EQ((*bobs)->status, 200);
  auto tree = wbxml::decode((*bobs)->body);
  ASSERT_TRUE(tree);
  EXPECT_EQ(wbxml::to_xml(*tree, {.declaration = false, .indent = false}), "<Ping xmlns=\"Ping:\"><Status>1</Status></Ping>");
  EXPECT_FALSE(*alices);

  auto next = std::make_shared<std::optional<http_response>>();
  ping("bob@lab.test", "Secret1", next);
  ASSERT_TRUE(*next);
  EXPECT_EQ((*next)->status, 401);
}

}  // namespace
