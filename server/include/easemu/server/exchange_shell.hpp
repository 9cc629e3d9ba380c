#pragma once
// The Exchange Management Shell lines easemu understands, run against the lab: mobile device
// mailbox policies (*-ActiveSyncMailboxPolicy and *-MobileDeviceMailboxPolicy), Set/Get-CASMailbox,
// the device cmdlets (Get-*DeviceStatistics, Get-*Device, Clear-*, Remove-*), the organization
// settings and the device access rules. The parser is pure (easemu_shell); this executor spans the
// store's policies, mailboxes and devices, driven by one cmdlet table (shell_cmdlet.hpp).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "easemu/server/exchange_profile.hpp"
#include "easemu/server/shell_cmdlet.hpp"

namespace easemu::store {
class store;
struct device_record;
struct device_provisioning;
}
namespace easemu::provisioning {
class policy;
}

namespace easemu::server {

class provisioning_service;
class access_service;

// What Get-ActiveSyncDeviceStatistics derives for a device beyond its stored record
// (PROVISIONING.md 5.2); the admin API's device list shows the same values.
struct device_statistics {
  std::int64_t last_success_sync_ms = 0;  // the newest Sync or FolderSync answered with Status 1
  int last_ping_heartbeat = 0;            // seconds; 0: no Ping since the server started
  int folders_synced = 0;                 // collections with sync state
  std::string status;                     // DeviceOk, DeviceWipePending, DeviceWipeSucceeded, DeviceBlocked
};

// Exchange's Status of a device from its wipe state (PROVISIONING.md 5.2).
std::string device_status(const store::device_provisioning& p);

// A policy as Get-MobileDeviceMailboxPolicy (`mobile_device_names`) or
// Get-ActiveSyncMailboxPolicy shows it: Name, Identity and every setting by its Exchange name.
// `release`: only the properties that release's cmdlet shows (mailbox_policies.cpp's table).
boost::json::object policy_object(const provisioning::policy& p, bool mobile_device_names,
                                  std::uint8_t release = release::all);

struct shell_result {
  std::string command;        // the statement as written
  bool ok = false;
  std::string error;          // PowerShell-like message when !ok
  boost::json::array output;  // objects with Exchange's property names
};

class exchange_shell {
 public:
  exchange_shell(std::shared_ptr<store::store> store, provisioning_service& provisioning, access_service& access);

  // Runs every statement of `text` in order (a failed one does not stop the next, as in
  // PowerShell). A text that does not parse gives one failed result naming line and column.
  std::vector<shell_result> run(std::string_view text, const std::string& requestor, std::int64_t now_ms);

  // What the mailbox-log cmdlets need from the rest of the server: delivering a message to a lab
  // mailbox (returns an error, empty on success) and writing the queued journal entries.
  struct mail_hooks {
    std::function<std::string(const std::string& mailbox, const std::string& mime)> deliver;
    std::function<void()> flush_journal;
    // The HeartbeatInterval of the device's last Ping, seconds (0: none since the server started).
    std::function<int(const std::string& mailbox, const std::string& device_id)> last_heartbeat;
  };
  void set_mail_hooks(mail_hooks hooks) { hooks_ = std::move(hooks); }
  // The emulated release (lab.exchange_version): which parameters and output properties the
  // cmdlets have (exchange_profile.hpp: release). 2010 SP1 until set.
  void set_exchange_version(std::string_view name) { release_ = release_bit(name); }

  // Get-ActiveSyncDeviceStatistics' derived values for one device (reads the journal: flush it
  // first through the hooks).
  device_statistics statistics(const store::device_record& d) const;

  // Whether Set-CASMailbox -ActiveSyncDebugLogging is on for the mailbox (its log then carries
  // the HTTP headers too).
  static bool debug_logging(const store::store& store, const std::string& mailbox);

  // Adds cmdlets to the table, listed after the built-in ones. The entries (and what their spans
  // point at) must outlive the shell. Throws std::invalid_argument for a name or twin the table
  // has already, or an entry without a handler.
  void add_cmdlets(cmdlet_family family);
  // The table: the built-in families (policies, CAS mailboxes, devices, organization settings,
  // access rules) in the order of the "not recognized" listing, then the added ones.
  const std::vector<cmdlet_family>& cmdlets() const { return families_; }

 private:
  std::shared_ptr<store::store> store_;
  provisioning_service& provisioning_;
  access_service& access_;
  mail_hooks hooks_;
  std::vector<cmdlet_family> families_;
  std::uint8_t release_ = release::e2010sp1;
};

// What a cmdlet's handler works on: the lab's state and the statement's requestor and time.
struct cmdlet_context {
  store::store& db;
  provisioning_service& provisioning;
  access_service& access;
  const exchange_shell::mail_hooks& hooks;
  const std::string& requestor;  // who asked (Clear-ActiveSyncDevice records it)
  std::int64_t now_ms = 0;
  std::uint8_t release = release::e2010sp1;  // the emulated Exchange release's bit
};

}  // namespace easemu::server
