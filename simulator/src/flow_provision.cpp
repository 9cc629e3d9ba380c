// Provisioning as the phone does it: the download, its own enforcement decision, the
// acknowledgement, a remote wipe, and DeviceInformation in Settings.
#include "easemu/eas/command.hpp"
#include "easemu/common/text.hpp"
#include "easemu/simulator/requests.hpp"
#include "flow.hpp"

namespace easemu::simulator::detail {

namespace {

using wbxml::tag;
using enum protocol_version;

const wbxml::element* policy_of(const wbxml::element& provision) {
  const auto* policies = provision.child(tag("Provision:Policies"));
  return policies != nullptr ? policies->child(tag("Provision:Policy")) : nullptr;
}

bool is_wipe(const wbxml::element& provision) {
  return provision.child(tag("Provision:RemoteWipe")) != nullptr ||
         provision.child(tag("Provision:AccountOnlyRemoteWipe")) != nullptr;
}

std::string enforcement_note(const phone::enforcement& e, const std::vector<std::string>& unenforceable) {
  std::string note = std::to_string(e.elements.size()) + " setting(s)";
  if (!unenforceable.empty()) {
    note += "; cannot enforce:";
    for (const auto& n : unenforceable) note += " " + n;
  }
  return note;
}

}  // namespace

bool flow::settings_wanted() const {
  return phone::sends_device_information_in_settings(p_, *res_.version) &&
         *res_.version >= eas::info(eas::command_id::settings).first;
}

// Settings DeviceInformation below 14.1 (MS-ASCMD 2.2.1.18; AOSP sends it after provisioning).
// A refusal is recorded and the phone goes on; false only when the request could not be sent.
bool flow::settings_device_information() {
  settings_sent_ = true;
  const auto a = post("Settings (DeviceInformation)", "Settings", settings_request(p_, *res_.version),
                      p_.sends_policy_key ? key_ : std::nullopt);
  if (!a) return false;
  if (a->http.status == 200 && a->status == 1) return true;
  settings_sent_ = a->http.status == 200 && a->status == 0;
  res_.steps.back().ok = false;  // recorded; the phone goes on to FolderSync regardless
  return true;
}

// A RemoteWipe / AccountOnlyRemoteWipe directive: acknowledge and wipe (MS-ASPROV 3.1.5.1.2.2-3,
// PROVISIONING.md 1.7). Always ends the flow.
bool flow::wipe(const wbxml::element& provision) {
  const bool account_only = provision.child(tag("Provision:AccountOnlyRemoteWipe")) != nullptr;
  const char* directive = account_only ? "AccountOnlyRemoteWipe" : "RemoteWipe";
  const bool performs = p_.react.wipe != phone::wipe_kind::none;
  if (!post(std::string("Provision (") + directive + " acknowledged)", "Provision",
            wipe_acknowledge_request(account_only, performs ? 1 : 2), key_)) {
    return false;
  }
  res_.steps.back().note = performs ? (p_.react.wipe == phone::wipe_kind::full ? "the phone resets to factory settings"
                                                                                : "the phone removes the account and its data")
                                    : "the phone cannot wipe";
  fail_with(performs ? outcome_of(phone::outcome_kind::wiped) : outcome_of(phone::outcome_kind::eas_status, 140));
  return false;
}

// What the phone makes of the downloaded policy: the WAP XML document in 2.5, the
// EASProvisionDoc from 12.0.
phone::enforcement flow::enforce(const wbxml::element& policy) const {
  const auto* data = policy.child(tag("Provision:Data"));
  if (*res_.version == v2_5) return phone::enforce_wap(p_, data != nullptr ? std::string_view(data->value) : std::string_view());
  const auto* doc = data != nullptr ? data->child(tag("Provision:EASProvisionDoc")) : nullptr;
  return phone::enforce(p_, doc != nullptr ? *doc : wbxml::element(tag("Provision:EASProvisionDoc")));
}

// Download, enforcement decision, acknowledgement (MS-ASPROV 3.1.5.1.1 and 3.1.5.1.2.1).
bool flow::provision() {
  ++provision_rounds_;
  std::optional<wbxml::element> info;
  if (phone::sends_device_information_in_provision(p_, *res_.version)) info = simulator::device_information(p_, *res_.version);
  // The initial request carries key 0 (MS-ASPROV 3.1.5.1.1, R618).
  const auto a = post("Provision (download)", "Provision",
                      provision_download_request(*res_.version, info ? &*info : nullptr), std::string("0"));
  if (!a || !answered_ok(*a)) return false;
  if (is_wipe(*a->body)) return wipe(*a->body);
  const auto* policy = policy_of(*a->body);
  const int policy_status =
      policy != nullptr ? common::parse_decimal<int>(policy->child_text(tag("Provision:Status"))).value_or(0) : 0;
  if (policy_status == 2) {
    // MS-ASPROV 2.2.2.54.1: no policy for this client; nothing to enforce or acknowledge.
    res_.steps.back().note = "no policy for this client";
    key_ = "0";
    return true;
  }
  if (policy == nullptr || policy_status != 1) {
    res_.steps.back().ok = false;
    res_.steps.back().note = "Policy Status " + std::to_string(policy_status);
    fail_with(outcome_of(phone::outcome_kind::eas_status, policy_status));
    return false;
  }
  const auto e = enforce(*policy);
  res_.unenforceable = e.unenforceable_names();
  res_.ack_status = e.ack_status;
  res_.steps.back().note = enforcement_note(e, res_.unenforceable);
  return acknowledge(e, std::string(policy->child_text(tag("Provision:PolicyKey"))));
}

// MS-ASPROV 2.2.2.54.1: Status 1 applied, 2 partly applied, 3 not applied, with the temporary key.
bool flow::acknowledge(const phone::enforcement& e, const std::string& temporary) {
  const auto a = post("Provision (acknowledge " + std::to_string(e.ack_status) + ")", "Provision",
                      provision_acknowledge_request(*res_.version, temporary, e.ack_status), temporary);
  if (!a || !answered_ok(*a)) return false;
  if (is_wipe(*a->body)) return wipe(*a->body);
  return keep_key_from(*a, e, temporary);
}

// The key the phone goes on with after its acknowledgement.
bool flow::keep_key_from(const answer& a, const phone::enforcement& e, const std::string& temporary) {
  const auto* acked = policy_of(*a.body);
  const std::string permanent = acked != nullptr ? std::string(acked->child_text(tag("Provision:PolicyKey"))) : std::string();
  if (!permanent.empty()) {
    key_ = permanent;
    return true;
  }
  // No PolicyKey in the reply (Exchange 2010 to a partial ack without ANP, or any ack Status 3).
  if (p_.react.keeps_temporary_key && e.ack_status != 3) {
    // PROVISIONING.md 2.5: WP7 goes on with the temporary key; the next command gets 144.
    res_.steps.back().note = "no PolicyKey in the reply: keeps the temporary key";
    key_ = temporary;
    return true;
  }
  // AOSP: an acknowledgement reply without a key means provisioning failed (PROVISIONING.md 2.4).
  res_.steps.back().ok = false;
  res_.steps.back().note = "no PolicyKey in the reply: provisioning failed";
  fail_with(outcome_of(phone::outcome_kind::policies_unsupported));
  return false;
}

// A Provision reply the phone can read: HTTP 200, a body, Provision Status 1.
bool flow::answered_ok(const answer& a) {
  if (!a.http.error.empty()) {
    fail_transport(a.http);
    return false;
  }
  if (!http_ok(a) || !has_body(a)) return false;
  if (a.status != 1) {
    // MS-ASPROV 3.1.5.2: 2 protocol error, 3 server error, 139, 141, 145; 165 without
    // DeviceInformation at 14.1.
    fail_with(outcome_of(phone::outcome_kind::eas_status, a.status));
    return false;
  }
  return true;
}

}  // namespace easemu::simulator::detail
