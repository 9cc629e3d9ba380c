// Get/Clear/Remove-ActiveSyncDevice and Get-ActiveSyncDeviceStatistics, and their 2013+ twins
// *-MobileDevice and Get-MobileDeviceStatistics: a mailbox's device partnerships, Exchange's view
// of them (PROVISIONING.md 5.2), remote wipe and the mailbox log.
#include <algorithm>
#include <optional>

#include "../../admin_json.hpp"
#include "../device_view.hpp"
#include "cmdlets.hpp"
#include "easemu/common/text.hpp"
#include "easemu/provisioning/provision.hpp"
#include "easemu/server/provisioning_service.hpp"
#include "easemu/shell/opath.hpp"

namespace easemu::server {

namespace prov = provisioning;
using admin_json::optional_time;  // JSON null for "never" (the admin API's convention too)
using common::iequals;

std::string device_status(const store::device_provisioning& p) {
  if (p.wipe_ack_ms != 0) return "DeviceWipeSucceeded";
  if (p.wipe_requested_ms != 0 || p.wipe_sent_ms != 0) return p.last_policy_ms == 0 ? "DeviceBlocked" : "DeviceWipePending";
  return "DeviceOk";
}

namespace {

// LastSuccessSync (the newest Sync or FolderSync answered with Status 1, from the request
// journal), LastPingHeartbeat (seconds) and NumberOfFoldersSynced (collections with sync state)
// of Get-ActiveSyncDeviceStatistics (PROVISIONING.md 5.2).
device_statistics statistics_of(const store::store& db, const exchange_shell::mail_hooks& hooks,
                                const store::device_record& d) {
  device_statistics out;
  for (const char* command : {"Sync", "FolderSync"}) {
    store::journal_filter f;
    f.user = d.mailbox;
    f.device_id = d.device_id;
    f.command = command;
    f.summary = true;
    f.limit = 50;
    for (const auto& e : db.query_journal(f)) {
      if (e.http_status == 200 && (e.eas_status == 1 || e.eas_status == 0)) {
        out.last_success_sync_ms = std::max(out.last_success_sync_ms, e.time_ms);
        break;
      }
    }
  }
  out.last_ping_heartbeat = hooks.last_heartbeat ? hooks.last_heartbeat(d.mailbox, d.device_id) : 0;
  for (const auto& f : db.list_folders(d.mailbox)) {
    const auto state = db.find_collection_state(d.mailbox, d.device_id, f.server_id);
    if (state && state->key != 0) ++out.folders_synced;
  }
  out.status = device_status(d.provisioning);
  return out;
}

// A device as Exchange shows it: Get-ActiveSyncDevice's properties; with `full`, those of
// Get-ActiveSyncDeviceStatistics too; with `derived`, the values it derives from the journal
// (statistics_of). Rendered from the device view, the one table the admin API's device JSON
// comes from too.
boost::json::object mobile_device_object(const store::device_record& d, bool full, const device_statistics* derived,
                                         std::uint8_t release) {
  using admin::exchange_device_view;
  auto o = admin::exchange_device_object({d, nullptr, release}, full ? exchange_device_view::device_statistics
                                                                     : exchange_device_view::device);
  if (derived == nullptr) return o;
  for (auto& [k, v] : admin::exchange_device_object({d, derived, release}, exchange_device_view::derived_statistics)) {
    o[k] = v;
  }
  return o;
}

}  // namespace

device_statistics exchange_shell::statistics(const store::device_record& d) const {
  return statistics_of(*store_, hooks_, d);
}

namespace cmdlets {

namespace {

// A device by DeviceId, or by Exchange's identity: 2013's <alias>\ExchangeActiveSyncDevices\<type>§<id>
// or 2010's <domain>/Users/<name>/ExchangeActiveSyncDevices/<type>§<id> (device_view.cpp).
store::device_record find_device(const store::store& db, const std::string& identity) {
  std::optional<std::string> mailbox;
  std::string id = identity;
  static const std::string container = "/ExchangeActiveSyncDevices/";
  if (const auto c = identity.find(container); c != std::string::npos) {
    const auto user_start = identity.rfind('/', c - 1);
    mailbox = find_mailbox(db, identity.substr(user_start == std::string::npos ? 0 : user_start + 1,
                                               c - (user_start == std::string::npos ? 0 : user_start + 1)))
                  .address;
    id = identity.substr(c + container.size());
    static const std::string section = "\xC2\xA7";  // §, UTF-8
    if (const auto s = id.find(section); s != std::string::npos) id = id.substr(s + section.size());
  } else if (const auto slash = identity.find('\\'); slash != std::string::npos) {
    mailbox = find_mailbox(db, identity.substr(0, slash)).address;
    id = identity.substr(identity.rfind('\\') + 1);
    static const std::string section = "\xC2\xA7";  // §, UTF-8
    if (const auto s = id.find(section); s != std::string::npos) id = id.substr(s + section.size());
  }
  std::vector<store::device_record> matches;
  for (auto& d : db.list_devices(mailbox)) {
    if (iequals(d.device_id, id)) matches.push_back(std::move(d));
  }
  if (matches.empty()) throw not_found(identity);
  if (matches.size() > 1) {
    throw shell_error("The device '" + identity +
                      "' has partnerships with several mailboxes; use <alias>\\ExchangeActiveSyncDevices\\<type>\xC2\xA7<id>.");
  }
  return matches.front();
}

boost::json::array clear_device(const cmdlet_arguments& args, const cmdlet_context& c) {
  const auto device = find_device(c.db, args.required("Identity"));
  if (args.flag("WhatIf")) return {what_if("Wiping mobile device \"" + device.device_id + "\".")};
  const auto error = c.provisioning.request_wipe(device.mailbox, device.device_id, args.flag("AccountOnly"),
                                                 c.requestor, args.flag("Cancel"), c.now_ms);
  if (!error.empty()) throw shell_error(error);
  return {};
}

boost::json::array remove_device(const cmdlet_arguments& args, const cmdlet_context& c) {
  const auto device = find_device(c.db, args.required("Identity"));
  if (args.flag("WhatIf")) return {what_if("Removing mobile device \"" + device.device_id + "\".")};
  c.db.delete_device(device.mailbox, device.device_id);
  return {};
}

// The devices of -Identity, of -Mailbox, or (Get-*Device only) every device.
std::vector<store::device_record> selected_devices(const cmdlet_arguments& args, const cmdlet_context& c, bool full) {
  if (args.has("Identity")) return {find_device(c.db, args.required("Identity"))};
  if (args.has("Mailbox")) return c.db.list_devices(find_mailbox(c.db, args.required("Mailbox")).address);
  if (full) {
    throw shell_error("Cannot process command because of one or more missing mandatory parameters: Identity or Mailbox.");
  }
  return c.db.list_devices();
}

// -Filter {Property -op Value ...} over the properties the cmdlet shows (Exchange's OPATH).
std::optional<shell::opath_filter> device_filter(const cmdlet_arguments& args, bool full, std::uint8_t release) {
  if (!args.has("Filter")) return std::nullopt;
  std::vector<std::string> known;
  for (const auto& [k, v] : mobile_device_object(store::device_record{}, full, nullptr, release)) known.emplace_back(k);
  auto parsed = shell::parse_opath(args.required("Filter"), known);
  if (!parsed) throw shell_error("Cannot bind parameter 'Filter': " + shell::to_string(parsed.error()));
  return std::move(*parsed);
}

bool passes(const shell::opath_filter& filter, const boost::json::object& o) {
  return filter.matches([&](std::string_view property) -> std::optional<std::string> {
    const auto* v = o.if_contains(property);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (v->is_string()) return std::string(v->as_string());
    if (v->is_bool()) return v->as_bool() ? "True" : "False";
    return boost::json::serialize(*v);
  });
}

// Get-*Device (`full` false) and Get-*DeviceStatistics (`full` true), with -Filter and
// -GetMailboxLog [-NotificationEmailAddresses].
boost::json::array list_devices(const cmdlet_arguments& args, const cmdlet_context& c, bool full) {
  const auto devices = selected_devices(args, c, full);
  const auto filter = device_filter(args, full, c.release);
  const bool with_log = args.flag("GetMailboxLog");
  boost::json::array out;
  for (const auto& d : devices) {
    auto o = mobile_device_object(d, full, nullptr, c.release);
    if (filter && !passes(*filter, o)) continue;
    if (full) {
      if (c.hooks.flush_journal) c.hooks.flush_journal();
      const auto derived = statistics_of(c.db, c.hooks, d);
      o = mobile_device_object(d, full, &derived, c.release);
    }
    if (with_log) o["MailboxLogReport"] = mailbox_log(c, d);
    out.push_back(std::move(o));
  }
  // -ResultSize: a count, or Unlimited (Exchange's default is 1000).
  if (args.has("ResultSize") && !common::iequals(args.text("ResultSize"), "Unlimited")) {
    const auto n = common::parse_decimal<std::uint32_t>(args.text("ResultSize"));
    if (!n) throw shell_error("Cannot bind parameter 'ResultSize'. Cannot convert value \"" + args.text("ResultSize") + "\" to type \"Microsoft.Exchange.Data.Unlimited`1[System.UInt32]\".");
    if (out.size() > *n) out.resize(*n);
  }
  if (with_log && args.has("NotificationEmailAddresses")) {
    send_mailbox_logs(c, devices, value_items(*args.get("NotificationEmailAddresses")));
  }
  return out;
}

boost::json::array get_devices(const cmdlet_arguments& args, const cmdlet_context& c) {
  return list_devices(args, c, false);
}

boost::json::array get_statistics(const cmdlet_arguments& args, const cmdlet_context& c) {
  return list_devices(args, c, true);
}

// The parameters of each cmdlet page (Get-ActiveSyncDevice, Get-ActiveSyncDeviceStatistics and
// their twins; "Applicable" per release). -ActiveSync and -OWAforDevices came with 2013's
// Get-MobileDevice*; Get-ActiveSyncDeviceStatistics has no -Filter, so Exchange answers it as an
// unknown parameter, and a script tried on the lab fails as it would on Exchange.
constexpr cmdlet_parameter_spec device_parameters[] = {
    {"Identity"},   {"Mailbox"}, {"Filter"}, {"ResultSize"},
    {"ActiveSync", release::from_2013}, {"OWAforDevices", release::from_2013}};
constexpr cmdlet_parameter_spec statistics_parameters[] = {
    {"Identity"},   {"Mailbox"}, {"ShowRecoveryPassword"}, {"GetMailboxLog"}, {"NotificationEmailAddresses"},
    {"ActiveSync", release::from_2013}, {"OWAforDevices", release::from_2013}};
constexpr cmdlet_parameter_spec clear_parameters[] = {
    {"Identity"}, {"AccountOnly"}, {"Cancel"}, {"NotificationEmailAddresses"}};
constexpr cmdlet_parameter_spec identity_only[] = {{"Identity"}};

constexpr cmdlet_spec device_cmdlets[] = {
    {.name = "Get-ActiveSyncDevice", .twin = "Get-MobileDevice", .parameters = device_parameters,
     .positional = "Identity", .handler = get_devices},
    {.name = "Clear-ActiveSyncDevice", .twin = "Clear-MobileDevice", .parameters = clear_parameters,
     .positional = "Identity", .handler = clear_device},
    {.name = "Remove-ActiveSyncDevice", .twin = "Remove-MobileDevice", .parameters = identity_only,
     .positional = "Identity", .handler = remove_device},
    {.name = "Get-ActiveSyncDeviceStatistics", .twin = "Get-MobileDeviceStatistics", .parameters = statistics_parameters,
     .positional = "Identity", .handler = get_statistics},
};

}  // namespace

cmdlet_family mobile_device_cmdlets() { return {"", device_cmdlets}; }

}  // namespace cmdlets

}  // namespace easemu::server
