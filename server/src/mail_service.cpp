#include "easemu/server/mail_service.hpp"

#include <algorithm>
#include <cstdlib>

#include "easemu/mailbox/message.hpp"
#include "easemu/server/commands/folders.hpp"
#include "easemu/store/store.hpp"

namespace easemu::server {

mail_service::mail_service(std::shared_ptr<store::store> store, folder_service& folders, std::shared_ptr<spdlog::logger> log)
    : store_(std::move(store)), folders_(folders), log_(std::move(log)) {}

std::string mail_service::next_item_id(const std::string& mailbox, const std::string& folder_id) {
  const auto key = "item_seq:" + mailbox;
  long long next = 1;
  if (const auto v = store_->get_lab_state(key)) next = std::max(next, std::atoll(v->c_str()));
  store_->set_lab_state(key, std::to_string(next + 1));
  return folder_id + ":" + std::to_string(next);
}

mailbox::collection_state mail_service::collection_state(const std::string& mailbox, const std::string& device,
                                                         const std::string& collection) const {
  const auto r = store_->find_collection_state(mailbox, device, collection);
  if (!r) return {};
  return {static_cast<std::uint32_t>(r->key), mailbox::parse_known(r->known), static_cast<std::uint32_t>(r->previous_key),
          mailbox::parse_known(r->previous_known)};
}

bool mail_service::has_changes(const std::string& mailbox, const std::string& device_id, const std::string& folder_id) {
  auto lock = lock_items();
  const auto state = collection_state(mailbox, device_id, folder_id);
  if (state.key == 0) return false;
  const auto items = store_->list_items(mailbox, folder_id);
  if (items.size() != state.known.size()) return true;
  return std::any_of(items.begin(), items.end(), [&](const store::item_summary& i) {
    const auto k = state.known.find(i.item_id);
    return k == state.known.end() || k->second != i.version;
  });
}

mail_service::delivery mail_service::deliver(const std::string& mailbox, const std::string& folder_id,
                                             const std::string& mime, bool read, std::int64_t received_ms) {
  delivery d;
  const auto parsed = mailbox::parse_message(mime);
  if (!parsed) {
    d.error = "the body is not an RFC 822 message";
    return d;
  }
  {
    auto lock = lock_items();
    const auto folders = folders_.folders(mailbox);
    const auto it = std::find_if(folders.begin(), folders.end(), [&](const mailbox::folder& f) {
      return folder_id.empty() ? f.type == mailbox::inbox : (f.server_id == folder_id || f.display_name == folder_id);
    });
    if (it == folders.end()) {
      d.error = "no folder '" + folder_id + "' in " + mailbox;
      return d;
    }
    d.folder_id = it->server_id;
    d.item_id = next_item_id(mailbox, d.folder_id);
    store_->put_items(mailbox, {{d.item_id, d.folder_id, 1, received_ms, read, 0, mime, {}}});
  }
  changed(mailbox, {d.folder_id});
  return d;
}

void mail_service::changed(const std::string& mailbox, const std::vector<std::string>& folder_ids) {
  if (!changed_) return;
  for (const auto& f : folder_ids) changed_(mailbox, f);
}

void mail_service::record_outbound(outbound_message message) {
  std::lock_guard lock(outbound_mutex_);
  outbound_.push_back(std::move(message));
  if (outbound_.size() > outbound_cap) outbound_.erase(outbound_.begin());
}

std::vector<mail_service::outbound_message> mail_service::outbound() const {
  std::lock_guard lock(outbound_mutex_);
  return outbound_;
}

}  // namespace easemu::server
