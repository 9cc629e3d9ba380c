#include "easemu/server/exchange_shell.hpp"

#include "easemu/common/text.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <functional>
#include <optional>
#include <stdexcept>

#include "easemu/shell/cmdlet_parser.hpp"
#include "easemu/shell/opath.hpp"
#include "easemu/common/time.hpp"
#include "easemu/mailbox/message.hpp"
#include "easemu/provisioning/policy.hpp"
#include "easemu/provisioning/provision.hpp"
#include "easemu/server/access_service.hpp"
#include "easemu/server/provisioning_service.hpp"
#include "easemu/store/store.hpp"

#include "admin_json.hpp"

namespace easemu::server {

namespace {

using shell::cmdlet_call;
using shell::cmdlet_value;
namespace prov = provisioning;

using common::iequals;

// A failed statement: the message PowerShell users would see.
struct shell_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Accepted by every cmdlet (PowerShell's common parameters and Exchange's usual extras).
constexpr const char* common_parameters[] = {"Confirm", "WhatIf", "Verbose", "Debug", "ErrorAction",
                                             "WarningAction", "DomainController", "ErrorVariable"};

// Set-CASMailbox -ActiveSyncDebugLogging, kept in the lab state per mailbox.
std::string debug_logging_key(const std::string& address) { return "debug_logging:" + common::ascii_lowercase(address); }

std::string value_text(const cmdlet_value& v) {
  switch (v.type) {
    case cmdlet_value::kind::text: return v.text;
    case cmdlet_value::kind::boolean: return v.flag ? "$true" : "$false";
    case cmdlet_value::kind::null: return "$null";
    case cmdlet_value::kind::present: return "$true";
    case cmdlet_value::kind::list: {
      std::string out;
      for (const auto& item : v.items) out += (out.empty() ? "" : ",") + value_text(item);
      return out;
    }
    case cmdlet_value::kind::hashtable: break;
  }
  throw shell_error("A hashtable (@{...}) is not accepted here.");
}

std::vector<std::string> value_items(const cmdlet_value& v) {
  if (v.type == cmdlet_value::kind::list) {
    std::vector<std::string> out;
    for (const auto& item : v.items) out.push_back(value_text(item));
    return out;
  }
  if (v.type == cmdlet_value::kind::null) return {};
  return {value_text(v)};
}

bool value_flag(const cmdlet_value& v, const std::string& name) {
  if (v.type == cmdlet_value::kind::boolean) return v.flag;
  if (v.type == cmdlet_value::kind::present) return true;
  const auto t = value_text(v);
  if (iequals(t, "$true") || iequals(t, "true") || t == "1") return true;
  if (iequals(t, "$false") || iequals(t, "false") || t == "0") return false;
  throw shell_error("Cannot process argument transformation on parameter '" + name + "'. Cannot convert value '" + t +
                    "' to type System.Boolean.");
}

// The call's parameters, checked against what the cmdlet accepts (and the common ones).
class bound {
 public:
  // An empty `accepted` list: the caller checked the names already (the policy cmdlets take every
  // setting of the table).
  bound(const cmdlet_call& call, std::initializer_list<const char*> accepted, const char* positional = "Identity")
      : call_(call) {
    for (const auto& p : call.parameters) {
      if (accepted.size() == 0) break;
      const bool known = std::any_of(accepted.begin(), accepted.end(), [&](const char* a) { return iequals(a, p.name); }) ||
                         std::any_of(std::begin(common_parameters), std::end(common_parameters),
                                     [&](const char* a) { return iequals(a, p.name); });
      if (!known) throw shell_error("A parameter cannot be found that matches parameter name '" + p.name + "'.");
    }
    if (!call.positional.empty()) {
      if (positional == nullptr || call.positional.size() > 1 || has(positional)) {
        throw shell_error("A positional parameter cannot be found that accepts argument '" +
                          value_text(call.positional.back()) + "'.");
      }
      positional_ = &call.positional.front();
      positional_name_ = positional;
    }
  }

  const cmdlet_value* get(std::string_view name) const {
    for (const auto& p : call_.parameters) {
      if (iequals(p.name, name)) return &p.value;
    }
    if (positional_ != nullptr && iequals(positional_name_, name)) return positional_;
    return nullptr;
  }
  bool has(std::string_view name) const { return get(name) != nullptr; }
  std::string text(std::string_view name) const {
    const auto* v = get(name);
    return v != nullptr ? value_text(*v) : std::string();
  }
  std::string required(std::string_view name) const {
    const auto* v = get(name);
    if (v == nullptr || value_text(*v).empty()) {
      throw shell_error("Cannot process command because of one or more missing mandatory parameters: " +
                        std::string(name) + ".");
    }
    return value_text(*v);
  }
  bool flag(std::string_view name) const {
    const auto* v = get(name);
    return v != nullptr && value_flag(*v, std::string(name));
  }
  const std::vector<shell::cmdlet_parameter>& parameters() const { return call_.parameters; }

