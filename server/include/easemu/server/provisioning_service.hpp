#pragma once
// The provisioning layer of the server: which policy applies to a mailbox, the policy-key gate
// for every command, the Provision command, and remote wipe requests. Decisions come from the
// pure provisioning module; this class loads and persists the state around them.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "easemu/provisioning/policy.hpp"
#include "easemu/provisioning/provision.hpp"
#include "easemu/server/activesync/context.hpp"

namespace spdlog {
class logger;
}
namespace easemu::store {
class store;
struct device_provisioning;
}

namespace easemu::server {

class provisioning_service {
 public:
  provisioning_service(std::shared_ptr<store::store> store, std::string exchange_version,
                       std::shared_ptr<spdlog::logger> log);

  // Re-reads policies and mailbox assignments from the store (after a change), then tells the
  // listener: whoever changes the store's mailboxes or policies calls it.
  void reload();
  // Called after every reload (not the one of construction).
  void on_reload(std::function<void()> listener) { reloaded_ = std::move(listener); }

  // The policy of a mailbox: its own (Set-CASMailbox -ActiveSyncMailboxPolicy) or the default
  // one; nullptr when neither exists.
  std::shared_ptr<const provisioning::policy> policy_for(const std::string& mailbox) const;
  std::vector<std::shared_ptr<const provisioning::policy>> policies() const;

  // The pipeline's provisioning gate, for the command table's policy_key commands: 126 for a
  // mailbox without ActiveSync, then the policy-key check (PROVISIONING.md 1.8).
  stage_result check(const eas_context& ctx) const;

  // The Provision command handler.
  command_reply provision(const eas_context& ctx);

  // Clear-ActiveSyncDevice: a wipe delivered on the device's next command. Returns an error
  // message, empty on success. `cancel` withdraws a pending wipe.
  std::string request_wipe(const std::string& mailbox, const std::string& device_id, bool account_only,
                           const std::string& requestor, bool cancel, std::int64_t now_ms);

  const provisioning::exchange_rules& rules() const { return rules_; }

 private:
  std::uint32_t random_key();
  // policy_hash of a policy object for a version, remembered: the gate asks on every request.
  std::string hash_of(const std::shared_ptr<const provisioning::policy>& p, protocol_version v) const;

  std::shared_ptr<store::store> store_;
  provisioning::exchange_rules rules_;
  std::shared_ptr<spdlog::logger> log_;
  mutable std::mutex mutex_;  // guards the policy maps and serialises Provision's read-modify-write
  std::vector<std::shared_ptr<const provisioning::policy>> policies_;
  std::shared_ptr<const provisioning::policy> default_;
  std::vector<std::pair<std::string, std::string>> assignments_;  // mailbox -> policy name
  std::vector<std::string> disabled_;                              // mailboxes without ActiveSync
  std::uint64_t rng_state_;
  std::function<void()> reloaded_;
  struct remembered_hash {
    std::weak_ptr<const provisioning::policy> policy;  // policies are immutable: same object, same hash
    protocol_version version;
    std::string hash;
  };
  mutable std::mutex hash_mutex_;
  mutable std::vector<remembered_hash> hashes_;
};

// The store's record and the provisioning module's state, both ways.
provisioning::device_state to_state(const store::device_provisioning& p);
store::device_provisioning to_record(const provisioning::device_state& s, const store::device_provisioning& previous);

}  // namespace easemu::server
