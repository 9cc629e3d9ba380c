#pragma once
// What a Sync request says (MS-ASCMD 2.2.1.21), read once from its tree: the collections with
// their keys, windows, body preferences and filters; the Wait or HeartbeatInterval; and, for the
// empty and partial Syncs of 12.1+, the full request they stand for. Private to the Sync command.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "easemu/mailbox/sync.hpp"
#include "easemu/server/activesync/context.hpp"
#include "mail_common.hpp"

namespace easemu::server {
class mail_service;
}

namespace easemu::server::commands {

struct collection_request {
  std::string id;
  std::optional<std::string> client_key;  // the SyncKey as sent; nullopt: none
  std::optional<bool> get_changes;        // GetChanges as sent
  std::size_t window = 100;               // 1-512 (0 and larger values mean 512)
  mail_common::body_request body;
  std::int64_t cutoff = 0;  // FilterType: the oldest received time it includes
  bool deletes_as_moves = true;
  const wbxml::element* commands = nullptr;  // the device's Commands, or nullptr
  const wbxml::element* supported = nullptr;  // Supported (contacts, calendar), or nullptr
};

// The Collection elements of a Sync element, in order.
std::vector<collection_request> read_collections(const wbxml::element& sync, std::int64_t now_ms);

// The engine's request for a collection: key, GetChanges (MS-ASCMD 2.2.3.84: absent means true
// unless the key is 0) and window; the items and the device's changes are added after.
mailbox::sync_request engine_request(const collection_request& c);

// Whether the client's commands apply: only under a key we issued (else the engine answers 3).
bool key_accepted(const collection_request& c, const mailbox::collection_state& state);

// Wait (12.1+, minutes 1-59) or HeartbeatInterval (14.0+, seconds from the server's minimum to
// 3540): the seconds to wait (0: no wait), or the refusal of a value out of range (Status 14 with
// the nearest Limit; MS-ASCMD 2.2.3.188, 2.2.3.88.2).
struct wait_request {
  int seconds = 0;
  std::optional<command_reply> refusal;
};
wait_request read_wait(const eas_context& ctx, int min_heartbeat);

// The last full Sync request per device, without keys and commands: what an empty or partial Sync
// (12.1+) stands for (MS-ASCMD 2.2.3.124).
class request_cache {
 public:
  // The request to run: a full one as it is (and remembered); an empty or partial one merged onto
  // the remembered one with the keys the device holds now; nullopt when there is nothing to
  // merge onto (Status 13).
  std::optional<wbxml::element> effective(const eas_context& ctx, const mail_service& mail);

 private:
  void remember(const std::string& key, const wbxml::element& full);
  std::mutex mutex_;
  std::map<std::string, wbxml::element> requests_;
};

}  // namespace easemu::server::commands
