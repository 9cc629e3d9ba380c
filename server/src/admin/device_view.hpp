#pragma once
// A device partnership's fields as one table: each field once, named as the admin API spells it
// (snake_case) and as Exchange's cmdlets spell it (Get-ActiveSyncDevice and
// Get-ActiveSyncDeviceStatistics, PROVISIONING.md 5.2), with how its value is computed. The admin
// API's device JSON and the shell's device objects are both rendered from it, so the two views of
// one record cannot drift apart.
#include <cstdint>
#include <span>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "easemu/server/exchange_shell.hpp"  // device_statistics

namespace easemu::store {
struct device_record;
}

namespace easemu::server::admin {

// What a field's value comes from: the stored record and, for the statistics fields, what
// Get-ActiveSyncDeviceStatistics derives (nullptr where nothing was derived: those fields are null).
struct device_facts {
  const store::device_record& record;
  const device_statistics* statistics = nullptr;
  // The emulated Exchange release's bit (exchange_profile.hpp): the Identity form and the
  // properties each release's cmdlet shows. 2010 SP1, the lab's default, until told.
  std::uint8_t release = release::e2010sp1;
};

using device_value_fn = boost::json::value (*)(const device_facts&);

// Every field of the table; `device_fields()[i].id == i`.
enum class device_field : std::uint8_t {
  user, mailbox, device_id, device_type, user_agent, protocol_version, first_seen, last_seen,
  model, imei, friendly_name, os, os_language, phone_number, mobile_operator,
  policy_applied, policy_application_status, last_policy_update_time,
  wipe_request_time, wipe_sent_time, wipe_ack_time, wipe_account_only,
  access_state, access_state_reason, access_control_rule, access_rule, policy_name,
  first_sync, last_sync_attempt, last_success_sync, last_ping_heartbeat, folders_synced,
  wipe_status, status,
  // Only Exchange shows these.
  identity, client_type, account_only_wipe_request_time, account_only_wipe_sent_time,
  account_only_wipe_ack_time, last_wipe_requestor, remote_wipe_supported,
  guid, recovery_password, enable_outbound_sms, status_note, sync_state_upgrade_time,
};

struct device_field_spec {
  device_field id;
  std::string_view admin_name;     // empty: the admin API does not show it
  std::string_view exchange_name;  // empty: Exchange has no such property
  device_value_fn value;
  // Where Exchange shows the same fact differently (the phone number masked, a wipe's times
  // split by account-only wipes); nullptr: as `value`.
  device_value_fn exchange_value = nullptr;
  // The releases whose cmdlets show it (exchange_profile.hpp: release).
  std::uint8_t releases = release::all;
};

// The table, in the order the admin API shows the fields.
std::span<const device_field_spec> device_fields();
const device_field_spec& field_spec(device_field id);

// Which of Exchange's device objects to render.
enum class exchange_device_view {
  device,             // Get-ActiveSyncDevice
  device_statistics,  // Get-ActiveSyncDeviceStatistics, without the derived statistics
  derived_statistics, // the derived statistics alone (LastSuccessSync, ...), added after a -Filter
};
// The fields of an Exchange view, in the order the cmdlet shows them.
std::span<const device_field> exchange_fields(exchange_device_view view);

// A device as the admin API shows it (GET /api/v1/devices[/{DeviceId}]).
boost::json::object admin_device_json(const store::device_record& d, const device_statistics& stats);
// A device as an Exchange cmdlet shows it, by Exchange's property names.
boost::json::object exchange_device_object(const device_facts& facts, exchange_device_view view);

}  // namespace easemu::server::admin
