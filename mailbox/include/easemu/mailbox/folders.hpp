#pragma once
// The folder hierarchy of a mailbox and its synchronization with each device (FolderSync,
// FolderCreate, FolderUpdate, FolderDelete; MS-ASCMD 2.2.1.2-2.2.1.6). Pure: the server loads
// the folders and the device's state, calls these, and stores what they return.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace easemu::mailbox {

// MS-ASCMD 2.2.3.186.3 folder types.
enum folder_type : int {
  user_generic = 1,
  inbox = 2,
  drafts = 3,
  deleted_items = 4,
  sent_items = 5,
  outbox = 6,
  tasks = 7,
  calendar = 8,
  contacts = 9,
  notes = 10,
  journal = 11,
  user_mail = 12,
  user_calendar = 13,
  user_contacts = 14,
  user_tasks = 15,
  user_journal = 16,
  user_notes = 17,
};

struct folder {
  std::string server_id;
  std::string parent_id;  // "0": the root
  std::string display_name;
  int type = user_mail;

  bool operator==(const folder&) const = default;
};

// Exchange's default folders (ids "1".."10"), each a child of the root.
std::vector<folder> default_folders();
bool is_default_folder(const folder& f);

// What a device knows of the hierarchy: the key it holds and the folders as of that key, plus
// the previous pair, so a FolderSync repeated with the old key (a lost response) is answered again.
struct hierarchy_state {
  std::uint32_t key = 0;  // 0: the device never synced the hierarchy
  std::vector<folder> known;
  std::uint32_t previous_key = 0;
  std::vector<folder> previous_known;

  bool operator==(const hierarchy_state&) const = default;
};
// One line per folder, tab-separated: what the store keeps.
std::string serialize(const std::vector<folder>& folders);
std::vector<folder> parse_folders(std::string_view text);

struct folder_changes {
  std::vector<folder> added;
  std::vector<folder> updated;
  std::vector<std::string> deleted;
  std::size_t count() const { return added.size() + updated.size() + deleted.size(); }
};
folder_changes diff(const std::vector<folder>& known, const std::vector<folder>& current);

// FolderSync (MS-ASCMD 2.2.1.5; statuses 2.2.3.177.5): 1 ok, 9 unknown key, 10 malformed.
struct folder_sync_result {
  int status = 1;
  std::string sync_key;
  folder_changes changes;
  hierarchy_state state;  // the device's state afterwards
};
folder_sync_result folder_sync(std::optional<std::string_view> client_key, const hierarchy_state& state,
                               const std::vector<folder>& current);

// FolderCreate / FolderUpdate / FolderDelete (MS-ASCMD 2.2.1.3, 2.2.1.6, 2.2.1.4). Status: 1 ok,
// 2 a folder of that name exists in the parent, 3 a default (system) folder, 4 not found,
// 5 parent not found, 9 the key is not the device's current one, 10 malformed.
struct folder_edit_result {
  int status = 1;
  std::string sync_key;
  std::string server_id;            // FolderCreate: the new folder's id
  std::vector<folder> folders;      // the mailbox's folders afterwards
  hierarchy_state state;            // the device's state afterwards
};
folder_edit_result create_folder(std::optional<std::string_view> client_key, const hierarchy_state& state,
                                 const std::vector<folder>& current, std::string_view parent_id,
                                 std::string_view display_name, std::optional<int> type, std::string new_id);
folder_edit_result update_folder(std::optional<std::string_view> client_key, const hierarchy_state& state,
                                 const std::vector<folder>& current, std::string_view server_id,
                                 std::string_view parent_id, std::string_view display_name);
folder_edit_result delete_folder(std::optional<std::string_view> client_key, const hierarchy_state& state,
                                 const std::vector<folder>& current, std::string_view server_id);

}  // namespace easemu::mailbox
