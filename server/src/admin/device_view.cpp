#include "device_view.hpp"

#include <array>
#include <cctype>
#include <cstddef>
#include <cstdio>
#include <string>

#include "admin_json.hpp"
#include "easemu/common/time.hpp"
#include "easemu/provisioning/provision.hpp"
#include "easemu/store/store.hpp"

namespace easemu::server::admin {

namespace {

namespace json = boost::json;
namespace prov = easemu::provisioning;
using admin_json::optional_time;
using f = device_field;
using facts = device_facts;

const store::device_provisioning& prov_of(const facts& x) { return x.record.provisioning; }

// JSON null for an empty text.
json::value text_or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

// Exchange shows a device's phone number with all but its last four digits hidden
// (PROVISIONING.md 5.2).
json::value masked_phone(const facts& x) {
  const auto& number = x.record.information.phone_number;
  if (number.empty()) return nullptr;
  if (number.size() <= 4) return json::value(number);
  return json::value(std::string(number.size() - 4, '*') + number.substr(number.size() - 4));
}

// Where a remote wipe stands: null (none), requested, sent, acknowledged or failed.
json::value wipe_status(const facts& x) {
  const auto& p = prov_of(x);
  if (p.wipe_failed) return "failed";
  if (p.wipe_ack_ms != 0) return "acknowledged";
  if (p.wipe_sent_ms != 0) return "sent";
  if (p.wipe_requested_ms != 0) return "requested";
  return nullptr;
}

// Exchange splits a wipe's times by kind: DeviceWipe* for a whole-device wipe, AccountOnly* for
// an account-only one (MS-ASPROV 2.2.2.2.1 AccountOnlyRemoteWipe).
json::value wipe_time(std::int64_t ms, bool shown) { return optional_time(shown ? ms : 0); }

const device_statistics* stats(const facts& x) { return x.statistics; }

template <std::string store::device_record::*field>
json::value record_text(const facts& x) {
  return json::value(x.record.*field);
}
template <std::string store::device_information_record::*field>
json::value info_text(const facts& x) {
  return json::value(x.record.information.*field);
}
template <std::int64_t store::device_record::*field>
json::value record_time(const facts& x) {
  return optional_time(x.record.*field);
}
template <std::int64_t store::device_provisioning::*field>
json::value provisioning_time(const facts& x) {
  return optional_time(prov_of(x).*field);
}
// DeviceWipe*Time (`account_only` false) and AccountOnlyDeviceWipe*Time (true).
template <std::int64_t store::device_provisioning::*field, bool account_only>
json::value exchange_wipe_time(const facts& x) {
  return wipe_time(prov_of(x).*field, prov_of(x).wipe_account_only == account_only);
}

json::value iso_first_seen(const facts& x) { return json::value(common::iso8601_utc(x.record.first_seen_ms)); }
json::value iso_last_seen(const facts& x) { return json::value(common::iso8601_utc(x.record.last_seen_ms)); }
json::value policy_applied(const facts& x) { return json::value(prov_of(x).policy_name); }
json::value policy_name(const facts& x) { return text_or_null(prov_of(x).policy_name); }
json::value application_status(const facts& x) {
  return json::value(prov::to_string(static_cast<prov::application_status>(prov_of(x).policy_status)));
}
json::value account_only(const facts& x) { return json::value(prov_of(x).wipe_account_only); }
json::value access_state(const facts& x) {
  return json::value(x.record.access.state.empty() ? "Allowed" : x.record.access.state);
}
json::value access_reason(const facts& x) {
  return json::value(x.record.access.reason.empty() ? "Global" : x.record.access.reason);
}
json::value access_rule(const facts& x) { return text_or_null(x.record.access.rule); }
json::value last_success_sync(const facts& x) {
  return stats(x) == nullptr ? json::value(nullptr) : optional_time(stats(x)->last_success_sync_ms);
}
json::value last_ping_heartbeat(const facts& x) {
  if (stats(x) == nullptr || stats(x)->last_ping_heartbeat == 0) return nullptr;
  return json::value(stats(x)->last_ping_heartbeat);
}
json::value folders_synced(const facts& x) {
  return stats(x) == nullptr ? json::value(nullptr) : json::value(stats(x)->folders_synced);
}
// Exchange's Status; what the statistics derived, when they were (the same value).
json::value status(const facts& x) {
  return json::value(stats(x) != nullptr ? stats(x)->status : device_status(prov_of(x)));
}
// Exchange 2010 keeps a partnership in Active Directory, under the user's object, and names it by
// that path (<domain>/Users/<name>/ExchangeActiveSyncDevices/<type>§<id>; the lab's user objects
// are named by alias); 2013 moved it into the mailbox: <alias>\ExchangeActiveSyncDevices\<type>§<id>.
json::value identity(const facts& x) {
  const auto at = x.record.mailbox.find('@');
  const auto alias = x.record.mailbox.substr(0, at);
  const auto device = x.record.device_type + "\xC2\xA7" + x.record.device_id;
  if (x.release == release::e2010sp1) {
    const auto domain = at == std::string::npos ? std::string("lab.test") : x.record.mailbox.substr(at + 1);
    return json::value(domain + "/Users/" + alias + "/ExchangeActiveSyncDevices/" + device);
  }
  return json::value(alias + "\\ExchangeActiveSyncDevices\\" + device);
}
// A stable Guid per partnership (name-based, from mailbox and device id), as Exchange gives each
// device object one.
json::value device_guid(const facts& x) {
  std::uint64_t h1 = 1469598103934665603ULL, h2 = 1099511628211ULL;
  for (const char c : x.record.mailbox + '\n' + x.record.device_id) {
    h1 = (h1 ^ static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(c)))) * 1099511628211ULL;
    h2 = (h2 + static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(c)))) * 6364136223846793005ULL + 1;
  }
  char out[37];
  std::snprintf(out, sizeof out, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(h1 >> 32),
                static_cast<unsigned>((h1 >> 16) & 0xFFFF), static_cast<unsigned>(h1 & 0x0FFF),
                static_cast<unsigned>(0x8000 | ((h2 >> 48) & 0x3FFF)),
                static_cast<unsigned long long>(h2 & 0xFFFFFFFFFFFFULL));
  return json::value(out);
}
json::value null_value(const facts&) { return nullptr; }
json::value no_sms(const facts&) { return json::value(false); }
json::value client_type(const facts&) { return json::value("EAS"); }
json::value wipe_requestor(const facts& x) { return text_or_null(prov_of(x).wipe_requestor); }
json::value remote_wipe_supported(const facts& x) { return json::value(prov_of(x).last_policy_ms != 0); }

