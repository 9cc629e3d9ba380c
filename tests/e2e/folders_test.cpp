// End-to-end: the folder hierarchy over TLS (MS-ASCMD FolderSync, FolderCreate, FolderUpdate,
// FolderDelete) for two devices of one mailbox, and across a restart.
#include <gtest/gtest.h>

#include "easemu/client/http_client.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/eas_client.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::client;
namespace wbxml = easemu::wbxml;
using wbxml::tag;

// One device of alice's (the demo Default policy lets it sync without provisioning).
wbxml::element command(const test_server& s, const std::string& device, const std::string& cmd, const std::string& xml) {
  const auto res = eas_client{.port = s.https_port, .device_id = device}.post(cmd, xml);
  EXPECT_EQ(res.status, 200);
  return tree_of(res).value_or(wbxml::element());
}

wbxml::element folder_sync(const test_server& s, const std::string& device, const std::string& key) {
  return command(s, device, "FolderSync",
                 "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>" + key + "</SyncKey></FolderSync>");
}

std::string text(const wbxml::element& e, const char* name) {
  const auto* t = wbxml::find_tag(7, name);
  return t == nullptr ? "" : std::string(e.child_text({t->page, t->token}));
}

// "Add:Inbox/2" etc. for every change, in order.
std::vector<std::string> changes(const wbxml::element& r) {
  std::vector<std::string> out;
  const auto* c = r.child(tag("FolderHierarchy:Changes"));
  if (c == nullptr) return out;
  for (const auto& e : c->children) {
    if (e.name() == "Count") continue;
    out.push_back(std::string(e.name()) + ":" + (e.name() == "Delete" ? text(e, "ServerId") : text(e, "DisplayName") + "/" + text(e, "Type")));
  }
  return out;
}

TEST(Folders, HierarchyForTwoDevicesAndARestart) {
  temp_dir dir;
  const std::vector<std::string> args = {"--data-dir", (dir / "data").string()};
  std::string key_a;
  {
    test_server server(args);
    auto first = folder_sync(server, "PhoneA", "0");
    EXPECT_EQ(text(first, "Status"), "1");
    EXPECT_EQ(text(first, "SyncKey"), "1");
    EXPECT_EQ(first.child(tag("FolderHierarchy:Changes"))->child_text(tag("FolderHierarchy:Count")), "10");
    EXPECT_EQ(changes(first), (std::vector<std::string>{"Add:Inbox/2", "Add:Drafts/3", "Add:Deleted Items/4",
                                                        "Add:Sent Items/5", "Add:Outbox/6", "Add:Tasks/7",
                                                        "Add:Calendar/8", "Add:Contacts/9", "Add:Notes/10",
                                                        "Add:Journal/11"}));
    // Phone A makes a folder under the Inbox.
    auto created = command(server, "PhoneA", "FolderCreate",
                           "<FolderCreate xmlns=\"FolderHierarchy:\"><SyncKey>1</SyncKey><ParentId>1</ParentId>"
                           "<DisplayName>Projects</DisplayName><Type>12</Type></FolderCreate>");
    EXPECT_EQ(text(created, "Status"), "1");
    EXPECT_EQ(text(created, "SyncKey"), "2");
    const auto id = text(created, "ServerId");
    EXPECT_EQ(id, "11");
    // A does not get its own folder back; B, new, gets all eleven.
    EXPECT_TRUE(changes(folder_sync(server, "PhoneA", "2")).empty());
    auto b = folder_sync(server, "PhoneB", "0");
    EXPECT_EQ(changes(b).back(), "Add:Projects/12");
    // A renames it; B hears of it.
    auto renamed = command(server, "PhoneA", "FolderUpdate",
                           "<FolderUpdate xmlns=\"FolderHierarchy:\"><SyncKey>2</SyncKey><ServerId>11</ServerId>"
                           "<ParentId>0</ParentId><DisplayName>Archive</DisplayName></FolderUpdate>");
    EXPECT_EQ(text(renamed, "Status"), "1");
    auto b2 = folder_sync(server, "PhoneB", "1");
    EXPECT_EQ(changes(b2), std::vector<std::string>{"Update:Archive/12"});
    EXPECT_EQ(text(b2, "SyncKey"), "2");
    // System folders stay; unknown keys restart the client.
    auto inbox = command(server, "PhoneA", "FolderDelete",
                         "<FolderDelete xmlns=\"FolderHierarchy:\"><SyncKey>3</SyncKey><ServerId>1</ServerId></FolderDelete>");
    EXPECT_EQ(text(inbox, "Status"), "3");
    EXPECT_EQ(text(folder_sync(server, "PhoneA", "42"), "Status"), "9");
    key_a = text(renamed, "SyncKey");
  }
  // After a restart both keep their state: A deletes, B gets the Delete.
  test_server server(args);
  auto deleted = command(server, "PhoneA", "FolderDelete",
                         "<FolderDelete xmlns=\"FolderHierarchy:\"><SyncKey>" + key_a +
                             "</SyncKey><ServerId>11</ServerId></FolderDelete>");
  EXPECT_EQ(text(deleted, "Status"), "1");
  EXPECT_EQ(changes(folder_sync(server, "PhoneB", "2")), std::vector<std::string>{"Delete:11"});
  // A new folder never takes the deleted one's id.
  auto again = command(server, "PhoneA", "FolderCreate",
                       "<FolderCreate xmlns=\"FolderHierarchy:\"><SyncKey>" + text(deleted, "SyncKey") +
                           "</SyncKey><ParentId>0</ParentId><DisplayName>New</DisplayName><Type>12</Type></FolderCreate>");
  EXPECT_EQ(text(again, "ServerId"), "12");
}

}  // namespace
