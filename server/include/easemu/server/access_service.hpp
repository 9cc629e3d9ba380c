#pragma once
// Allow/Block/Quarantine on the server (PROVISIONING.md 5.1): the organization's settings and
// device access rules and each mailbox's allowed and blocked device ids, kept in the store; the
// decision for every request (provisioning/access.hpp) with DeviceAccessState, its reason and rule
// recorded on the device; the quarantine notice mail to the user and to the admin recipients.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "easemu/provisioning/access.hpp"
#include "easemu/server/activesync/context.hpp"

namespace spdlog {
class logger;
}
namespace easemu::store {
class store;
struct device_record;
}

namespace easemu::server {

class mail_service;

struct access_config {
  provisioning::organization_settings organization;
  std::vector<provisioning::device_access_rule> rules;
  std::map<std::string, provisioning::mailbox_device_lists> mailboxes;  // by lower-case address

  bool operator==(const access_config&) const = default;
};

class access_service {
 public:
  access_service(std::shared_ptr<store::store> store, mail_service& mail, std::shared_ptr<spdlog::logger> log);

  std::shared_ptr<const access_config> config() const;
  // Stores a changed configuration; devices are decided again on their next request.
  void save(const access_config& config);

  // The pipeline's access stage for this request's device (after the device list recorded it):
  // an answer for a Blocked device and for the commands a quarantined one may not run; a
  // quarantined device that may run the command has its context marked. Records a changed access
  // state and, when a device enters quarantine, sends the notices once.
  stage_result check(eas_context& ctx, std::int64_t now_ms);

  // The quarantine notice in the mailbox for this device (its ServerId), empty when there is none:
  // what a quarantined device's Sync shows.
  std::string notice_item(const std::string& mailbox, const std::string& device_id) const;

 private:
  provisioning::command_answer decide(const eas_context& ctx, std::int64_t now_ms);
  void send_notices(const eas_context& ctx, const store::device_record& device, std::int64_t now_ms);

  std::shared_ptr<store::store> store_;
  mail_service& mail_;
  std::shared_ptr<spdlog::logger> log_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<const access_config> config_;
  std::mutex notice_mutex_;
};

}  // namespace easemu::server
