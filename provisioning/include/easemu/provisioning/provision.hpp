#pragma once
// Provisioning decisions as values (STYLE.md: pure cores): the policy-key gate every command
// passes, and the Provision command's phases (policy download, acknowledgement, remote wipe).
// The caller persists the new device state, supplies the time and a fresh random key.
#include <cstdint>
#include <optional>
#include <string>

#include "easemu/common/protocol_version.hpp"
#include "easemu/provisioning/policy.hpp"
#include "easemu/wbxml/element.hpp"

namespace easemu::provisioning {

// Exchange's DevicePolicyApplicationStatus.
enum class application_status { unknown, not_applied, applied_in_full, partially_applied, externally_managed };
const char* to_string(application_status s);  // "AppliedInFull", ...

// Where Exchange versions differ (PROVISIONING.md 1.7, 1.9, 2.2).
struct exchange_rules {
  bool partial_ack_is_139 = false;  // 2013+: a Status 2 acknowledgement without ANP fails with 139
  bool anp_in_policy_hash = false;  // 2013+: changing ANP alone invalidates issued keys
  bool wipe_ack_repeats_directive = true;  // 2007/2010: the reply to a successful wipe ack repeats RemoteWipe
};
// "2010SP1" and anything older-looking gets the 2010 rules; 2013, 2016, 2019, online the new ones.
exchange_rules rules_for(const std::string& exchange_version);

// What the server keeps per device partnership for provisioning.
struct device_state {
  std::uint32_t pending_key = 0;  // temporary key of an unanswered policy download
  std::uint32_t policy_key = 0;   // permanent key (0: none)
  std::string policy_hash;        // policy_hash() of what the device acknowledged
  std::string policy_name;
  application_status status = application_status::unknown;
  std::int64_t last_policy_ms = 0;       // LastPolicyUpdateTime (0: never provisioned)
  std::int64_t wipe_requested_ms = 0;    // DeviceWipeRequestTime (0: no wipe)
  std::int64_t wipe_sent_ms = 0;         // DeviceWipeSentTime
  std::int64_t wipe_ack_ms = 0;          // DeviceWipeAckTime
  bool wipe_account_only = false;        // AccountOnlyRemoteWipe (16.1)
  bool wipe_failed = false;              // the device acknowledged with RemoteWipe Status 2

  bool wipe_pending() const { return wipe_requested_ms != 0; }
  bool operator==(const device_state&) const = default;
};

// MS-ASCMD 2.2.2 status and the HTTP status a client of the version gets.
struct eas_error {
  int status = 0;       // 0: allowed
  int http_status = 200;
  std::string reason;   // for the debug log
  explicit operator bool() const { return status != 0; }
};

struct gate_request {
  protocol_version version = protocol_version::v14_1;
  std::optional<std::uint32_t> policy_key;  // nullopt: no X-MS-PolicyKey (or base64 length 0)
  const device_state* device = nullptr;
  const policy* assigned = nullptr;  // nullptr: no policy applies to the mailbox
  exchange_rules rules;
  std::int64_t now_ms = 0;
  // policy_hash(*assigned, version, rules) when the caller remembers it; computed otherwise.
  const std::string* assigned_hash = nullptr;
};

// The policy-key check for every command except Provision, Ping and OPTIONS, in Exchange's
// decision order (PROVISIONING.md 1.8): 139, 140, 141, 142, 143, 144. HTTP: 403 for 139, 141
// and 140 without a key; 449 for 140 with a key, 142, 143, 144.
eas_error check_policy_key(const gate_request& request);

// DeviceInformation a 14.1+ client sends inside Provision (MS-ASPROV 2.2.2.53).
struct device_information {
  std::string model, imei, friendly_name, os, os_language, phone_number, mobile_operator, user_agent;
  bool operator==(const device_information&) const = default;
};
std::optional<device_information> read_device_information(const wbxml::element& container);

struct provision_request {
  protocol_version version = protocol_version::v14_1;
  const wbxml::element* body = nullptr;  // the decoded request (nullptr: none)
  const device_state* device = nullptr;
  const policy* assigned = nullptr;
  exchange_rules rules;
  std::uint32_t fresh_key = 0;  // random, non-zero; used when a key is issued
  std::int64_t now_ms = 0;
};

struct provision_result {
  int http_status = 200;
  std::optional<wbxml::element> body;  // the Provision response; none with a bare HTTP error
  device_state state;                  // the device's state afterwards
  std::optional<device_information> information;
  int provision_status = 0;            // the response's Provision Status (or the 1xx error)
  std::string decision;                // what happened, for the debug log
};

// MS-ASPROV 3.2.5.1 with Exchange's choices (PROVISIONING.md 1.3-1.7, 2.1-2.2).
provision_result provision(const provision_request& request);

}  // namespace easemu::provisioning
