// New/Set/Get/Remove-ActiveSyncMailboxPolicy and their 2013+ twins *-MobileDeviceMailboxPolicy:
// the lab's mobile device mailbox policies, every setting by either name.
#include <algorithm>

#include "cmdlets.hpp"
#include "easemu/common/text.hpp"
#include "easemu/provisioning/policy.hpp"
#include "easemu/server/provisioning_service.hpp"

namespace easemu::server {

namespace prov = provisioning;

namespace {

// The settings not every release has, by the cmdlet pages' "Applicable" lines; a setting not
// listed is in every release. Get-*MailboxPolicy shows, and New/Set-*MailboxPolicy accept, a
// setting only in the releases given here.
struct setting_releases {
  prov::setting id;
  std::uint8_t releases;
  std::string_view source;
};
constexpr setting_releases setting_release_table[] = {
    {prov::setting::AllowApplePushNotifications, release::online,
     "Set-ActiveSyncMailboxPolicy -AllowApplePushNotifications: Exchange Online"},
    {prov::setting::AllowGooglePushNotifications, release::online,
     "Set-MobileDeviceMailboxPolicy -AllowGooglePushNotifications: Exchange Online"},
    {prov::setting::AllowMicrosoftPushNotifications, release::online,
     "Set-MobileDeviceMailboxPolicy -AllowMicrosoftPushNotifications: Exchange Online"},
    {prov::setting::MobileOTAUpdateMode, release::e2010sp1, "Set-ActiveSyncMailboxPolicy -MobileOTAUpdateMode: Exchange 2010"},
};

bool in_release(prov::setting id, std::uint8_t release) {
  for (const auto& r : setting_release_table) {
    if (r.id == id) return (r.releases & release) != 0;
  }
  return true;
}

}  // namespace

boost::json::object policy_object(const prov::policy& p, bool mobile_device_names, std::uint8_t release) {
  boost::json::object o;
  o["Name"] = p.name;
  o["Identity"] = p.name;
  for (const auto& s : prov::all_settings()) {
    if (!in_release(s.id, release)) continue;
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

namespace cmdlets {

using common::iequals;
using shell::cmdlet_value;

std::vector<prov::policy> load_policies(const store::store& db) {
  std::vector<prov::policy> out;
  for (const auto& r : db.list_policies()) {
    auto p = prov::policy_from_parameters(r.parameters);
    if (!p) throw shell_error("The stored policy '" + r.name + "' does not load: " + p.error());
    out.push_back(std::move(*p));
  }
  return out;
}

std::vector<prov::policy>::iterator find_policy(std::vector<prov::policy>& all, const std::string& identity) {
  auto it = std::find_if(all.begin(), all.end(), [&](const prov::policy& p) { return iequals(p.name, identity); });
  if (it == all.end()) throw not_found(identity);
  return it;
}

namespace {

void save_policies(const cmdlet_context& c, const std::vector<prov::policy>& policies) {
  std::vector<store::policy_record> records;
  for (const auto& p : policies) records.push_back({p.name, p.to_parameters()});
  c.db.replace_policies(records);
  c.provisioning.reload();
}

// Mailboxes assigned `from` get `to` (empty: the default policy).
void rename_assignments(const cmdlet_context& c, const std::string& from, const std::string& to) {
  auto mailboxes = c.db.list_mailboxes();
  bool changed = false;
  for (auto& m : mailboxes) {
    if (iequals(m.policy, from)) {
      m.policy = to;
      changed = true;
    }
  }
  if (changed) {
    c.db.replace_mailboxes(mailboxes);
    c.provisioning.reload();
  }
}

// Every policy setting of the call onto `p` (all but the common parameters and `own`).
void apply(prov::policy& p, const cmdlet_arguments& args, std::string_view own) {
  for (const auto& param : args.parameters()) {
    if (is_common_parameter(param.name) || iequals(own, param.name)) continue;
    std::string error;
    const auto* s = prov::find_setting(param.name);
    const bool list_setting =
        s != nullptr && (s->kind == prov::setting_kind::name_list || s->kind == prov::setting_kind::hash_list);
    const bool many = param.value.type == cmdlet_value::kind::list || param.value.type == cmdlet_value::kind::null;
    if (many && list_setting) {
      error = p.set_parameter(param.name, value_items(param.value));
    } else {
      error = p.set_parameter(param.name, value_text(param.value));
    }
    if (!error.empty()) throw shell_error(error);
  }
}

void make_only_default(std::vector<prov::policy>& all, const prov::policy& chosen) {
  if (!chosen.flag(prov::setting::IsDefault)) return;
  for (auto& other : all) {
    if (!iequals(other.name, chosen.name)) other.set(prov::setting::IsDefault, {0, {}});
  }
}

bool taken(const std::vector<prov::policy>& all, const std::string& name) {
  return std::any_of(all.begin(), all.end(), [&](const prov::policy& p) { return iequals(p.name, name); });
}

shell_error already_exists(const std::string& name) {
  return shell_error("A mobile device mailbox policy named '" + name + "' already exists.");
}

boost::json::array new_policy(const cmdlet_arguments& args, const cmdlet_context& c) {
  const auto name = args.required("Name");
  auto all = load_policies(c.db);
  if (taken(all, name)) throw already_exists(name);
  prov::policy p;
  // New-ActiveSyncMailboxPolicy (2010) defaults AllowNonProvisionableDevices to $false; the
  // New-MobileDeviceMailboxPolicy page (2013+) documents $true (PROVISIONING.md 2.3).
  if (args.as_twin()) p.set(prov::setting::AllowNonProvisionableDevices, {1, {}});
  p.name = name;
  apply(p, args, "Name");
  if (args.flag("WhatIf")) return {what_if("Creating mobile device mailbox policy \"" + name + "\".")};
  make_only_default(all, p);
  all.push_back(p);
  save_policies(c, all);
  return {policy_object(p, args.as_twin(), c.release)};
}

boost::json::array set_policy(const cmdlet_arguments& args, const cmdlet_context& c) {
  const auto identity = args.required("Identity");
  auto all = load_policies(c.db);
  auto it = find_policy(all, identity);
  prov::policy changed = *it;
  apply(changed, args, "Identity");
  if (!iequals(changed.name, it->name) && taken(all, changed.name)) throw already_exists(changed.name);
  if (args.flag("WhatIf")) return {what_if("Setting mobile device mailbox policy \"" + it->name + "\".")};
  const std::string old_name = it->name;
  *it = changed;
  make_only_default(all, changed);
  save_policies(c, all);
  if (old_name != changed.name) rename_assignments(c, old_name, changed.name);
  return {};
}

boost::json::array get_policy(const cmdlet_arguments& args, const cmdlet_context& c) {
  auto all = load_policies(c.db);
  boost::json::array out;
  if (args.has("Identity")) {
    out.push_back(policy_object(*find_policy(all, args.required("Identity")), args.as_twin(), c.release));
  } else {
    for (const auto& p : all) out.push_back(policy_object(p, args.as_twin(), c.release));
  }
  return out;
}

boost::json::array remove_policy(const cmdlet_arguments& args, const cmdlet_context& c) {
  auto all = load_policies(c.db);
  auto it = find_policy(all, args.required("Identity"));
  if (it->flag(prov::setting::IsDefault)) {
    throw shell_error("The policy '" + it->name + "' is the default policy; make another policy the default first.");
  }
  if (args.flag("WhatIf")) return {what_if("Removing mobile device mailbox policy \"" + it->name + "\".")};
  const auto name = it->name;
  all.erase(it);
  save_policies(c, all);
  rename_assignments(c, name, "");  // its mailboxes fall back to the default policy
  return {};
}

// A policy cmdlet accepts every setting of the table the release has, by its 2010 or 2013+ name.
bool is_setting(std::string_view parameter, std::uint8_t release) {
  const auto* s = prov::find_setting(parameter);
  return s != nullptr && in_release(s->id, release);
}

constexpr cmdlet_parameter_spec new_parameters[] = {{"Name"}};
constexpr cmdlet_parameter_spec set_parameters[] = {{"Identity"}, {"Name"}};
constexpr cmdlet_parameter_spec identity_only[] = {{"Identity"}};

constexpr cmdlet_spec policy_cmdlets[] = {
    {.name = "New-ActiveSyncMailboxPolicy", .twin = "New-MobileDeviceMailboxPolicy", .parameters = new_parameters,
     .positional = "Name", .handler = new_policy, .also_accepts = is_setting},
    {.name = "Set-ActiveSyncMailboxPolicy", .twin = "Set-MobileDeviceMailboxPolicy", .parameters = set_parameters,
     .positional = "Identity", .handler = set_policy, .also_accepts = is_setting},
    {.name = "Get-ActiveSyncMailboxPolicy", .twin = "Get-MobileDeviceMailboxPolicy", .parameters = identity_only,
     .positional = "Identity", .handler = get_policy},
    {.name = "Remove-ActiveSyncMailboxPolicy", .twin = "Remove-MobileDeviceMailboxPolicy", .parameters = identity_only,
     .positional = "Identity", .handler = remove_policy},
};

}  // namespace

cmdlet_family mailbox_policy_cmdlets() { return {"policies", policy_cmdlets}; }

}  // namespace cmdlets

}  // namespace easemu::server
