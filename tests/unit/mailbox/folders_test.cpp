// Folder hierarchy synchronization: keys, repeats, and the folder commands' statuses.
#include "easemu/mailbox/folders.hpp"

#include <gtest/gtest.h>

namespace {

using namespace easemu::mailbox;

std::vector<std::string> ids(const std::vector<folder>& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs) out.push_back(f.server_id);
  return out;
}

TEST(Folders, DefaultSetHasExchangesTypes) {
  const auto d = default_folders();
  ASSERT_EQ(d.size(), 10u);
  for (int type = inbox; type <= journal; ++type) {
    EXPECT_EQ(std::count_if(d.begin(), d.end(), [&](const folder& f) { return f.type == type; }), 1) << type;
  }
  EXPECT_EQ(d[0].display_name, "Inbox");
  for (const auto& f : d) EXPECT_EQ(f.parent_id, "0");
  EXPECT_EQ(parse_folders(serialize(d)), d);
}

TEST(FolderSync, InitialThenNothingThenChanges) {
  auto folders = default_folders();
  auto r = folder_sync("0", {}, folders);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.sync_key, "1");
  EXPECT_EQ(r.changes.added.size(), 10u);
  // Nothing changed: the same key, no changes.
  auto again = folder_sync("1", r.state, folders);
  EXPECT_EQ(again.status, 1);
  EXPECT_EQ(again.sync_key, "1");
  EXPECT_EQ(again.changes.count(), 0u);
  EXPECT_EQ(again.state, r.state);
  // Another device added a folder and renamed nothing: one Add, a new key.
  folders.push_back({"11", "1", "Projects", user_mail});
  auto changed = folder_sync("1", r.state, folders);
  EXPECT_EQ(changed.sync_key, "2");
  ASSERT_EQ(changed.changes.added.size(), 1u);
  EXPECT_EQ(changed.changes.added[0].display_name, "Projects");
  // The response was lost: the old key is answered again with the same new key.
  auto repeat = folder_sync("1", changed.state, folders);
  EXPECT_EQ(repeat.sync_key, "2");
  EXPECT_EQ(repeat.changes.added.size(), 1u);
  // Rename and delete.
  folders.back().display_name = "Archive";
  folders.erase(folders.begin() + 9);  // Journal
  auto third = folder_sync("2", changed.state, folders);
  EXPECT_EQ(third.sync_key, "3");
  ASSERT_EQ(third.changes.updated.size(), 1u);
  EXPECT_EQ(third.changes.updated[0].display_name, "Archive");
  EXPECT_EQ(third.changes.deleted, std::vector<std::string>{"10"});
}

TEST(FolderSync, UnknownOrMissingKeys) {
  const auto folders = default_folders();
  EXPECT_EQ(folder_sync("5", {}, folders).status, 9);  // never synced: only 0 is valid
  const auto r = folder_sync("0", {}, folders);
  EXPECT_EQ(folder_sync("7", r.state, folders).status, 9);
  EXPECT_EQ(folder_sync("abc", r.state, folders).status, 9);
  EXPECT_EQ(folder_sync("", r.state, folders).status, 9);
  EXPECT_EQ(folder_sync(std::nullopt, r.state, folders).status, 10);
  // 0 always starts over.
  EXPECT_EQ(folder_sync("0", r.state, folders).sync_key, "1");
}

TEST(FolderSync, ParentsComeBeforeChildren) {
  std::vector<folder> folders = {{"13", "12", "Child", user_mail}, {"12", "11", "Middle", user_mail},
                                 {"11", "0", "Top", user_mail}};
  const auto r = folder_sync("0", {}, folders);
  EXPECT_EQ(ids(r.changes.added), (std::vector<std::string>{"11", "12", "13"}));
}

TEST(FolderCommands, CreateUpdateDeleteAndTheirStatuses) {
  auto start = folder_sync("0", {}, default_folders());
  const auto& s = start.state;
  auto created = create_folder("1", s, default_folders(), "1", "Projects", user_mail, "11");
  ASSERT_EQ(created.status, 1);
  EXPECT_EQ(created.server_id, "11");
  EXPECT_EQ(created.sync_key, "2");
  // The device's next FolderSync does not send its own folder back.
  EXPECT_EQ(folder_sync("2", created.state, created.folders).changes.count(), 0u);
  EXPECT_EQ(create_folder("1", s, created.folders, "1", "Projects", user_mail, "12").status, 2);  // exists
  EXPECT_EQ(create_folder("1", s, default_folders(), "99", "X", user_mail, "12").status, 5);       // no parent
  EXPECT_EQ(create_folder("1", s, default_folders(), "0", "X", inbox, "12").status, 10);           // not a user type
  EXPECT_EQ(create_folder("3", s, default_folders(), "0", "X", user_mail, "12").status, 9);        // stale key
  EXPECT_EQ(create_folder(std::nullopt, s, default_folders(), "0", "X", user_mail, "12").status, 10);

  const auto& s2 = created.state;
  auto renamed = update_folder("2", s2, created.folders, "11", "0", "Archive");
  ASSERT_EQ(renamed.status, 1);
  EXPECT_EQ(renamed.folders.back().display_name, "Archive");
  EXPECT_EQ(renamed.folders.back().parent_id, "0");
  EXPECT_EQ(update_folder("2", s2, created.folders, "1", "0", "Post").status, 3);    // Inbox is a system folder
  EXPECT_EQ(update_folder("2", s2, created.folders, "77", "0", "X").status, 4);
  EXPECT_EQ(update_folder("2", s2, created.folders, "11", "11", "X").status, 5);     // under itself
  EXPECT_EQ(update_folder("2", s2, created.folders, "11", "0", "Inbox").status, 2);

  auto child = create_folder("3", renamed.state, renamed.folders, "11", "2026", user_mail, "12");
  ASSERT_EQ(child.status, 1);
  auto removed = delete_folder("4", child.state, child.folders, "11");
  ASSERT_EQ(removed.status, 1);
  EXPECT_EQ(removed.folders, default_folders());  // the child went with it
  EXPECT_EQ(delete_folder("4", child.state, child.folders, "4").status, 3);
  EXPECT_EQ(delete_folder("4", child.state, child.folders, "99").status, 4);
  EXPECT_EQ(delete_folder("1", child.state, child.folders, "11").status, 9);
}

}  // namespace