 private:
  const cmdlet_call& call_;
  const cmdlet_value* positional_ = nullptr;
  std::string positional_name_;
};

bool is_common(std::string_view name) {
  return std::any_of(std::begin(common_parameters), std::end(common_parameters), [&](const char* a) { return iequals(a, name); });
}


// JSON null for "never" (the admin API's convention too).
using admin_json::optional_time;

// LastSuccessSync (the newest Sync or FolderSync answered with Status 1, from the request
// journal), LastPingHeartbeat (seconds) and NumberOfFoldersSynced (collections with sync state)
// of Get-ActiveSyncDeviceStatistics (PROVISIONING.md 5.2).
device_statistics statistics_of(const store::store& store, const exchange_shell::mail_hooks& hooks,
                                const store::device_record& d) {
  device_statistics out;
  for (const char* command : {"Sync", "FolderSync"}) {
    store::journal_filter f;
    f.user = d.mailbox;
    f.device_id = d.device_id;
    f.command = command;
    f.summary = true;
    f.limit = 50;
    for (const auto& e : store.query_journal(f)) {
      if (e.http_status == 200 && (e.eas_status == 1 || e.eas_status == 0)) {
        out.last_success_sync_ms = std::max(out.last_success_sync_ms, e.time_ms);
        break;
      }
    }
  }
  out.last_ping_heartbeat = hooks.last_heartbeat ? hooks.last_heartbeat(d.mailbox, d.device_id) : 0;
  for (const auto& f : store.list_folders(d.mailbox)) {
    const auto state = store.find_collection_state(d.mailbox, d.device_id, f.server_id);
    if (state && state->key != 0) ++out.folders_synced;
  }
  out.status = device_status(d.provisioning);
  return out;
}

class executor {
 public:
  executor(store::store& s, provisioning_service& p, access_service& a, const exchange_shell::mail_hooks& hooks,
           const std::string& requestor, std::int64_t now)
      : store_(s), provisioning_(p), access_(a), hooks_(hooks), requestor_(requestor), now_(now) {}

  boost::json::array run(const cmdlet_call& call) {
    const auto& n = call.name;
    // Exchange 2010 names and their 2013+ twins.
    if (iequals(n, "New-ActiveSyncMailboxPolicy")) return new_policy(call, false);
    if (iequals(n, "New-MobileDeviceMailboxPolicy")) return new_policy(call, true);
    if (iequals(n, "Set-ActiveSyncMailboxPolicy") || iequals(n, "Set-MobileDeviceMailboxPolicy")) return set_policy(call);
    if (iequals(n, "Get-ActiveSyncMailboxPolicy")) return get_policy(call, false);
    if (iequals(n, "Get-MobileDeviceMailboxPolicy")) return get_policy(call, true);
    if (iequals(n, "Remove-ActiveSyncMailboxPolicy") || iequals(n, "Remove-MobileDeviceMailboxPolicy")) return remove_policy(call);
    if (iequals(n, "Set-CASMailbox")) return set_cas_mailbox(call);
    if (iequals(n, "Get-CASMailbox")) return get_cas_mailbox(call);
    if (iequals(n, "Clear-ActiveSyncDevice") || iequals(n, "Clear-MobileDevice")) return clear_device(call);
    if (iequals(n, "Get-ActiveSyncDeviceStatistics") || iequals(n, "Get-MobileDeviceStatistics")) return statistics(call, true);
    if (iequals(n, "Get-ActiveSyncDevice") || iequals(n, "Get-MobileDevice")) return statistics(call, false);
    if (iequals(n, "Remove-ActiveSyncDevice") || iequals(n, "Remove-MobileDevice")) return remove_device(call);
    if (iequals(n, "Set-ActiveSyncOrganizationSettings")) return set_organization(call);
    if (iequals(n, "Get-ActiveSyncOrganizationSettings")) return get_organization(call);
    if (iequals(n, "New-ActiveSyncDeviceAccessRule")) return new_access_rule(call);
    if (iequals(n, "Set-ActiveSyncDeviceAccessRule")) return set_access_rule(call);
    if (iequals(n, "Remove-ActiveSyncDeviceAccessRule")) return remove_access_rule(call);
    if (iequals(n, "Get-ActiveSyncDeviceAccessRule")) return get_access_rules(call);
    throw shell_error("The term '" + n +
                      "' is not recognized as the name of a cmdlet easemu runs (policies: New/Set/Get/Remove-"
                      "ActiveSyncMailboxPolicy; Set/Get-CASMailbox; Get/Clear/Remove-ActiveSyncDevice, "
                      "Get-ActiveSyncDeviceStatistics, and their MobileDevice twins; Set/Get-ActiveSyncOrganizationSettings; "
                      "New/Set/Remove/Get-ActiveSyncDeviceAccessRule).");
  }

 private:
  // ---- policies ----

  std::vector<prov::policy> load_policies() {
    std::vector<prov::policy> out;
    for (const auto& r : store_.list_policies()) {
      auto p = prov::policy_from_parameters(r.parameters);
      if (!p) throw shell_error("The stored policy '" + r.name + "' does not load: " + p.error());
      out.push_back(std::move(*p));
    }
    return out;
  }

  void save_policies(const std::vector<prov::policy>& policies) {
    std::vector<store::policy_record> records;
    for (const auto& p : policies) records.push_back({p.name, p.to_parameters()});
    store_.replace_policies(records);
    provisioning_.reload();
  }

