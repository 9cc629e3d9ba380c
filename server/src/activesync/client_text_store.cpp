#include "client_text_store.hpp"

#include "easemu/common/escape.hpp"
#include "easemu/store/forwarding_store.hpp"

namespace easemu::server {

namespace {

using common::escape_controls;
namespace st = easemu::store;

class client_text_store final : public st::forwarding_store {
 public:
  explicit client_text_store(std::shared_ptr<st::store> inner) : forwarding_store(std::move(inner)) {}

  st::device_record record_device_contact(const std::string& mailbox, const std::string& device_id,
                                             const std::string& device_type, const std::string& user_agent,
                                             const std::string& protocol_version, std::int64_t now_ms) override {
    return forwarding_store::record_device_contact(mailbox, device_id, escape_controls(device_type),
                                                   escape_controls(user_agent), protocol_version, now_ms);
  }

  bool update_device_information(const std::string& mailbox, const std::string& device_id,
                                 const st::device_information_record& i) override {
    return forwarding_store::update_device_information(
        mailbox, device_id,
        {escape_controls(i.model), escape_controls(i.imei), escape_controls(i.friendly_name), escape_controls(i.os),
         escape_controls(i.os_language), escape_controls(i.phone_number), escape_controls(i.mobile_operator)});
  }
};

}  // namespace

std::shared_ptr<store::store> make_client_text_store(std::shared_ptr<store::store> inner) {
  return std::make_shared<client_text_store>(std::move(inner));
}

}  // namespace easemu::server
