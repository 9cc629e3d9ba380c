#pragma once
// Persistent lab state behind one interface: SQLite (WAL) in the data directory, or an in-memory
// database when there is none. Numbered migrations are embedded in the binary. Times come in as
// arguments (Unix milliseconds); the store reads no clock and does not log.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace easemu::store {

// What provisioning keeps per device partnership (policy keys, acknowledgement, remote wipe).
struct device_provisioning {
  std::int64_t pending_key = 0;  // temporary key of an unanswered policy download
  std::int64_t policy_key = 0;   // permanent key, 0: none
  std::string policy_hash;
  std::string policy_name;
  int policy_status = 0;  // DevicePolicyApplicationStatus: 0 Unknown, 1 NotApplied, 2 AppliedInFull, 3 PartiallyApplied, 4 ExternallyManaged
  std::int64_t last_policy_ms = 0;
  std::int64_t wipe_requested_ms = 0;
  std::int64_t wipe_sent_ms = 0;
  std::int64_t wipe_ack_ms = 0;
  bool wipe_account_only = false;
  bool wipe_failed = false;
  std::string wipe_requestor;

  bool operator==(const device_provisioning&) const = default;
};

// What the device says about itself (Settings or Provision DeviceInformation).
struct device_information_record {
  std::string model;
  std::string imei;
  std::string friendly_name;
  std::string os;
  std::string os_language;
  std::string phone_number;
  std::string mobile_operator;

  bool operator==(const device_information_record&) const = default;
};

// A phone as the server has seen it, per mailbox (Exchange's device partnership).
// Allow/Block/Quarantine as last decided (Exchange's DeviceAccessState, DeviceAccessStateReason
// and DeviceAccessControlRule; empty: never decided).
struct device_access_record {
  std::string state;   // "Allowed", "Blocked", "Quarantined", "DeviceDiscovery"
  std::string reason;  // "Global", "Individual", "DeviceRule", ...
  std::string rule;    // the rule's identity when the reason is DeviceRule, e.g. "WP (DeviceType)"

  bool operator==(const device_access_record&) const = default;
};

struct device_record {
  std::string mailbox;
  std::string device_id;  // the letter case of its first contact; matched case-insensitively
  std::string device_type;
  std::string user_agent;
  std::string protocol_version;
  std::int64_t first_seen_ms = 0;
  std::int64_t last_seen_ms = 0;
  device_provisioning provisioning;
  device_information_record information;
  device_access_record access{};

  bool operator==(const device_record&) const = default;
};

// A lab mailbox (the lab file's desired state, applied at every start).
struct mailbox_record {
  std::string address;  // user@domain, unique case-insensitively
  std::string display_name;
  std::string password;
  std::string policy;  // mobile device mailbox policy name; empty: the default policy
  bool activesync_enabled = true;

  bool operator==(const mailbox_record&) const = default;
};

// A mobile device mailbox policy as Exchange parameters (name, value) in the lab file's order.
struct policy_record {
  std::string name;  // unique case-insensitively
  std::vector<std::pair<std::string, std::string>> parameters;

  bool operator==(const policy_record&) const = default;
};

// A mail folder of a mailbox (FolderSync's view: id, parent, name, type).
struct folder_record {
  std::string server_id;
  std::string parent_id;
  std::string display_name;
  int type = 0;

  bool operator==(const folder_record&) const = default;
};

// A device's view of its mailbox's folder hierarchy (the mailbox module serializes the folders).
struct hierarchy_record {
  std::int64_t key = 0;
  std::string known;
  std::int64_t previous_key = 0;
  std::string previous_known;

  bool operator==(const hierarchy_record&) const = default;
};

// An item of a folder: a message's RFC 822 source and the state EAS changes, or a calendar,
// contact, task or note item's properties (mailbox/pim.hpp keeps them as bytes).
struct item_record {
  std::string item_id;    // the ServerId, unique in the mailbox ("<folder>:<n>")
  std::string folder_id;
  std::int64_t version = 0;      // bumped on every change a device must hear of
  std::int64_t received_ms = 0;
  bool read = false;
  int flag = 0;  // 0 none, 1 complete, 2 active (MS-ASEMAIL FlagStatus)
  std::string mime;
  std::string properties{};  // empty for mail

  bool operator==(const item_record&) const = default;
};

// What a sync needs to know about an item without its content.
struct item_summary {
  std::string item_id;
  std::int64_t version = 0;
  std::int64_t received_ms = 0;

  bool operator==(const item_summary&) const = default;
};

// One EAS request and its answer, as the request journal keeps them (secrets already redacted).
// The server records the bodies as the WBXML that travelled (request_wbxml, response_wbxml);
// readers get them as XML in request_xml and response_xml, rendered when they read
// (journal_view.hpp). Entries written before schema 9 keep the XML they were written with.
struct journal_entry {
  std::int64_t id = 0;  // assigned by the store
  std::int64_t time_ms = 0;
  std::string user;
  std::string device_id;
  std::string device_type;
  std::string command;
  std::string protocol_version;
  int http_status = 0;
  int eas_status = 0;  // the response's top-level Status, 0 when there is none
  std::int64_t duration_ms = 0;
  std::string request_xml;
  // A fault's comment (journal_fault_comment ... " -->"), then the response as XML.
  std::string response_xml;
  // Only while the mailbox's ActiveSyncDebugLogging is on: the HTTP headers, one "Name: value"
  // per line, with credentials already blanked.
  std::string request_headers;
  std::string response_headers;
  // The bodies as WBXML bytes (kept up to journal_wbxml_cap each); empty when there was none.
  std::string request_wbxml;
  std::string response_wbxml;

  bool operator==(const journal_entry&) const = default;
};