  static std::vector<prov::policy>::iterator find_policy(std::vector<prov::policy>& all, const std::string& identity) {
    auto it = std::find_if(all.begin(), all.end(), [&](const prov::policy& p) { return iequals(p.name, identity); });
    if (it == all.end()) {
      throw shell_error("The operation couldn't be performed because object '" + identity + "' couldn't be found.");
    }
    return it;
  }

  // Every policy parameter of the call onto `p`.
  static void apply(prov::policy& p, const bound& b, std::initializer_list<const char*> skip) {
    for (const auto& param : b.parameters()) {
      if (is_common(param.name) ||
          std::any_of(skip.begin(), skip.end(), [&](const char* s) { return iequals(s, param.name); })) {
        continue;
      }
      std::string error;
      if (param.value.type == cmdlet_value::kind::list || param.value.type == cmdlet_value::kind::null) {
        const auto* s = prov::find_setting(param.name);
        if (s != nullptr && (s->kind == prov::setting_kind::name_list || s->kind == prov::setting_kind::hash_list)) {
          error = p.set_parameter(param.name, value_items(param.value));
        } else {
          error = p.set_parameter(param.name, value_text(param.value));
        }
      } else {
        error = p.set_parameter(param.name, value_text(param.value));
      }
      if (!error.empty()) throw shell_error(error);
    }
  }

  static void make_only_default(std::vector<prov::policy>& all, const prov::policy& chosen) {
    if (!chosen.flag(prov::setting::IsDefault)) return;
    for (auto& other : all) {
      if (!iequals(other.name, chosen.name)) other.set(prov::setting::IsDefault, {0, {}});
    }
  }

  // A policy cmdlet accepts every setting of the table (by either name), plus its own.
  static void check_policy_parameters(const cmdlet_call& call, std::initializer_list<const char*> own) {
    for (const auto& p : call.parameters) {
      if (is_common(p.name) || prov::find_setting(p.name) != nullptr ||
          std::any_of(own.begin(), own.end(), [&](const char* o) { return iequals(o, p.name); })) {
        continue;
      }
      throw shell_error("A parameter cannot be found that matches parameter name '" + p.name + "'.");
    }
  }

  boost::json::array new_policy(const cmdlet_call& call, bool mobile_device_cmdlet) {
    check_policy_parameters(call, {"Name"});
    const bound b(call, {}, "Name");
    const auto name = b.required("Name");
    auto all = load_policies();
    if (std::any_of(all.begin(), all.end(), [&](const prov::policy& p) { return iequals(p.name, name); })) {
      throw shell_error("A mobile device mailbox policy named '" + name + "' already exists.");
    }
    prov::policy p;
    // New-ActiveSyncMailboxPolicy (2010) defaults AllowNonProvisionableDevices to $false; the
    // New-MobileDeviceMailboxPolicy page (2013+) documents $true (PROVISIONING.md 2.3).
    if (mobile_device_cmdlet) p.set(prov::setting::AllowNonProvisionableDevices, {1, {}});
    p.name = name;
    apply(p, b, {"Name"});
    if (b.flag("WhatIf")) return {what_if("Creating mobile device mailbox policy \"" + name + "\".")};
    make_only_default(all, p);
    all.push_back(p);
    save_policies(all);
    return {policy_object(p, mobile_device_cmdlet)};
  }

  boost::json::array set_policy(const cmdlet_call& call) {
    check_policy_parameters(call, {"Identity", "Name"});
    const bound b(call, {});
    const auto identity = b.required("Identity");
    auto all = load_policies();
    auto it = find_policy(all, identity);
    prov::policy changed = *it;
    apply(changed, b, {"Identity"});
    if (!iequals(changed.name, it->name) &&
        std::any_of(all.begin(), all.end(), [&](const prov::policy& p) { return iequals(p.name, changed.name); })) {
      throw shell_error("A mobile device mailbox policy named '" + changed.name + "' already exists.");
    }
    if (b.flag("WhatIf")) return {what_if("Setting mobile device mailbox policy \"" + it->name + "\".")};
    const std::string old_name = it->name;
    *it = changed;
    make_only_default(all, changed);
    save_policies(all);
    if (old_name != changed.name) rename_assignments(old_name, changed.name);
    return {};
  }

  boost::json::array get_policy(const cmdlet_call& call, bool mobile_device_cmdlet) {
    const bound b(call, {"Identity"});
    auto all = load_policies();
    boost::json::array out;
    if (b.has("Identity")) {
      out.push_back(policy_object(*find_policy(all, b.required("Identity")), mobile_device_cmdlet));
    } else {
      for (const auto& p : all) out.push_back(policy_object(p, mobile_device_cmdlet));
    }
    return out;
  }

  boost::json::array remove_policy(const cmdlet_call& call) {
    const bound b(call, {"Identity"});
    auto all = load_policies();
    auto it = find_policy(all, b.required("Identity"));
    if (it->flag(prov::setting::IsDefault)) {
      throw shell_error("The policy '" + it->name + "' is the default policy; make another policy the default first.");
    }
    if (b.flag("WhatIf")) return {what_if("Removing mobile device mailbox policy \"" + it->name + "\".")};
    const auto name = it->name;
    all.erase(it);
    save_policies(all);
    rename_assignments(name, "");  // its mailboxes fall back to the default policy
    return {};
  }

