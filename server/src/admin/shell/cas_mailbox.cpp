// Set/Get-CASMailbox: a mailbox's ActiveSync switch, policy, debug logging and its own
// Allow/Block device lists (PROVISIONING.md 5.1).
#include "cmdlets.hpp"
#include "easemu/common/text.hpp"
#include "easemu/common/time.hpp"
#include "easemu/server/access_service.hpp"
#include "easemu/server/mailbox_logging.hpp"
#include "easemu/server/provisioning_service.hpp"

namespace easemu::server {

namespace {

using common::iequals;

}  // namespace

// Set-CASMailbox -ActiveSyncDebugLogging: periods kept in the lab state per mailbox, off by itself
// after 72 hours (mailbox_logging.hpp).
bool exchange_shell::debug_logging(const store::store& store, const std::string& mailbox) {
  return mailbox_logging::is_on(store, mailbox, common::now_ms());
}

namespace cmdlets {

store::mailbox_record find_mailbox(const store::store& db, const std::string& identity) {
  std::vector<store::mailbox_record> matches;
  for (auto& m : db.list_mailboxes()) {
    const auto alias = m.address.substr(0, m.address.find('@'));
    if (iequals(m.address, identity) || iequals(alias, identity) || iequals(m.display_name, identity)) {
      matches.push_back(std::move(m));
    }
  }
  if (matches.empty()) throw not_found(identity);
  if (matches.size() > 1) {
    throw shell_error("The operation couldn't be performed because '" + identity + "' matches multiple entries.");
  }
  return matches.front();
}

namespace {

// -ActiveSyncAllowedDeviceIDs and -ActiveSyncBlockedDeviceIDs edit the mailbox's lists of the
// access configuration.
void set_device_lists(const cmdlet_arguments& args, const cmdlet_context& c, const std::string& address) {
  if (!args.has("ActiveSyncAllowedDeviceIDs") && !args.has("ActiveSyncBlockedDeviceIDs")) return;
  auto cfg = *c.access.config();
  auto& lists = cfg.mailboxes[common::ascii_lowercase(address)];
  if (const auto* v = args.get("ActiveSyncAllowedDeviceIDs")) {
    edit_list(lists.allowed_device_ids, *v, "ActiveSyncAllowedDeviceIDs");
  }
  if (const auto* v = args.get("ActiveSyncBlockedDeviceIDs")) {
    edit_list(lists.blocked_device_ids, *v, "ActiveSyncBlockedDeviceIDs");
  }
  if (!args.flag("WhatIf")) c.access.save(cfg);
}

boost::json::array set_cas_mailbox(const cmdlet_arguments& args, const cmdlet_context& c) {
  auto target = find_mailbox(c.db, args.required("Identity"));
  if (args.has("ActiveSyncDebugLogging") && !args.flag("WhatIf")) {
    mailbox_logging::set(c.db, target.address, args.flag("ActiveSyncDebugLogging"), common::now_ms());
  }
  set_device_lists(args, c, target.address);
  auto mailboxes = c.db.list_mailboxes();
  if (const auto* v = args.get("ActiveSyncMailboxPolicy")) {
    const auto name = v->type == shell::cmdlet_value::kind::null ? std::string() : value_text(*v);
    if (!name.empty()) {
      auto all = load_policies(c.db);
      target.policy = find_policy(all, name)->name;
    } else {
      target.policy.clear();
    }
  }
  if (args.has("ActiveSyncEnabled")) target.activesync_enabled = args.flag("ActiveSyncEnabled");
  if (args.flag("WhatIf")) return {what_if("Setting CAS mailbox \"" + target.address + "\".")};
  for (auto& m : mailboxes) {
    if (iequals(m.address, target.address)) m = target;
  }
  c.db.replace_mailboxes(mailboxes);
  c.provisioning.reload();
  return {};
}

boost::json::array device_ids(const cmdlet_context& c, const std::string& address, bool allowed) {
  const auto cfg = c.access.config();
  boost::json::array out;
  const auto it = cfg->mailboxes.find(common::ascii_lowercase(address));
  if (it == cfg->mailboxes.end()) return out;
  for (const auto& id : allowed ? it->second.allowed_device_ids : it->second.blocked_device_ids) out.emplace_back(id);
  return out;
}

boost::json::object cas_mailbox_object(const cmdlet_context& c, const store::mailbox_record& m) {
  const auto applied = c.provisioning.policy_for(m.address);
  return {
      {"Identity", m.address.substr(0, m.address.find('@'))},
      {"PrimarySmtpAddress", m.address},
      {"DisplayName", m.display_name},
      {"ActiveSyncEnabled", m.activesync_enabled},
      {"ActiveSyncDebugLogging", exchange_shell::debug_logging(c.db, m.address)},
      {"ActiveSyncMailboxPolicy", applied ? boost::json::value(applied->name) : boost::json::value(nullptr)},
      {"ActiveSyncMailboxPolicyIsDefaulted", m.policy.empty()},
      {"HasActiveSyncDevicePartnership", !c.db.list_devices(m.address).empty()},
      {"ActiveSyncAllowedDeviceIDs", device_ids(c, m.address, true)},
      {"ActiveSyncBlockedDeviceIDs", device_ids(c, m.address, false)},
  };
}

boost::json::array get_cas_mailbox(const cmdlet_arguments& args, const cmdlet_context& c) {
  std::vector<store::mailbox_record> list;
  if (args.has("Identity")) {
    list.push_back(find_mailbox(c.db, args.required("Identity")));
  } else {
    list = c.db.list_mailboxes();
  }
  boost::json::array out;
  for (const auto& m : list) out.push_back(cas_mailbox_object(c, m));
  return out;
}

constexpr cmdlet_parameter_spec set_parameters[] = {
    {"Identity"}, {"ActiveSyncMailboxPolicy"}, {"ActiveSyncEnabled"}, {"ActiveSyncAllowedDeviceIDs"},
    {"ActiveSyncBlockedDeviceIDs"}, {"ActiveSyncDebugLogging"}};
constexpr cmdlet_parameter_spec get_parameters[] = {{"Identity"}};

constexpr cmdlet_spec cas_cmdlets[] = {
    {.name = "Set-CASMailbox", .parameters = set_parameters, .positional = "Identity", .handler = set_cas_mailbox},
    {.name = "Get-CASMailbox", .parameters = get_parameters, .positional = "Identity", .handler = get_cas_mailbox},
};

}  // namespace

cmdlet_family cas_mailbox_cmdlets() { return {"", cas_cmdlets}; }

}  // namespace cmdlets

}  // namespace easemu::server
