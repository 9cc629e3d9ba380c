#pragma once
// The item side of Sync (MS-ASCMD 2.2.1.21): what a device knows of a collection, what it must
// hear next within its window, SyncKey generations with a replay of the last answer. Pure.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace easemu::mailbox {

// An item as a sync sees it: its id and the version of what the device was sent.
struct item_version {
  std::string id;
  std::int64_t version = 0;
};

struct collection_state {
  std::uint32_t key = 0;  // 0: no sync relationship yet
  std::map<std::string, std::int64_t> known;
  std::uint32_t previous_key = 0;
  std::map<std::string, std::int64_t> previous_known;

  bool operator==(const collection_state&) const = default;
};
std::string serialize(const std::map<std::string, std::int64_t>& known);
std::map<std::string, std::int64_t> parse_known(std::string_view text);

struct sync_request {
  std::optional<std::string_view> client_key;
  bool get_changes = true;  // MS-ASCMD 2.2.3.84: absent means true unless the key is 0
  bool get_changes_given = false;
  std::size_t window = 100;
  // Items that match the filter, newest first, and every item id of the collection (items
  // outside the filter that the device has are soft-deleted).
  std::vector<item_version> current;
  std::set<std::string> existing;
  // Items the device itself changed in this request, at their new versions: not echoed back.
  std::map<std::string, std::int64_t> applied_by_client;
  std::set<std::string> deleted_by_client;
  bool client_commands = false;  // the request carried Commands
};

struct sync_result {
  int status = 1;  // 1 ok, 3 invalid key, 4 protocol error
  std::string sync_key;
  std::vector<std::string> added, changed, deleted, soft_deleted;
  bool more_available = false;
  collection_state state;  // the device's state afterwards
};

// `state` is the device's state before the request; the result's state is what to store.
sync_result sync_collection(const sync_request& request, const collection_state& state);

}  // namespace easemu::mailbox
