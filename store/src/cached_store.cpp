#include "easemu/store/cached_store.hpp"

#include "easemu/store/forwarding_store.hpp"

#include <map>
#include <mutex>
#include <unordered_map>

namespace easemu::store {

namespace {

// Keys are matched the way the database matches them (COLLATE NOCASE on names and ids).
std::string lower(std::string s) {
  for (auto& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string key_of(const std::string& a, const std::string& b) { return lower(a) + '\n' + lower(b); }
std::string key_of(const std::string& a, const std::string& b, const std::string& c) {
  return lower(a) + '\n' + lower(b) + '\n' + lower(c);
}

// A device's last contact is written at most this often; the remembered record is always current.
constexpr std::int64_t contact_write_interval_ms = 1000;

// The calls it does not override (the journal, the schema version) pass through unchanged.
class cached_store final : public forwarding_store {
 public:
  explicit cached_store(std::shared_ptr<store> inner) : forwarding_store(std::move(inner)) {}
  ~cached_store() override {
    try {
      flush_contacts();
    } catch (...) {
      // Closing: a lost last-contact time is not worth an exception out of a destructor.
    }
  }

  device_record record_device_contact(const std::string& mailbox, const std::string& device_id,
                                      const std::string& device_type, const std::string& user_agent,
                                      const std::string& protocol_version, std::int64_t now_ms) override {
    const auto key = key_of(mailbox, device_id);
    {
      std::lock_guard lock(mutex_);
      auto it = devices_.find(key);
      if (it != devices_.end() && it->second && it->second->device_type == device_type &&
          it->second->user_agent == user_agent && it->second->protocol_version == protocol_version) {
        auto& stored = contact_written_[key];
        if (now_ms >= stored && now_ms - stored < contact_write_interval_ms) {
          it->second->last_seen_ms = std::max(it->second->last_seen_ms, now_ms);
          return *it->second;
        }
      }
    }
    auto record = inner_->record_device_contact(mailbox, device_id, device_type, user_agent, protocol_version, now_ms);
    std::lock_guard lock(mutex_);
    ++generation_;
    devices_[key] = record;
    contact_written_[key] = now_ms;
    return record;
  }

  std::optional<device_record> find_device(const std::string& mailbox, const std::string& device_id) const override {
    return cached(devices_, key_of(mailbox, device_id), [&] { return inner_->find_device(mailbox, device_id); });
  }

  std::vector<device_record> list_devices(const std::optional<std::string>& mailbox) const override {
    auto list = inner_->list_devices(mailbox);
    // Contacts not written yet.
    std::lock_guard lock(mutex_);
    for (auto& d : list) {
      const auto it = devices_.find(key_of(d.mailbox, d.device_id));
      if (it != devices_.end() && it->second) d.last_seen_ms = std::max(d.last_seen_ms, it->second->last_seen_ms);
    }
    return list;
  }

  bool delete_device(const std::string& mailbox, const std::string& device_id) override {
    return write_then_forget([&] { return inner_->delete_device(mailbox, device_id); }, true);
  }

  bool update_device_provisioning(const std::string& mailbox, const std::string& device_id,
                                  const device_provisioning& state) override {
    return write_then_forget([&] { return inner_->update_device_provisioning(mailbox, device_id, state); }, true);
  }

  bool update_device_information(const std::string& mailbox, const std::string& device_id,
                                 const device_information_record& information) override {
    return write_then_forget([&] { return inner_->update_device_information(mailbox, device_id, information); },
                             true);
  }

  bool update_device_access(const std::string& mailbox, const std::string& device_id,
                            const device_access_record& access) override {
    return write_then_forget([&] { return inner_->update_device_access(mailbox, device_id, access); }, true);
  }

  void replace_mailboxes(const std::vector<mailbox_record>& mailboxes) override {
    write_then_forget([&] {
      inner_->replace_mailboxes(mailboxes);
      return true;
    }, true, true);
  }

  std::vector<mailbox_record> list_mailboxes() const override {
    return cached(mailboxes_, std::string(), [&] { return std::optional(inner_->list_mailboxes()); }).value();
  }

  void replace_policies(const std::vector<policy_record>& policies) override {
    inner_->replace_policies(policies);
    std::lock_guard lock(mutex_);
    ++generation_;
    policies_.clear();
  }

  std::vector<policy_record> list_policies() const override {
    return cached(policies_, std::string(), [&] { return std::optional(inner_->list_policies()); }).value();
  }

  std::vector<folder_record> list_folders(const std::string& mailbox) const override {
    return cached(folders_, lower(mailbox), [&] { return std::optional(inner_->list_folders(mailbox)); }).value();
  }

  void replace_folders(const std::string& mailbox, const std::vector<folder_record>& folders) override {
    inner_->replace_folders(mailbox, folders);
    std::lock_guard lock(mutex_);
    ++generation_;
    folders_.erase(lower(mailbox));
  }

  std::optional<hierarchy_record> find_hierarchy_state(const std::string& mailbox,
                                                       const std::string& device_id) const override {
    return cached(hierarchy_, key_of(mailbox, device_id),
                  [&] { return inner_->find_hierarchy_state(mailbox, device_id); });
  }

  void save_hierarchy_state(const std::string& mailbox, const std::string& device_id,
                            const hierarchy_record& state) override {
    inner_->save_hierarchy_state(mailbox, device_id, state);
    std::lock_guard lock(mutex_);
    ++generation_;
    hierarchy_.erase(key_of(mailbox, device_id));
  }

  std::vector<item_summary> list_items(const std::string& mailbox, const std::string& folder_id) const override {
    return cached(items_, key_of(mailbox, folder_id), [&] { return std::optional(inner_->list_items(mailbox, folder_id)); })
        .value();
  }

  std::optional<item_record> find_item(const std::string& mailbox, const std::string& item_id) const override {
    return inner_->find_item(mailbox, item_id);
  }

  void put_items(const std::string& mailbox, const std::vector<item_record>& items) override {
    inner_->put_items(mailbox, items);
    forget_items(mailbox);
  }

  bool delete_item(const std::string& mailbox, const std::string& item_id) override {
    const bool deleted = inner_->delete_item(mailbox, item_id);
    forget_items(mailbox);
    return deleted;
  }

  std::optional<hierarchy_record> find_collection_state(const std::string& mailbox, const std::string& device_id,
                                                        const std::string& collection_id) const override {
    return cached(collections_, key_of(mailbox, device_id, collection_id),
                  [&] { return inner_->find_collection_state(mailbox, device_id, collection_id); });
  }

  void save_collection_state(const std::string& mailbox, const std::string& device_id,
                             const std::string& collection_id, const hierarchy_record& state) override {
    inner_->save_collection_state(mailbox, device_id, collection_id, state);
    std::lock_guard lock(mutex_);
    ++generation_;
    collections_.erase(key_of(mailbox, device_id, collection_id));
  }

  std::optional<std::string> get_lab_state(const std::string& key) const override {
    return cached(lab_state_, key, [&] { return inner_->get_lab_state(key); });
  }

  void set_lab_state(const std::string& key, const std::string& value) override {
    inner_->set_lab_state(key, value);
    std::lock_guard lock(mutex_);
    ++generation_;
    lab_state_.erase(key);
  }

 private:
  template <class T>
  using table = std::unordered_map<std::string, std::optional<T>>;

  // The remembered value, or the inner store's (remembered unless a write happened meanwhile:
  // the generation tells).
  template <class T, class Load>
  std::optional<T> cached(table<T>& t, const std::string& key, Load load) const {
    std::uint64_t seen = 0;
    {
      std::lock_guard lock(mutex_);
      if (auto it = t.find(key); it != t.end()) return it->second;
      seen = generation_;
    }
    std::optional<T> value = load();
    std::lock_guard lock(mutex_);
    if (generation_ == seen) t.emplace(key, value);
    return value;
  }

  // Device writes are rare (provisioning, settings, removal): they drop every remembered device
  // and sync state, and write the pending contacts first so the row's time is not lost.
  template <class Write>
  bool write_then_forget(Write write, bool devices, bool mailboxes = false) {
    flush_contacts();
    const bool result = write();
    std::lock_guard lock(mutex_);
    ++generation_;
    if (devices) {
      devices_.clear();
      contact_written_.clear();
      hierarchy_.clear();
      collections_.clear();
    }
    if (mailboxes) {
      mailboxes_.clear();
      folders_.clear();
      items_.clear();
      lab_state_.clear();
    }
    return result;
  }

  void forget_items(const std::string& mailbox) {
    const auto prefix = lower(mailbox) + '\n';
    std::lock_guard lock(mutex_);
    ++generation_;
    for (auto it = items_.begin(); it != items_.end();) {
      it = it->first.starts_with(prefix) ? items_.erase(it) : std::next(it);
    }
  }

  // Writes the contacts that only the remembered records hold.
  void flush_contacts() {
    std::vector<device_record> pending;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [key, d] : devices_) {
        const auto w = contact_written_.find(key);
        if (d && w != contact_written_.end() && d->last_seen_ms > w->second) pending.push_back(*d);
      }
    }
    for (const auto& d : pending) {
      inner_->record_device_contact(d.mailbox, d.device_id, d.device_type, d.user_agent, d.protocol_version,
                                    d.last_seen_ms);
      std::lock_guard lock(mutex_);
      contact_written_[key_of(d.mailbox, d.device_id)] = d.last_seen_ms;
    }
  }

  mutable std::mutex mutex_;
  mutable std::uint64_t generation_ = 0;
  mutable table<device_record> devices_;
  std::unordered_map<std::string, std::int64_t> contact_written_;
  mutable table<std::vector<mailbox_record>> mailboxes_;
  mutable table<std::vector<policy_record>> policies_;
  mutable table<std::vector<folder_record>> folders_;
  mutable table<hierarchy_record> hierarchy_;
  mutable table<std::vector<item_summary>> items_;
  mutable table<hierarchy_record> collections_;
  mutable table<std::string> lab_state_;
};

}  // namespace

std::unique_ptr<store> make_cached_store(std::shared_ptr<store> inner) {
  return std::make_unique<cached_store>(std::move(inner));
}

}  // namespace easemu::store
