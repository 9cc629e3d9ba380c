#include "admin/events/observed_store.hpp"

#include "easemu/store/forwarding_store.hpp"

namespace easemu::server {

namespace {

using store::device_access_record;
using store::device_information_record;
using store::device_provisioning;
using store::device_record;

// Every call passes through (forwarding_store); the ones that change a device also tell. Inside
// the class, `store` names the base class, hence easemu::store::store.
class observed_store final : public store::forwarding_store {
 public:
  observed_store(std::shared_ptr<easemu::store::store> inner, device_change_fn changed)
      : forwarding_store(std::move(inner)), changed_(std::move(changed)) {}

  device_record record_device_contact(const std::string& mailbox, const std::string& device_id,
                                      const std::string& device_type, const std::string& user_agent,
                                      const std::string& protocol_version, std::int64_t now_ms) override {
    auto d = inner_->record_device_contact(mailbox, device_id, device_type, user_agent, protocol_version, now_ms);
    if (d.first_seen_ms == now_ms) changed_(d.mailbox, d.device_id);  // a new partnership
    return d;
  }
  bool delete_device(const std::string& mailbox, const std::string& device_id) override {
    return told(inner_->delete_device(mailbox, device_id), mailbox, device_id);
  }
  bool update_device_provisioning(const std::string& mailbox, const std::string& device_id,
                                  const device_provisioning& state) override {
    return told(inner_->update_device_provisioning(mailbox, device_id, state), mailbox, device_id);
  }
  bool update_device_information(const std::string& mailbox, const std::string& device_id,
                                 const device_information_record& information) override {
    return told(inner_->update_device_information(mailbox, device_id, information), mailbox, device_id);
  }
  bool update_device_access(const std::string& mailbox, const std::string& device_id,
                            const device_access_record& access) override {
    return told(inner_->update_device_access(mailbox, device_id, access), mailbox, device_id);
  }

 private:
  bool told(bool changed, const std::string& mailbox, const std::string& device_id) {
    if (changed) changed_(mailbox, device_id);
    return changed;
  }

  device_change_fn changed_;
};

}  // namespace

std::shared_ptr<store::store> make_observed_store(std::shared_ptr<store::store> inner, device_change_fn changed) {
  return std::make_shared<observed_store>(std::move(inner), std::move(changed));
}

}  // namespace easemu::server