using rec = store::device_record;
using info = store::device_information_record;
using prv = store::device_provisioning;

// The admin API's order; the fields only Exchange shows come last.
constexpr std::array fields{
    device_field_spec{f::user, "user", "UserDisplayName", record_text<&rec::mailbox>},
    device_field_spec{f::mailbox, "mailbox", "", record_text<&rec::mailbox>},
    device_field_spec{f::device_id, "device_id", "DeviceId", record_text<&rec::device_id>},
    device_field_spec{f::device_type, "device_type", "DeviceType", record_text<&rec::device_type>},
    device_field_spec{f::user_agent, "user_agent", "DeviceUserAgent", record_text<&rec::user_agent>},
    device_field_spec{f::protocol_version, "protocol_version", "ClientVersion", record_text<&rec::protocol_version>},
    device_field_spec{f::first_seen, "first_seen", "", iso_first_seen},
    device_field_spec{f::last_seen, "last_seen", "", iso_last_seen},
    device_field_spec{f::model, "model", "DeviceModel", info_text<&info::model>},
    device_field_spec{f::imei, "imei", "DeviceImei", info_text<&info::imei>},
    device_field_spec{f::friendly_name, "friendly_name", "DeviceFriendlyName", info_text<&info::friendly_name>},
    device_field_spec{f::os, "os", "DeviceOS", info_text<&info::os>},
    device_field_spec{f::os_language, "os_language", "DeviceOSLanguage", info_text<&info::os_language>},
    device_field_spec{f::phone_number, "phone_number", "DevicePhoneNumber", info_text<&info::phone_number>, masked_phone},
    device_field_spec{f::mobile_operator, "mobile_operator", "DeviceMobileOperator", info_text<&info::mobile_operator>},
    device_field_spec{f::policy_applied, "policy_applied", "", policy_applied},
    device_field_spec{f::policy_application_status, "policy_application_status", "DevicePolicyApplicationStatus",
                      application_status},
    device_field_spec{f::last_policy_update_time, "last_policy_update_time", "LastPolicyUpdateTime",
                      provisioning_time<&prv::last_policy_ms>},
    device_field_spec{f::wipe_request_time, "wipe_request_time", "DeviceWipeRequestTime",
                      provisioning_time<&prv::wipe_requested_ms>, exchange_wipe_time<&prv::wipe_requested_ms, false>},
    device_field_spec{f::wipe_sent_time, "wipe_sent_time", "DeviceWipeSentTime", provisioning_time<&prv::wipe_sent_ms>,
                      exchange_wipe_time<&prv::wipe_sent_ms, false>},
    device_field_spec{f::wipe_ack_time, "wipe_ack_time", "DeviceWipeAckTime", provisioning_time<&prv::wipe_ack_ms>,
                      exchange_wipe_time<&prv::wipe_ack_ms, false>},
    device_field_spec{f::wipe_account_only, "wipe_account_only", "", account_only},
    device_field_spec{f::access_state, "access_state", "DeviceAccessState", access_state},
    device_field_spec{f::access_state_reason, "access_state_reason", "DeviceAccessStateReason", access_reason},
    device_field_spec{f::access_control_rule, "access_control_rule", "DeviceAccessControlRule", access_rule},
    device_field_spec{f::access_rule, "access_rule", "", access_rule},
    device_field_spec{f::policy_name, "policy_name", "DevicePolicyApplied", policy_name},
    device_field_spec{f::first_sync, "first_sync", "FirstSyncTime", record_time<&rec::first_seen_ms>},
    device_field_spec{f::last_sync_attempt, "last_sync_attempt", "LastSyncAttemptTime", record_time<&rec::last_seen_ms>},
    device_field_spec{f::last_success_sync, "last_success_sync", "LastSuccessSync", last_success_sync},
    device_field_spec{f::last_ping_heartbeat, "last_ping_heartbeat", "LastPingHeartbeat", last_ping_heartbeat},
    device_field_spec{f::folders_synced, "folders_synced", "NumberOfFoldersSynced", folders_synced},
    device_field_spec{f::wipe_status, "wipe_status", "", wipe_status},
    device_field_spec{f::status, "status", "Status", status},
    device_field_spec{f::identity, "", "Identity", identity},
    device_field_spec{f::client_type, "", "ClientType", client_type},
    device_field_spec{f::account_only_wipe_request_time, "", "AccountOnlyDeviceWipeRequestTime",
                      exchange_wipe_time<&prv::wipe_requested_ms, true>},
    device_field_spec{f::account_only_wipe_sent_time, "", "AccountOnlyDeviceWipeSentTime",
                      exchange_wipe_time<&prv::wipe_sent_ms, true>},
    device_field_spec{f::account_only_wipe_ack_time, "", "AccountOnlyDeviceWipeAckTime",
                      exchange_wipe_time<&prv::wipe_ack_ms, true>},
    device_field_spec{f::last_wipe_requestor, "", "LastDeviceWipeRequestor", wipe_requestor},
    device_field_spec{f::remote_wipe_supported, "", "IsRemoteWipeSupported", remote_wipe_supported},
    device_field_spec{f::guid, "", "Guid", device_guid},
    // Shown only with -ShowRecoveryPassword; the lab keeps none (Settings DevicePassword is not stored).
    device_field_spec{f::recovery_password, "", "RecoveryPassword", null_value},
    device_field_spec{f::enable_outbound_sms, "", "DeviceEnableOutboundSMS", no_sms},
    device_field_spec{f::status_note, "", "StatusNote", null_value},
    device_field_spec{f::sync_state_upgrade_time, "", "SyncStateUpgradeTime", null_value},
};

