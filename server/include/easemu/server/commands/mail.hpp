#pragma once
// Mail items: the Sync command for e-mail folders (MS-ASCMD 2.2.1.21 with MS-ASEMAIL and
// MS-ASAIRS ApplicationData), message delivery into a mailbox (the admin API's injection) and
// the demo mail. The mailbox module decides; this class loads and stores around it.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "easemu/server/commands/folders.hpp"
#include "easemu/server/activesync/context.hpp"

namespace spdlog {
class logger;
}
namespace easemu::store {
class store;
}

namespace easemu::server {

class mail_service {
 public:
  mail_service(std::shared_ptr<store::store> store, folder_service& folders, std::shared_ptr<spdlog::logger> log);

  command_reply sync(const eas_context& ctx);
  // A Sync that may wait (Wait, 12.1+, in minutes; HeartbeatInterval, 14.0+, in seconds):
  // answered at once when there is something to say, else when a collection changes, or with an
  // empty 200 when the interval ends (MS-ASCMD 2.2.3.188, 2.2.3.88.2). `wait_for` parks it.
  using waiter = std::function<void(const std::string& mailbox, const std::string& device,
                                    std::vector<std::string> collections, int seconds,
                                    std::function<void(bool changed)> done)>;
  void sync_async(std::shared_ptr<const eas_context> ctx, std::function<void(command_reply)> done, int min_heartbeat,
                  const waiter& wait_for);
  // MS-ASCMD 2.2.1.9: how many changes the next Sync of each collection would bring.
  command_reply get_item_estimate(const eas_context& ctx);
  // MS-ASCMD 2.2.1.12: items to other folders (they get new ServerIds there).
  command_reply move_items(const eas_context& ctx);
  // ItemOperations (MS-ASCMD 2.2.1.10): Fetch of items and attachments (multipart with
  // MS-ASAcceptMultiPart), EmptyFolderContents.
  command_reply item_operations(const eas_context& ctx);
  // GetAttachment (2.5-12.1): the attachment's bytes.
  command_reply get_attachment(const eas_context& ctx);

  // Search (MS-ASCMD 2.2.1.16): the GAL (the lab's mailboxes) and the mailbox (FreeText over
  // subject and body); ResolveRecipients (2.2.1.15) against the GAL.
  command_reply search(const eas_context& ctx);
  command_reply resolve_recipients(const eas_context& ctx);

  // SendMail, SmartReply, SmartForward (MS-ASCMD 2.2.1.17, .19, .20): WBXML from 14.0, raw MIME
  // before. Lab recipients get it in their Inbox; others go to the outbound log.
  command_reply send(const eas_context& ctx);

  // Messages addressed outside the lab, newest last (at most outbound_cap).
  struct outbound_message {
    std::string from_mailbox;
    std::vector<std::string> recipients;
    std::string subject;
    std::int64_t time_ms = 0;
  };
  static constexpr std::size_t outbound_cap = 1000;
  std::vector<outbound_message> outbound() const;

  // Does the device's view of a collection differ from the folder now (Ping's question)? A
  // device that never synced the collection has nothing to be told.
  bool has_changes(const std::string& mailbox, const std::string& device_id, const std::string& folder_id);

  // Stores an RFC 822 message in a folder of a mailbox (the Inbox when `folder_id` is empty).
  // Returns the new item's ServerId, or an error message.
  struct delivery {
    std::string item_id;
    std::string folder_id;
    std::string error;
  };
  delivery deliver(const std::string& mailbox, const std::string& folder_id, const std::string& mime, bool read,
                   std::int64_t received_ms);

  // A realistic Inbox for a demo mailbox, once per data directory.
  void seed_demo_mail(const std::string& mailbox, std::int64_t now_ms);

  // The quarantine notice a quarantined device sees instead of its mail (its ServerId, or empty).
  void set_quarantine_notice(std::function<std::string(const std::string& mailbox, const std::string& device_id)> f) {
    quarantine_notice_ = std::move(f);
  }

  // Called after a folder of a mailbox changed (Ping wakes up on it).
  void on_change(std::function<void(const std::string& mailbox, const std::string& folder_id)> f) { changed_ = std::move(f); }

 private:
  std::string next_item_id(const std::string& mailbox, const std::string& folder_id);
  command_reply sync_locked(const eas_context& ctx, std::vector<std::string>& touched);

  std::shared_ptr<store::store> store_;
  folder_service& folders_;
  std::shared_ptr<spdlog::logger> log_;
  std::mutex mutex_;  // one item change at a time: read, decide, write
  std::function<void(const std::string&, const std::string&)> changed_;
  std::function<std::string(const std::string&, const std::string&)> quarantine_notice_;
  // The last full Sync request per "mailbox\ndevice", without keys and commands: what an empty or
  // partial Sync (12.1+) stands for (MS-ASCMD 2.2.3.124).
  std::optional<wbxml::element> effective_request(const eas_context& ctx);
  std::mutex cache_mutex_;
  std::map<std::string, wbxml::element> request_cache_;
  mutable std::mutex outbound_mutex_;
  std::vector<outbound_message> outbound_;
};

}  // namespace easemu::server