  void rename_assignments(const std::string& from, const std::string& to) {
    auto mailboxes = store_.list_mailboxes();
    bool changed = false;
    for (auto& m : mailboxes) {
      if (iequals(m.policy, from)) {
        m.policy = to;
        changed = true;
      }
    }
    if (changed) {
      store_.replace_mailboxes(mailboxes);
      provisioning_.reload();
    }
  }

  static boost::json::object what_if(const std::string& text) { return {{"WhatIf", "What if: " + text}}; }

  // ---- mailboxes ----

  // A mailbox by address, alias (the local part) or display name.
  store::mailbox_record find_mailbox(const std::string& identity) {
    std::vector<store::mailbox_record> matches;
    for (auto& m : store_.list_mailboxes()) {
      const auto alias = m.address.substr(0, m.address.find('@'));
      if (iequals(m.address, identity) || iequals(alias, identity) || iequals(m.display_name, identity)) {
        matches.push_back(std::move(m));
      }
    }
    if (matches.empty()) {
      throw shell_error("The operation couldn't be performed because object '" + identity + "' couldn't be found.");
    }
    if (matches.size() > 1) {
      throw shell_error("The operation couldn't be performed because '" + identity + "' matches multiple entries.");
    }
    return matches.front();
  }

  boost::json::array set_cas_mailbox(const cmdlet_call& call) {
    const bound b(call, {"Identity", "ActiveSyncMailboxPolicy", "ActiveSyncEnabled", "ActiveSyncAllowedDeviceIDs",
                         "ActiveSyncBlockedDeviceIDs", "ActiveSyncDebugLogging"});
    auto target = find_mailbox(b.required("Identity"));
    if (b.has("ActiveSyncDebugLogging") && !b.flag("WhatIf")) {
      store_.set_lab_state(debug_logging_key(target.address), b.flag("ActiveSyncDebugLogging") ? "1" : "");
    }
    if (b.has("ActiveSyncAllowedDeviceIDs") || b.has("ActiveSyncBlockedDeviceIDs")) {
      auto cfg = *access_.config();
      auto& lists = cfg.mailboxes[common::ascii_lowercase(target.address)];
      if (const auto* v = b.get("ActiveSyncAllowedDeviceIDs")) edit_list(lists.allowed_device_ids, *v, "ActiveSyncAllowedDeviceIDs");
      if (const auto* v = b.get("ActiveSyncBlockedDeviceIDs")) edit_list(lists.blocked_device_ids, *v, "ActiveSyncBlockedDeviceIDs");
      if (!b.flag("WhatIf")) access_.save(cfg);
    }
    auto mailboxes = store_.list_mailboxes();
    if (const auto* v = b.get("ActiveSyncMailboxPolicy")) {
      const auto name = v->type == cmdlet_value::kind::null ? std::string() : value_text(*v);
      if (!name.empty()) {
        auto all = load_policies();
        target.policy = find_policy(all, name)->name;
      } else {
        target.policy.clear();
      }
    }
    if (b.has("ActiveSyncEnabled")) target.activesync_enabled = b.flag("ActiveSyncEnabled");
    if (b.flag("WhatIf")) return {what_if("Setting CAS mailbox \"" + target.address + "\".")};
    for (auto& m : mailboxes) {
      if (iequals(m.address, target.address)) m = target;
    }
    store_.replace_mailboxes(mailboxes);
    provisioning_.reload();
    return {};
  }

  boost::json::array get_cas_mailbox(const cmdlet_call& call) {
    const bound b(call, {"Identity"});
    std::vector<store::mailbox_record> list;
    if (b.has("Identity")) {
      list.push_back(find_mailbox(b.required("Identity")));
    } else {
      list = store_.list_mailboxes();
    }
    boost::json::array out;
    for (const auto& m : list) {
      const auto applied = provisioning_.policy_for(m.address);
      out.push_back(boost::json::object{
          {"Identity", m.address.substr(0, m.address.find('@'))},
          {"PrimarySmtpAddress", m.address},
          {"DisplayName", m.display_name},
          {"ActiveSyncEnabled", m.activesync_enabled},
          {"ActiveSyncDebugLogging", exchange_shell::debug_logging(store_, m.address)},
          {"ActiveSyncMailboxPolicy", applied ? boost::json::value(applied->name) : boost::json::value(nullptr)},
          {"ActiveSyncMailboxPolicyIsDefaulted", m.policy.empty()},
          {"HasActiveSyncDevicePartnership", !store_.list_devices(m.address).empty()},
          {"ActiveSyncAllowedDeviceIDs", device_ids(m.address, true)},
          {"ActiveSyncBlockedDeviceIDs", device_ids(m.address, false)},
      });
    }
    return out;
  }

  // ---- Allow/Block/Quarantine (PROVISIONING.md 5.1) ----

