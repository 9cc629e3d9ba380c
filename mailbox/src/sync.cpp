#include "easemu/mailbox/sync.hpp"

#include <charconv>

#include "keys.hpp"

namespace easemu::mailbox {

namespace {

using detail::next_key;
using detail::parse_key;

}  // namespace

std::string serialize(const std::map<std::string, std::int64_t>& known) {
  std::string out;
  for (const auto& [id, version] : known) out += id + '\t' + std::to_string(version) + '\n';
  return out;
}

std::map<std::string, std::int64_t> parse_known(std::string_view text) {
  std::map<std::string, std::int64_t> out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const auto line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    const auto tab = line.find('\t');
    if (tab == std::string_view::npos) continue;
    std::int64_t v = 0;
    std::from_chars(line.data() + tab + 1, line.data() + line.size(), v);
    out.emplace(std::string(line.substr(0, tab)), v);
  }
  return out;
}

sync_result sync_collection(const sync_request& request, const collection_state& state) {
  sync_result r;
  r.state = state;
  if (!request.client_key) {
    r.status = 4;
    return r;
  }
  const auto key = parse_key(*request.client_key);
  if (key && *key == 0) {
    // MS-ASCMD 2.2.3.84: GetChanges with SyncKey 0 is a protocol error; otherwise a new
    // relationship with nothing sent yet.
    if (request.get_changes_given && request.get_changes) {
      r.status = 4;
      return r;
    }
    r.state = collection_state{1, {}, 0, {}};
    r.sync_key = "1";
    return r;
  }
  const bool current_key = key && state.key != 0 && *key == state.key;
  const bool replay = key && state.key != 0 && state.previous_key != 0 && *key == state.previous_key && !current_key;
  if (!current_key && !replay) {
    r.status = 3;  // the client starts over with 0 (MS-ASCMD 2.2.3.177.17)
    return r;
  }
  // A replay answers from where the device was before our lost answer.
  auto known = replay ? state.previous_known : state.known;
  for (const auto& [id, v] : request.applied_by_client) known[id] = v;
  for (const auto& id : request.deleted_by_client) known.erase(id);

  std::size_t room = request.window;
  if (request.get_changes) {
    std::set<std::string> in_filter;
    for (const auto& item : request.current) in_filter.insert(item.id);
    // Deletions first (they free the device), then changes, then new items newest first.
    for (auto it = known.begin(); it != known.end();) {
      if (in_filter.count(it->first) != 0) {
        ++it;
        continue;
      }
      if (room == 0) {
        r.more_available = true;
        break;
      }
      --room;
      (request.existing.count(it->first) != 0 ? r.soft_deleted : r.deleted).push_back(it->first);
      it = known.erase(it);
    }
    for (const auto& item : request.current) {
      const auto k = known.find(item.id);
      if (k == known.end() || k->second == item.version) continue;
      if (room == 0) {
        r.more_available = true;
        break;
      }
      --room;
      r.changed.push_back(item.id);
      k->second = item.version;
    }
    for (const auto& item : request.current) {
      if (known.count(item.id) != 0) continue;
      if (room == 0) {
        r.more_available = true;
        break;
      }
      --room;
      r.added.push_back(item.id);
      known.emplace(item.id, item.version);
    }
  }
  const bool anything = !r.added.empty() || !r.changed.empty() || !r.deleted.empty() || !r.soft_deleted.empty() ||
                        request.client_commands;
  if (replay) {
    r.state.known = std::move(known);
    r.sync_key = std::to_string(state.key);
    return r;
  }
  if (!anything) {
    r.sync_key = std::to_string(state.key);  // nothing new: the key stays
    return r;
  }
  r.state = collection_state{next_key(state.key), std::move(known), state.key, state.known};
  r.sync_key = std::to_string(r.state.key);
  return r;
}

}  // namespace easemu::mailbox