struct journal_filter {
  std::optional<std::string> user;
  std::optional<std::string> device_id;
  std::optional<std::string> command;
  std::optional<std::int64_t> since_ms;
  std::optional<std::int64_t> id;        // exactly this entry
  std::optional<std::int64_t> after_id;  // entries newer than this one
  // Without the bodies and headers: request_xml, response_xml and the WBXML are empty, except
  // for the comment a fault's hit puts in front of the response (journal_fault_comment).
  bool summary = false;
  std::size_t limit = 100;
};

// What a fault's hit writes in front of a journal entry's response_xml (docs/faults.md).
inline constexpr const char* journal_fault_comment = "<!-- easemu fault ";

// Each XML text in the journal is capped at this many bytes (then marked as truncated).
inline constexpr std::size_t journal_xml_cap = 64 * 1024;
// Each WBXML body is kept up to this many bytes; a longer one is kept cut (and no longer decodes:
// its reader sees a note instead of the XML).
inline constexpr std::size_t journal_wbxml_cap = 1024 * 1024;

// Opening or migrating failed (start-up), or the database is broken (invariant).
struct store_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline constexpr std::size_t default_journal_retention = 100'000;

class store {
 public:
  virtual ~store() = default;

  virtual int schema_version() const = 0;

  // Inserts the device or updates its type, user agent, version and last contact.
  virtual device_record record_device_contact(const std::string& mailbox, const std::string& device_id,
                                              const std::string& device_type, const std::string& user_agent,
                                              const std::string& protocol_version, std::int64_t now_ms) = 0;
  virtual std::optional<device_record> find_device(const std::string& mailbox, const std::string& device_id) const = 0;
  // All devices, or those of one mailbox; ordered by mailbox, then first contact.
  virtual std::vector<device_record> list_devices(const std::optional<std::string>& mailbox = {}) const = 0;
  virtual bool delete_device(const std::string& mailbox, const std::string& device_id) = 0;
  // false when there is no such device.
  virtual bool update_device_provisioning(const std::string& mailbox, const std::string& device_id,
                                          const device_provisioning& state) = 0;
  virtual bool update_device_information(const std::string& mailbox, const std::string& device_id,
                                         const device_information_record& information) = 0;
  virtual bool update_device_access(const std::string& mailbox, const std::string& device_id,
                                    const device_access_record& access) = 0;

  // The lab's mailboxes become exactly `mailboxes` (one transaction); devices of mailboxes that
  // stay keep their partnerships.
  virtual void replace_mailboxes(const std::vector<mailbox_record>& mailboxes) = 0;
  virtual std::vector<mailbox_record> list_mailboxes() const = 0;
  virtual void replace_policies(const std::vector<policy_record>& policies) = 0;
  virtual std::vector<policy_record> list_policies() const = 0;

  // A mailbox's folders, in creation order; empty for a mailbox that never had any.
  virtual std::vector<folder_record> list_folders(const std::string& mailbox) const = 0;
  virtual void replace_folders(const std::string& mailbox, const std::vector<folder_record>& folders) = 0;
  virtual std::optional<hierarchy_record> find_hierarchy_state(const std::string& mailbox,
                                                               const std::string& device_id) const = 0;
  virtual void save_hierarchy_state(const std::string& mailbox, const std::string& device_id,
                                    const hierarchy_record& state) = 0;

  // Items of a folder, newest first (summaries), one item with its content, and writes.
  virtual std::vector<item_summary> list_items(const std::string& mailbox, const std::string& folder_id) const = 0;
  virtual std::optional<item_record> find_item(const std::string& mailbox, const std::string& item_id) const = 0;
  virtual void put_items(const std::string& mailbox, const std::vector<item_record>& items) = 0;  // insert or replace
  virtual bool delete_item(const std::string& mailbox, const std::string& item_id) = 0;
  // A device's view of one collection (the same shape as the hierarchy's).
  virtual std::optional<hierarchy_record> find_collection_state(const std::string& mailbox, const std::string& device_id,
                                                                const std::string& collection_id) const = 0;
  virtual void save_collection_state(const std::string& mailbox, const std::string& device_id,
                                     const std::string& collection_id, const hierarchy_record& state) = 0;

  // The properties a device named in its Supported element for a collection (MS-ASCMD
  // 2.2.3.179; the Sync command's encoding); nullopt: it sent none. Saving nullopt forgets it.
  virtual std::optional<std::string> find_collection_supported(const std::string& mailbox, const std::string& device_id,
                                                               const std::string& collection_id) const = 0;
  virtual void save_collection_supported(const std::string& mailbox, const std::string& device_id,
                                         const std::string& collection_id, const std::optional<std::string>& supported) = 0;

  // Small facts about the lab ("demo mail seeded", "exchange commands"), by key.
  virtual std::optional<std::string> get_lab_state(const std::string& key) const = 0;
  virtual void set_lab_state(const std::string& key, const std::string& value) = 0;

  // Writes entries in one transaction (XML capped at journal_xml_cap). Only the newest entries
  // are kept (set_journal_retention; default_journal_retention), so a lab running for weeks does
  // not fill its disk.
  // Returns the ids assigned, in the order of `entries`.
  virtual std::vector<std::int64_t> append_journal(const std::vector<journal_entry>& entries) = 0;
  virtual void set_journal_retention(std::size_t entries) = 0;
  // Newest first.
  virtual std::vector<journal_entry> query_journal(const journal_filter& filter) const = 0;
};

// SQLite in a file (created with its directory's permissions), WAL journal. Throws store_error.
std::unique_ptr<store> open_sqlite_store(const std::string& path);
// SQLite in memory: nothing survives the process.
std::unique_ptr<store> open_memory_store();

// The schema this binary writes.
int current_schema_version();

}  // namespace easemu::store
