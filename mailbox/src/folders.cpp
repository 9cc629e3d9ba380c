#include "easemu/mailbox/folders.hpp"

#include <algorithm>
#include <charconv>

#include "keys.hpp"

namespace easemu::mailbox {

namespace {

const folder* find(const std::vector<folder>& all, std::string_view id) {
  for (const auto& f : all) {
    if (f.server_id == id) return &f;
  }
  return nullptr;
}
using detail::next_key;
using detail::parse_key;

// The device saw its own edit: its state moves to a new key that already includes it.
hierarchy_state after_edit(const hierarchy_state& s, const std::vector<folder>& folders) {
  hierarchy_state out;
  out.previous_key = s.key;
  out.previous_known = s.known;
  out.key = next_key(s.key);
  out.known = folders;
  return out;
}

bool is_user_type(int type) { return type == user_generic || (type >= user_mail && type <= user_notes); }

bool name_taken(const std::vector<folder>& all, std::string_view parent, std::string_view name, std::string_view except) {
  return std::any_of(all.begin(), all.end(), [&](const folder& f) {
    return f.parent_id == parent && f.display_name == name && f.server_id != except;
  });
}

// Is `id` `ancestor` or below it?
bool within(const std::vector<folder>& all, std::string id, const std::string& ancestor) {
  for (std::size_t guard = 0; guard <= all.size() && id != "0"; ++guard) {
    if (id == ancestor) return true;
    const auto* f = find(all, id);
    if (f == nullptr) return false;
    id = f->parent_id;
  }
  return false;
}

folder_edit_result check_key(std::optional<std::string_view> client_key, const hierarchy_state& state,
                             const std::vector<folder>& current) {
  folder_edit_result r;
  r.folders = current;
  r.state = state;
  if (!client_key) {
    r.status = 10;
    return r;
  }
  const auto key = parse_key(*client_key);
  // The edit commands need the key the device got last (MS-ASCMD 2.2.3.166.1-3).
  if (!key || *key == 0 || *key != state.key) r.status = 9;
  return r;
}

}  // namespace

std::vector<folder> default_folders() {
  return {{"1", "0", "Inbox", inbox},         {"2", "0", "Drafts", drafts},   {"3", "0", "Deleted Items", deleted_items},
          {"4", "0", "Sent Items", sent_items}, {"5", "0", "Outbox", outbox}, {"6", "0", "Tasks", tasks},
          {"7", "0", "Calendar", calendar},   {"8", "0", "Contacts", contacts}, {"9", "0", "Notes", notes},
          {"10", "0", "Journal", journal}};
}

bool is_default_folder(const folder& f) { return f.type >= inbox && f.type <= journal; }

std::string serialize(const std::vector<folder>& folders) {
  std::string out;
  for (const auto& f : folders) {
    out += f.server_id + '\t' + f.parent_id + '\t' + std::to_string(f.type) + '\t' + f.display_name + '\n';
  }
  return out;
}

std::vector<folder> parse_folders(std::string_view text) {
  std::vector<folder> out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    std::string_view parts[4];
    for (int i = 0; i < 3; ++i) {
      const auto tab = line.find('\t');
      if (tab == std::string_view::npos) return out;  // damaged: what parsed so far
      parts[i] = line.substr(0, tab);
      line.remove_prefix(tab + 1);
    }
    parts[3] = line;
    int type = 0;
    std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(), type);
    out.push_back({std::string(parts[0]), std::string(parts[1]), std::string(parts[3]), type});
  }
  return out;
}

folder_changes diff(const std::vector<folder>& known, const std::vector<folder>& current) {
  folder_changes c;
  for (const auto& f : current) {
    const auto* before = find(known, f.server_id);
    if (before == nullptr) {
      c.added.push_back(f);
    } else if (!(*before == f)) {
      c.updated.push_back(f);
    }
  }
  for (const auto& f : known) {
    if (find(current, f.server_id) == nullptr) c.deleted.push_back(f.server_id);
  }
  // Parents before children, so a client can place every Add (MS-ASCMD 2.2.3.7.2: ParentId must
  // name a folder the client has).
  auto depth = [&](const folder& f) {
    std::size_t d = 0;
    for (const folder* p = &f; p != nullptr && p->parent_id != "0" && d <= current.size(); ++d) p = find(current, p->parent_id);
    return d;
  };
  std::stable_sort(c.added.begin(), c.added.end(), [&](const folder& a, const folder& b) { return depth(a) < depth(b); });
  return c;
}