constexpr bool ids_are_indexes() {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (static_cast<std::size_t>(fields[i].id) != i) return false;
  }
  return true;
}
static_assert(ids_are_indexes(), "device_fields: each row sits at its id's index");

// Get-ActiveSyncDevice's properties in its order.
constexpr std::array device_order{
    f::identity, f::device_id, f::device_type, f::user_agent, f::model, f::imei, f::friendly_name, f::os,
    f::os_language, f::mobile_operator, f::phone_number, f::protocol_version, f::client_type, f::first_sync, f::user,
    f::access_state, f::access_state_reason, f::access_control_rule,
};
template <std::size_t n, std::size_t m>
constexpr std::array<device_field, n + m> joined(const std::array<device_field, n>& a, const std::array<device_field, m>& b) {
  std::array<device_field, n + m> out{};
  for (std::size_t k = 0; k < n; ++k) out[k] = a[k];
  for (std::size_t k = 0; k < m; ++k) out[n + k] = b[k];
  return out;
}
// Get-ActiveSyncDeviceStatistics shows these after them...
// PROVISIONING.md 5.2 (the statistics object's properties): Guid, RecoveryPassword,
// DeviceEnableOutboundSMS, StatusNote and SyncStateUpgradeTime among them.
constexpr auto statistics_order = joined(
    device_order, std::array{f::last_sync_attempt, f::last_policy_update_time, f::policy_name, f::policy_application_status,
                             f::wipe_request_time, f::wipe_sent_time, f::wipe_ack_time, f::account_only_wipe_request_time,
                             f::account_only_wipe_sent_time, f::account_only_wipe_ack_time, f::last_wipe_requestor,
                             f::remote_wipe_supported, f::status, f::status_note, f::recovery_password,
                             f::enable_outbound_sms, f::sync_state_upgrade_time, f::guid});
