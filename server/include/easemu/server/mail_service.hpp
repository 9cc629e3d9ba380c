#pragma once
// The mail store on top of the store: items of a mailbox's folders, their ServerIds, delivery of
// RFC 822 messages (the admin API's injection, lab recipients of SendMail, quarantine notices),
// the demo Inbox, the log of messages sent outside the lab, and who hears of a change (Ping).
// The mail commands (server/src/commands/) read and write items through it.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "easemu/mailbox/sync.hpp"

namespace spdlog {
class logger;
}
namespace easemu::store {
class store;
}

namespace easemu::server {

class folder_service;

class mail_service {
 public:
  mail_service(std::shared_ptr<store::store> store, folder_service& folders, std::shared_ptr<spdlog::logger> log);

  // One item change at a time, across commands and deliveries: read, decide and write under it.
  [[nodiscard]] std::unique_lock<std::mutex> lock_items() { return std::unique_lock(mutex_); }
  // A new ServerId in a folder ("<folder>:<n>"); call it under lock_items.
  std::string next_item_id(const std::string& mailbox, const std::string& folder_id);
  // The device's view of one collection (empty when it never synced it).
  mailbox::collection_state collection_state(const std::string& mailbox, const std::string& device_id,
                                             const std::string& collection_id) const;
  // Does the device's view of a collection differ from the folder now (Ping's question)? A
  // device that never synced the collection has nothing to be told.
  bool has_changes(const std::string& mailbox, const std::string& device_id, const std::string& folder_id);

  // Stores an RFC 822 message in a folder of a mailbox (the Inbox when `folder_id` is empty; a
  // folder's id or display name otherwise). Returns the new item's ServerId, or an error message.
  struct delivery {
    std::string item_id;
    std::string folder_id;
    std::string error;
  };
  delivery deliver(const std::string& mailbox, const std::string& folder_id, const std::string& mime, bool read,
                   std::int64_t received_ms);

  // A realistic Inbox for a demo mailbox, once per data directory (demo_mail.cpp).
  void seed_demo_mail(const std::string& mailbox, std::int64_t now_ms);

  // Messages addressed outside the lab, newest last (at most outbound_cap).
  struct outbound_message {
    std::string from_mailbox;
    std::vector<std::string> recipients;
    std::string subject;
    std::int64_t time_ms = 0;
  };
  static constexpr std::size_t outbound_cap = 1000;
  void record_outbound(outbound_message message);
  std::vector<outbound_message> outbound() const;

  // Called after a folder of a mailbox changed (Ping wakes up on it).
  void on_change(std::function<void(const std::string& mailbox, const std::string& folder_id)> f) { changed_ = std::move(f); }
  // Tells of changed folders; call it outside lock_items (a Ping asks has_changes).
  void changed(const std::string& mailbox, const std::vector<std::string>& folder_ids);

 private:
  std::shared_ptr<store::store> store_;
  folder_service& folders_;
  std::shared_ptr<spdlog::logger> log_;
  std::mutex mutex_;
  std::function<void(const std::string&, const std::string&)> changed_;
  mutable std::mutex outbound_mutex_;
  std::vector<outbound_message> outbound_;
};

}  // namespace easemu::server
