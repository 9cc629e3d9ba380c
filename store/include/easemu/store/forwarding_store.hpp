#pragma once
// A store that passes every call to another one: the base of the decorators (cached_store,
// the server's observed_store), which override only the calls they change.
#include <memory>
#include <utility>

#include "easemu/store/store.hpp"

namespace easemu::store {

class forwarding_store : public store {
 public:
  int schema_version() const override { return inner_->schema_version(); }

  device_record record_device_contact(const std::string& mailbox, const std::string& device_id,
                                      const std::string& device_type, const std::string& user_agent,
                                      const std::string& protocol_version, std::int64_t now_ms) override {
    return inner_->record_device_contact(mailbox, device_id, device_type, user_agent, protocol_version, now_ms);
  }
  std::optional<device_record> find_device(const std::string& mailbox, const std::string& device_id) const override {
    return inner_->find_device(mailbox, device_id);
  }
  std::vector<device_record> list_devices(const std::optional<std::string>& mailbox) const override {
    return inner_->list_devices(mailbox);
  }
  bool delete_device(const std::string& mailbox, const std::string& device_id) override {
    return inner_->delete_device(mailbox, device_id);
  }
  bool update_device_provisioning(const std::string& mailbox, const std::string& device_id,
                                  const device_provisioning& state) override {
    return inner_->update_device_provisioning(mailbox, device_id, state);
  }
  bool update_device_information(const std::string& mailbox, const std::string& device_id,
                                 const device_information_record& information) override {
    return inner_->update_device_information(mailbox, device_id, information);
  }
  bool update_device_access(const std::string& mailbox, const std::string& device_id,
                            const device_access_record& access) override {
    return inner_->update_device_access(mailbox, device_id, access);
  }

  void replace_mailboxes(const std::vector<mailbox_record>& mailboxes) override { inner_->replace_mailboxes(mailboxes); }
  std::vector<mailbox_record> list_mailboxes() const override { return inner_->list_mailboxes(); }
  void replace_policies(const std::vector<policy_record>& policies) override { inner_->replace_policies(policies); }
  std::vector<policy_record> list_policies() const override { return inner_->list_policies(); }

  std::vector<folder_record> list_folders(const std::string& mailbox) const override { return inner_->list_folders(mailbox); }
  void replace_folders(const std::string& mailbox, const std::vector<folder_record>& folders) override {
    inner_->replace_folders(mailbox, folders);
  }
  std::optional<hierarchy_record> find_hierarchy_state(const std::string& mailbox,
                                                       const std::string& device_id) const override {
    return inner_->find_hierarchy_state(mailbox, device_id);
  }
  void save_hierarchy_state(const std::string& mailbox, const std::string& device_id,
                            const hierarchy_record& state) override {
    inner_->save_hierarchy_state(mailbox, device_id, state);
  }

  std::vector<item_summary> list_items(const std::string& mailbox, const std::string& folder_id) const override {
    return inner_->list_items(mailbox, folder_id);
  }
  std::optional<item_record> find_item(const std::string& mailbox, const std::string& item_id) const override {
    return inner_->find_item(mailbox, item_id);
  }
  void put_items(const std::string& mailbox, const std::vector<item_record>& items) override {
    inner_->put_items(mailbox, items);
  }
  bool delete_item(const std::string& mailbox, const std::string& item_id) override {
    return inner_->delete_item(mailbox, item_id);
  }
  std::optional<hierarchy_record> find_collection_state(const std::string& mailbox, const std::string& device_id,
                                                        const std::string& collection_id) const override {
    return inner_->find_collection_state(mailbox, device_id, collection_id);
  }
  void save_collection_state(const std::string& mailbox, const std::string& device_id,
                             const std::string& collection_id, const hierarchy_record& state) override {
    inner_->save_collection_state(mailbox, device_id, collection_id, state);
  }
  std::optional<std::string> find_collection_supported(const std::string& mailbox, const std::string& device_id,
                                                       const std::string& collection_id) const override {
    return inner_->find_collection_supported(mailbox, device_id, collection_id);
  }
  void save_collection_supported(const std::string& mailbox, const std::string& device_id, const std::string& collection_id,
                                 const std::optional<std::string>& supported) override {
    inner_->save_collection_supported(mailbox, device_id, collection_id, supported);
  }

  std::optional<std::string> get_lab_state(const std::string& key) const override { return inner_->get_lab_state(key); }
  void set_lab_state(const std::string& key, const std::string& value) override { inner_->set_lab_state(key, value); }

  std::vector<std::int64_t> append_journal(const std::vector<journal_entry>& entries) override {
    return inner_->append_journal(entries);
  }
  void set_journal_retention(std::size_t entries) override { inner_->set_journal_retention(entries); }
  std::vector<journal_entry> query_journal(const journal_filter& filter) const override {
    return inner_->query_journal(filter);
  }

 protected:
  explicit forwarding_store(std::shared_ptr<store> inner) : inner_(std::move(inner)) {}

  std::shared_ptr<store> inner_;
};

}  // namespace easemu::store