  // A multi-valued parameter: a list replaces, @{Add=...; Remove=...} edits, $null clears.
  static void edit_list(std::vector<std::string>& list, const cmdlet_value& v, const char* parameter) {
    auto contains = [&](const std::string& id) {
      return std::any_of(list.begin(), list.end(), [&](const std::string& x) { return iequals(x, id); });
    };
    if (v.type != cmdlet_value::kind::hashtable) {
      list.clear();
      for (const auto& id : value_items(v)) {
        if (!id.empty() && !contains(id)) list.push_back(id);
      }
      return;
    }
    for (const auto& e : v.entries) {
      if (iequals(e.key, "Add")) {
        for (const auto& id : value_items(e.value)) {
          if (!id.empty() && !contains(id)) list.push_back(id);
        }
      } else if (iequals(e.key, "Remove")) {
        for (const auto& id : value_items(e.value)) {
          std::erase_if(list, [&](const std::string& x) { return iequals(x, id); });
        }
      } else {
        throw shell_error(std::string("Cannot bind parameter '") + parameter + "': the hashtable key '" + e.key +
                          "' is not Add or Remove.");
      }
    }
  }

  boost::json::array device_ids(const std::string& address, bool allowed) {
    const auto cfg = access_.config();
    boost::json::array out;
    const auto it = cfg->mailboxes.find(common::ascii_lowercase(address));
    if (it == cfg->mailboxes.end()) return out;
    for (const auto& id : allowed ? it->second.allowed_device_ids : it->second.blocked_device_ids) out.emplace_back(id);
    return out;
  }

  static boost::json::object organization_object(const access_config& c) {
    boost::json::array admins;
    for (const auto& a : c.organization.admin_mail_recipients) admins.emplace_back(a);
    return {{"Identity", "Mobile Mailbox Settings"},
            {"DefaultAccessLevel", prov::to_string(c.organization.default_access_level)},
            {"UserMailInsert", c.organization.user_mail_insert.empty() ? boost::json::value(nullptr)
                                                                       : boost::json::value(c.organization.user_mail_insert)},
            {"AdminMailRecipients", std::move(admins)}};
  }

  boost::json::array set_organization(const cmdlet_call& call) {
    const bound b(call, {"Identity", "DefaultAccessLevel", "UserMailInsert", "AdminMailRecipients", "OtaNotificationMailInsert"});
    auto cfg = *access_.config();
    if (const auto* v = b.get("DefaultAccessLevel")) {
      auto level = prov::parse_access_level(value_text(*v), "DefaultAccessLevel");
      if (!level) throw shell_error(level.error());
      cfg.organization.default_access_level = *level;
    }
    if (const auto* v = b.get("UserMailInsert")) {
      const auto text = v->type == cmdlet_value::kind::null ? std::string() : value_text(*v);
      if (text.size() > 256) throw shell_error("UserMailInsert is limited to 256 characters.");  // PROVISIONING.md 5.1
      cfg.organization.user_mail_insert = text;
    }
    if (const auto* v = b.get("AdminMailRecipients")) {
      if (v->type == cmdlet_value::kind::hashtable) {
        edit_list(cfg.organization.admin_mail_recipients, *v, "AdminMailRecipients");
      } else {
        cfg.organization.admin_mail_recipients = value_items(*v);
      }
    }
    if (b.flag("WhatIf")) return {what_if("Setting the organization's mobile device settings.")};
    access_.save(cfg);
    return {};
  }

  boost::json::array get_organization(const cmdlet_call& call) {
    const bound b(call, {"Identity"});
    return {organization_object(*access_.config())};
  }

  static boost::json::object rule_object(const prov::device_access_rule& r) {
    return {{"Identity", r.identity()},
            {"Name", r.identity()},
            {"QueryString", r.query_string},
            {"Characteristic", prov::to_string(r.characteristic)},
            {"AccessLevel", prov::to_string(r.access_level)}};
  }

  static std::vector<prov::device_access_rule>::iterator find_rule(std::vector<prov::device_access_rule>& rules,
                                                                   const std::string& identity) {
    auto it = std::find_if(rules.begin(), rules.end(),
                           [&](const prov::device_access_rule& r) { return iequals(r.identity(), identity); });
    if (it == rules.end()) {
      throw shell_error("The operation couldn't be performed because object '" + identity + "' couldn't be found.");
    }
    return it;
  }

  boost::json::array new_access_rule(const cmdlet_call& call) {
    const bound b(call, {"QueryString", "Characteristic", "AccessLevel"});
    prov::device_access_rule rule;
    rule.query_string = b.required("QueryString");
    auto characteristic = prov::parse_characteristic(b.required("Characteristic"));
    if (!characteristic) throw shell_error(characteristic.error());
    auto level = prov::parse_access_level(b.required("AccessLevel"));
    if (!level) throw shell_error(level.error());
    rule.characteristic = *characteristic;
    rule.access_level = *level;
    auto cfg = *access_.config();
    if (std::any_of(cfg.rules.begin(), cfg.rules.end(),
                    [&](const prov::device_access_rule& r) { return iequals(r.identity(), rule.identity()); })) {
      throw shell_error("The device access rule '" + rule.identity() + "' already exists.");
    }
    if (b.flag("WhatIf")) return {what_if("Creating the device access rule \"" + rule.identity() + "\".")};
    cfg.rules.push_back(rule);
    access_.save(cfg);
    return {rule_object(rule)};
  }