// ... and, after a -Filter has been applied to those, what it derives.
constexpr std::array derived_order{f::last_success_sync, f::last_ping_heartbeat, f::folders_synced};

}  // namespace

std::span<const device_field_spec> device_fields() { return fields; }

const device_field_spec& field_spec(device_field id) { return fields[static_cast<std::size_t>(id)]; }

std::span<const device_field> exchange_fields(exchange_device_view view) {
  switch (view) {
    case exchange_device_view::device: return device_order;
    case exchange_device_view::device_statistics: return statistics_order;
    case exchange_device_view::derived_statistics: return derived_order;
  }
  return {};
}

boost::json::object admin_device_json(const store::device_record& d, const device_statistics& stats) {
  const device_facts x{d, &stats};
  json::object o;
  for (const auto& spec : fields) {
    if (!spec.admin_name.empty()) o[spec.admin_name] = spec.value(x);
  }
  return o;
}

boost::json::object exchange_device_object(const device_facts& x, exchange_device_view view) {
  json::object o;
  for (const auto id : exchange_fields(view)) {
    const auto& spec = field_spec(id);
    if ((spec.releases & x.release) == 0) continue;
    o[spec.exchange_name] = (spec.exchange_value != nullptr ? spec.exchange_value : spec.value)(x);
  }
  return o;
}

}  // namespace easemu::server::admin
