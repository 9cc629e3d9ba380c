#pragma once
// What a simulated phone does when a person adds an Exchange account to it (`easemu device`,
// `easemu matrix`): optional Autodiscover, the certificate check against the profile's trust
// store inside the profile's TLS window, OPTIONS, the first FolderSync that tells it to
// provision, Provision (download, enforcement decision, acknowledgement), Settings
// DeviceInformation below 14.1, FolderSync, Sync of the Inbox and one Ping; then what the phone
// shows (phone::present). Blocking, over http_client's send; no Asio here.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "easemu/common/protocol_version.hpp"
#include "easemu/phone/enforcement.hpp"
#include "easemu/phone/presentation.hpp"
#include "easemu/phone/profile.hpp"
#include "easemu/simulator/requests.hpp"

namespace easemu::simulator {

struct flow_options {
  phone::device_profile profile;
  // https://host:port (a path is taken as the EAS endpoint's; "/" means
  // /Microsoft-Server-ActiveSync). May be empty when `autodiscover` finds the server.
  std::string server;
  std::string user;  // e-mail address
  std::string password;
  std::string device_id;  // empty: one is made up per run
  // PEM text of CAs installed on the phone, on top of the profile's own trust store.
  std::string extra_ca_pem;
  // Autodiscover (MS-ASCMD 2.2.3 mobile schema) at https://<domain>/autodiscover/autodiscover.xml
  // then https://autodiscover.<domain>/..., on the port of `server` (443 without one).
  bool autodiscover = false;
  // Host name -> address, as a hosts file pins them (`--resolve HOST:IP`).
  std::vector<std::pair<std::string, std::string>> resolve;
  // How long the Ping may stay open; still open then counts as held (0: no Ping).
  std::chrono::seconds ping_hold{5};
  std::chrono::milliseconds timeout{15'000};  // every other request
  // What the phone's user does once the Inbox syncs, before the Ping: send a message (its `from`
  // is `user`), then search the mailbox for `search` ("" for no search). How depends on the
  // profile: drafts and email2:Send or SendMail, Find or Search (profile.hpp).
  std::optional<outgoing_mail> send;
  std::string search;
};

struct flow_step {
  std::string name;         // "OPTIONS", "Provision (download)", "FolderSync", ...
  int http_status = 0;      // 0: no HTTP answer
  int eas_status = 0;       // the response body's Status, 0 when none
  std::int64_t ms = 0;
  std::string note;
  bool ok = true;
};

struct flow_result {
  std::vector<flow_step> steps;
  phone::outcome outcome;  // what happened, in the phone's terms
  phone::screen screen;    // what the phone shows
  std::vector<std::string> unenforceable;  // settings it could not enforce (last download)
  int ack_status = 0;                      // last acknowledgement Status sent (0: none)
  bool syncing = false;                    // FolderSync and the Inbox Sync went through
  bool partial = false;                    // syncing, though some settings are not enforced
  bool answered = false;                   // some server answered (HTTP, or a TLS handshake)
  std::optional<protocol_version> version;  // picked from OPTIONS
  std::string device_id;
  std::string eas_url;  // the endpoint used (from `server` or Autodiscover)
  std::string policy_key;  // the key the phone ended with ("" none)
  bool sent = false;                 // the message of flow_options::send was accepted
  std::optional<int> found;          // the search's Total, when it was answered
  bool user_action_failed = false;   // the send or the search did not go through
};

// Runs the flow. Never throws for network or protocol failures: they are the outcome.
flow_result run_device_flow(const flow_options& options);

// A device id for one run: "EMU" + the profile's letters + 12 hex digits, at most 32 characters
// of [A-Za-z0-9] (what Windows phones and Exchange accept).
std::string make_device_id(const phone::device_profile& profile);

// The trust store as PEM text: the public bundle when the profile trusts the public roots (only
// the roots of trust.roots when it lists some), its CA files, then `extra`. `error` names a file that cannot be read.
std::string trust_pem(const phone::trust_store& trust, const std::string& extra, std::string& error);

}  // namespace easemu::simulator