folder_sync_result folder_sync(std::optional<std::string_view> client_key, const hierarchy_state& state,
                               const std::vector<folder>& current) {
  folder_sync_result r;
  r.state = state;
  if (!client_key) {
    r.status = 10;
    return r;
  }
  const auto key = parse_key(*client_key);
  if (!key || (*key != 0 && *key != state.key && *key != state.previous_key) || (*key != 0 && state.key == 0)) {
    r.status = 9;  // the client must start again with 0
    return r;
  }
  if (*key == 0) {
    // MS-ASCMD 2.2.3.166.4: key 0 asks for the whole hierarchy.
    r.changes.added = diff({}, current).added;
    r.state = hierarchy_state{1, current, 0, {}};
    r.sync_key = "1";
    return r;
  }
  if (*key == state.previous_key && *key != state.key) {
    // The device lost our last answer: answer again from where it was, with the key it missed.
    r.changes = diff(state.previous_known, current);
    r.state.known = current;
    r.sync_key = std::to_string(state.key);
    return r;
  }
  r.changes = diff(state.known, current);
  if (r.changes.count() == 0) {
    r.sync_key = std::to_string(state.key);
    return r;
  }
  r.state = hierarchy_state{next_key(state.key), current, state.key, state.known};
  r.sync_key = std::to_string(r.state.key);
  return r;
}

folder_edit_result create_folder(std::optional<std::string_view> client_key, const hierarchy_state& state,
                                 const std::vector<folder>& current, std::string_view parent_id,
                                 std::string_view display_name, std::optional<int> type, std::string new_id) {
  auto r = check_key(client_key, state, current);
  if (r.status != 1) return r;
  if (display_name.empty() || !type || !is_user_type(*type) || parent_id.empty()) {
    r.status = 10;
    return r;
  }
  if (parent_id != "0" && find(current, parent_id) == nullptr) {
    r.status = 5;
    return r;
  }
  if (name_taken(current, parent_id, display_name, {})) {
    r.status = 2;
    return r;
  }
  r.folders.push_back({std::move(new_id), std::string(parent_id), std::string(display_name), *type});
  r.server_id = r.folders.back().server_id;
  r.state = after_edit(state, r.folders);
  r.sync_key = std::to_string(r.state.key);
  return r;
}

folder_edit_result update_folder(std::optional<std::string_view> client_key, const hierarchy_state& state,
                                 const std::vector<folder>& current, std::string_view server_id,
                                 std::string_view parent_id, std::string_view display_name) {
  auto r = check_key(client_key, state, current);
  if (r.status != 1) return r;
  if (server_id.empty() || display_name.empty() || parent_id.empty()) {
    r.status = 10;
    return r;
  }
  auto it = std::find_if(r.folders.begin(), r.folders.end(), [&](const folder& f) { return f.server_id == server_id; });
  if (it == r.folders.end()) {
    r.status = 4;
    return r;
  }
  if (is_default_folder(*it)) {
    r.status = 3;
    return r;
  }
  // The new parent must exist and must not be the folder itself or below it.
  if ((parent_id != "0" && find(current, parent_id) == nullptr) || within(current, std::string(parent_id), it->server_id)) {
    r.status = 5;
    return r;
  }
  if (name_taken(current, parent_id, display_name, server_id)) {
    r.status = 2;
    return r;
  }
  it->parent_id = std::string(parent_id);
  it->display_name = std::string(display_name);
  r.state = after_edit(state, r.folders);
  r.sync_key = std::to_string(r.state.key);
  return r;
}

folder_edit_result delete_folder(std::optional<std::string_view> client_key, const hierarchy_state& state,
                                 const std::vector<folder>& current, std::string_view server_id) {
  auto r = check_key(client_key, state, current);
  if (r.status != 1) return r;
  const auto* target = find(current, server_id);
  if (target == nullptr) {
    r.status = 4;
    return r;
  }
  if (is_default_folder(*target)) {
    r.status = 3;
    return r;
  }
  // The folder goes with everything below it.
  const std::string gone(server_id);
  std::erase_if(r.folders, [&](const folder& f) { return within(current, f.server_id, gone); });
  r.state = after_edit(state, r.folders);
  r.sync_key = std::to_string(r.state.key);
  return r;
}

}  // namespace easemu::mailbox