  boost::json::array set_access_rule(const cmdlet_call& call) {
    const bound b(call, {"Identity", "AccessLevel"});
    auto cfg = *access_.config();
    auto it = find_rule(cfg.rules, b.required("Identity"));
    if (b.has("AccessLevel")) {
      auto level = prov::parse_access_level(b.required("AccessLevel"));
      if (!level) throw shell_error(level.error());
      it->access_level = *level;
    }
    if (b.flag("WhatIf")) return {what_if("Setting the device access rule \"" + it->identity() + "\".")};
    access_.save(cfg);
    return {};
  }

  boost::json::array remove_access_rule(const cmdlet_call& call) {
    const bound b(call, {"Identity"});
    auto cfg = *access_.config();
    auto it = find_rule(cfg.rules, b.required("Identity"));
    if (b.flag("WhatIf")) return {what_if("Removing the device access rule \"" + it->identity() + "\".")};
    cfg.rules.erase(it);
    access_.save(cfg);
    return {};
  }

  boost::json::array get_access_rules(const cmdlet_call& call) {
    const bound b(call, {"Identity"});
    auto cfg = *access_.config();
    boost::json::array out;
    if (b.has("Identity")) {
      out.push_back(rule_object(*find_rule(cfg.rules, b.required("Identity"))));
      return out;
    }
    for (const auto& r : cfg.rules) out.push_back(rule_object(r));
    return out;
  }

  // ---- devices ----

  // A device by DeviceId, or by Exchange's identity <alias>\ExchangeActiveSyncDevices\<type>§<id>.
  store::device_record find_device(const std::string& identity) {
    std::optional<std::string> mailbox;
    std::string id = identity;
    if (const auto slash = identity.find('\\'); slash != std::string::npos) {
      mailbox = find_mailbox(identity.substr(0, slash)).address;
      const auto last = identity.rfind('\\');
      id = identity.substr(last + 1);
      static const std::string section = "\xC2\xA7";  // §, UTF-8
      if (const auto s = id.find(section); s != std::string::npos) id = id.substr(s + section.size());
    }
    std::vector<store::device_record> matches;
    for (auto& d : store_.list_devices(mailbox)) {
      if (iequals(d.device_id, id)) matches.push_back(std::move(d));
    }
    if (matches.empty()) {
      throw shell_error("The operation couldn't be performed because object '" + identity + "' couldn't be found.");
    }
    if (matches.size() > 1) {
      throw shell_error("The device '" + identity + "' has partnerships with several mailboxes; use <alias>\\ExchangeActiveSyncDevices\\<type>\xC2\xA7<id>.");
    }
    return matches.front();
  }

  boost::json::array clear_device(const cmdlet_call& call) {
    const bound b(call, {"Identity", "AccountOnly", "Cancel", "NotificationEmailAddresses"});
    const auto device = find_device(b.required("Identity"));
    if (b.flag("WhatIf")) return {what_if("Wiping mobile device \"" + device.device_id + "\".")};
    const auto error = provisioning_.request_wipe(device.mailbox, device.device_id, b.flag("AccountOnly"), requestor_,
                                                  b.flag("Cancel"), now_);
    if (!error.empty()) throw shell_error(error);
    return {};
  }

  boost::json::array remove_device(const cmdlet_call& call) {
    const bound b(call, {"Identity"});
    const auto device = find_device(b.required("Identity"));
    if (b.flag("WhatIf")) return {what_if("Removing mobile device \"" + device.device_id + "\".")};
    store_.delete_device(device.mailbox, device.device_id);
    return {};
  }

  boost::json::array statistics(const cmdlet_call& call, bool full) {
    const bound b(call, {"Identity", "Mailbox", "ShowRecoveryPassword", "GetMailboxLog", "NotificationEmailAddresses",
                         "ActiveSync", "OWAforDevices", "Filter"});
    std::vector<store::device_record> devices;
    if (b.has("Identity")) {
      devices.push_back(find_device(b.required("Identity")));
    } else if (b.has("Mailbox")) {
      devices = store_.list_devices(find_mailbox(b.required("Mailbox")).address);
    } else if (full) {
      throw shell_error("Cannot process command because of one or more missing mandatory parameters: Identity or Mailbox.");
    } else {
      devices = store_.list_devices();
    }
    std::optional<shell::opath_filter> filter;
    if (b.has("Filter")) {
      // -Filter {Property -op Value ...} over the properties the cmdlet shows (Exchange's OPATH).
      std::vector<std::string> known;
      for (const auto& [k, v] : device_object(store::device_record{}, full)) known.emplace_back(k);
      auto parsed = shell::parse_opath(b.required("Filter"), known);
      if (!parsed) throw shell_error("Cannot bind parameter 'Filter': " + shell::to_string(parsed.error()));
      filter = std::move(*parsed);
    }
    boost::json::array out;
    for (const auto& d : devices) {
      auto o = device_object(d, full);
      if (filter && !filter->matches([&](std::string_view property) -> std::optional<std::string> {
            const auto* v = o.if_contains(property);
            if (v == nullptr || v->is_null()) return std::nullopt;
            if (v->is_string()) return std::string(v->as_string());
            if (v->is_bool()) return v->as_bool() ? "True" : "False";
            return boost::json::serialize(*v);
          })) {
        continue;
      }
      if (full) add_sync_statistics(o, d);
      if (b.flag("GetMailboxLog")) o["MailboxLogReport"] = mailbox_log(d);
      out.push_back(std::move(o));
    }
    if (b.flag("GetMailboxLog") && b.has("NotificationEmailAddresses")) {
      send_logs(devices, value_items(*b.get("NotificationEmailAddresses")));
    }
    return out;
  }

  void add_sync_statistics(boost::json::object& o, const store::device_record& d) {
    if (hooks_.flush_journal) hooks_.flush_journal();
    const auto s = statistics_of(store_, hooks_, d);
    o["LastSuccessSync"] = optional_time(s.last_success_sync_ms);
    o["LastPingHeartbeat"] = s.last_ping_heartbeat == 0 ? boost::json::value(nullptr) : boost::json::value(s.last_ping_heartbeat);
    o["NumberOfFoldersSynced"] = s.folders_synced;
  }

  // ---- mailbox logs (Get-ActiveSyncDeviceStatistics -GetMailboxLog) ----

  // A device's requests from the journal, oldest first, as readable text: each request's time,
  // command, statuses and timing, then its headers (while ActiveSyncDebugLogging is on) and
  // decoded bodies. Credentials never reach the journal.
  std::string mailbox_log(const store::device_record& d) {
    if (hooks_.flush_journal) hooks_.flush_journal();
    store::journal_filter f;
    f.user = d.mailbox;
    f.device_id = d.device_id;
    f.limit = 1000;
    auto entries = store_.query_journal(f);
    std::string out = "Exchange ActiveSync mailbox log (easemu)\nMailbox: " + d.mailbox + "\nDevice: " + d.device_id +
                      " (" + d.device_type + ")\nEntries: " + std::to_string(entries.size()) + "\n";
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
      const auto& e = *it;
      out += "\n----------------------------------------------------------------------\n";
      out += "RequestTime : " + common::iso8601_utc(e.time_ms) + "\n";
      out += "Command     : " + e.command + " (EAS " + e.protocol_version + ")\n";
      out += "Result      : HTTP " + std::to_string(e.http_status) +
             (e.eas_status != 0 ? ", Status " + std::to_string(e.eas_status) : std::string()) + ", " +
             std::to_string(e.duration_ms) + " ms\n";
      if (!e.request_headers.empty()) out += "RequestHeader :\n" + e.request_headers;
      out += "RequestBody :\n" + (e.request_xml.empty() ? std::string("(none)") : e.request_xml) + "\n";
      if (!e.response_headers.empty()) out += "ResponseHeader :\n" + e.response_headers;
      out += "ResponseBody :\n" + (e.response_xml.empty() ? std::string("(none)") : e.response_xml) + "\n";
    }
    return out;
  }

  // Exchange mails the logs to the addresses given, one text attachment per device.
  void send_logs(const std::vector<store::device_record>& devices, const std::vector<std::string>& addresses) {
    if (!hooks_.deliver) throw shell_error("Mailbox logs cannot be mailed from here.");
    mailbox::new_message m;
    m.from = "Microsoft Exchange <postmaster@" + (devices.empty() ? std::string("lab.test")
                                                                 : devices.front().mailbox.substr(devices.front().mailbox.find('@') + 1)) + ">";
    m.subject = "Exchange ActiveSync Mailbox Logs" + (devices.empty() ? std::string() : ": " + devices.front().mailbox);
    m.text = "The mailbox logs you asked for are attached, one file per device.\n";
    m.date_ms = now_;
    for (const auto& d : devices) {
      const auto alias = d.mailbox.substr(0, d.mailbox.find('@'));
      m.attachments.push_back({"EASMailboxLog_" + alias + "_" + d.device_id + ".txt", "text/plain", mailbox_log(d)});
    }
    for (const auto& address : addresses) {
      const auto target = find_mailbox(address);  // only lab mailboxes receive mail here
      m.to = target.address;
      if (auto error = hooks_.deliver(target.address, mailbox::compose_message(m)); !error.empty()) {
        throw shell_error("The log could not be delivered to " + target.address + ": " + error);
      }
    }
  }

  // Exchange shows a device's phone number with all but its last four digits hidden
  // (PROVISIONING.md 5.2).
  static boost::json::value obfuscated_phone(const std::string& number) {
    if (number.empty()) return nullptr;
    if (number.size() <= 4) return boost::json::value(number);
    return boost::json::value(std::string(number.size() - 4, '*') + number.substr(number.size() - 4));
  }

  static boost::json::object device_object(const store::device_record& d, bool full) {
    const auto alias = d.mailbox.substr(0, d.mailbox.find('@'));
    const auto& p = d.provisioning;
    boost::json::object o{
        {"Identity", alias + "\\ExchangeActiveSyncDevices\\" + d.device_type + "\xC2\xA7" + d.device_id},
        {"DeviceId", d.device_id},
        {"DeviceType", d.device_type},
        {"DeviceUserAgent", d.user_agent},
        {"DeviceModel", d.information.model},
        {"DeviceImei", d.information.imei},
        {"DeviceFriendlyName", d.information.friendly_name},
        {"DeviceOS", d.information.os},
        {"DeviceOSLanguage", d.information.os_language},
        {"DeviceMobileOperator", d.information.mobile_operator},
        {"DevicePhoneNumber", obfuscated_phone(d.information.phone_number)},
        {"ClientVersion", d.protocol_version},
        {"ClientType", "EAS"},
        {"FirstSyncTime", optional_time(d.first_seen_ms)},
        {"UserDisplayName", d.mailbox},
        {"DeviceAccessState", d.access.state.empty() ? "Allowed" : d.access.state},
        {"DeviceAccessStateReason", d.access.reason.empty() ? "Global" : d.access.reason},
        {"DeviceAccessControlRule", d.access.rule.empty() ? boost::json::value(nullptr) : boost::json::value(d.access.rule)},
    };
    if (!full) return o;
    o["LastSyncAttemptTime"] = optional_time(d.last_seen_ms);
    o["LastPolicyUpdateTime"] = optional_time(p.last_policy_ms);
    o["DevicePolicyApplied"] = p.policy_name.empty() ? boost::json::value(nullptr) : boost::json::value(p.policy_name);
    o["DevicePolicyApplicationStatus"] = prov::to_string(static_cast<prov::application_status>(p.policy_status));
    o["DeviceWipeRequestTime"] = optional_time(p.wipe_account_only ? 0 : p.wipe_requested_ms);
    o["DeviceWipeSentTime"] = optional_time(p.wipe_account_only ? 0 : p.wipe_sent_ms);
    o["DeviceWipeAckTime"] = optional_time(p.wipe_account_only ? 0 : p.wipe_ack_ms);
    o["AccountOnlyDeviceWipeRequestTime"] = optional_time(p.wipe_account_only ? p.wipe_requested_ms : 0);
    o["AccountOnlyDeviceWipeSentTime"] = optional_time(p.wipe_account_only ? p.wipe_sent_ms : 0);
    o["AccountOnlyDeviceWipeAckTime"] = optional_time(p.wipe_account_only ? p.wipe_ack_ms : 0);
    o["LastDeviceWipeRequestor"] = p.wipe_requestor.empty() ? boost::json::value(nullptr) : boost::json::value(p.wipe_requestor);
    o["IsRemoteWipeSupported"] = p.last_policy_ms != 0;
    o["Status"] = device_status(p);
    return o;
  }

  store::store& store_;
  provisioning_service& provisioning_;
  access_service& access_;
  const exchange_shell::mail_hooks& hooks_;
  const std::string& requestor_;
  std::int64_t now_;
};

}  // namespace

std::string device_status(const store::device_provisioning& p) {
  if (p.wipe_ack_ms != 0) return "DeviceWipeSucceeded";
  if (p.wipe_requested_ms != 0 || p.wipe_sent_ms != 0) return p.last_policy_ms == 0 ? "DeviceBlocked" : "DeviceWipePending";
  return "DeviceOk";
}

boost::json::object policy_object(const prov::policy& p, bool mobile_device_names) {
  boost::json::object o;
  o["Name"] = p.name;
  o["Identity"] = p.name;
  for (const auto& s : prov::all_settings()) {
    std::string name(mobile_device_names && !s.alias.empty() && s.id != prov::setting::RequireStorageCardEncryption
                         ? s.alias
                         : s.name);
    if (s.id == prov::setting::IsDefault) name = mobile_device_names ? "IsDefault" : "IsDefaultPolicy";
    const auto shown = prov::display(s.id, p.get(s.id));
    if (s.kind == prov::setting_kind::name_list || s.kind == prov::setting_kind::hash_list) {
      boost::json::array items;
      for (const auto& i : shown) items.emplace_back(i);
      o[name] = std::move(items);
    } else if (shown.at(0).empty()) {
      o[name] = nullptr;
    } else {
      o[name] = shown.at(0);
    }
  }
  return o;
}

device_statistics exchange_shell::statistics(const store::device_record& d) const {
  return statistics_of(*store_, hooks_, d);
}

bool exchange_shell::debug_logging(const store::store& store, const std::string& mailbox) {
  return store.get_lab_state(debug_logging_key(mailbox)).value_or("") == "1";
}

exchange_shell::exchange_shell(std::shared_ptr<store::store> store, provisioning_service& provisioning,
                               access_service& access)
    : store_(std::move(store)), provisioning_(provisioning), access_(access) {}

std::vector<shell_result> exchange_shell::run(std::string_view text, const std::string& requestor, std::int64_t now_ms) {
  std::vector<shell_result> out;
  auto calls = shell::parse_cmdlets(text);
  if (!calls) {
    const auto& e = calls.error();
    out.push_back({std::string(text.substr(0, 200)), false,
                   "At line:" + std::to_string(e.line) + " char:" + std::to_string(e.column) + ": " + e.message, {}});
    return out;
  }
  executor ex(*store_, provisioning_, access_, hooks_, requestor, now_ms);
  for (const auto& call : *calls) {
    shell_result r;
    r.command = call.source;
    try {
      r.output = ex.run(call);
      r.ok = true;
    } catch (const shell_error& e) {
      r.error = e.what();
    } catch (const std::exception& e) {
      r.error = std::string("internal error: ") + e.what();
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace easemu::server
