#pragma once
// Inside the Exchange Management Shell: each noun file's family of cmdlets for the built-in
// table, and what the nouns share (argument values, lookups by Exchange identity, the mailbox
// log). Internal to the server library.
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "easemu/provisioning/policy.hpp"
#include "easemu/server/exchange_shell.hpp"
#include "easemu/shell/cmdlet_parser.hpp"
#include "easemu/store/store.hpp"

namespace easemu::server::cmdlets {

// The built-in families, one per noun file, in the order of the "not recognized" listing.
cmdlet_family mailbox_policy_cmdlets();       // mailbox_policies.cpp
cmdlet_family cas_mailbox_cmdlets();          // cas_mailbox.cpp
cmdlet_family mobile_device_cmdlets();        // mobile_devices.cpp (with the statistics)
cmdlet_family organization_settings_cmdlets();  // organization_settings.cpp
cmdlet_family device_access_rule_cmdlets();   // device_access_rules.cpp

// ---- argument values (arguments.cpp) ----

bool is_common_parameter(std::string_view name);
std::string value_text(const shell::cmdlet_value& v);               // a list joined by ','
std::vector<std::string> value_items(const shell::cmdlet_value& v);  // $null: none
// A multi-valued parameter: a list replaces, @{Add=...; Remove=...} edits, $null clears.
void edit_list(std::vector<std::string>& list, const shell::cmdlet_value& v, std::string_view parameter);

// ---- answers ----

boost::json::object what_if(const std::string& text);  // what -WhatIf shows instead of acting
shell_error not_found(const std::string& identity);    // Exchange's "couldn't be found"

// ---- lookups by Exchange identity ----

// A mailbox by address, alias (the local part) or display name (cas_mailbox.cpp).
store::mailbox_record find_mailbox(const store::store& db, const std::string& identity);

// The stored policies, and one by name (mailbox_policies.cpp).
std::vector<provisioning::policy> load_policies(const store::store& db);
std::vector<provisioning::policy>::iterator find_policy(std::vector<provisioning::policy>& all,
                                                        const std::string& identity);

// ---- mailbox logs (mailbox_log.cpp): Get-ActiveSyncDeviceStatistics -GetMailboxLog ----

std::string mailbox_log(const cmdlet_context& c, const store::device_record& d);
// Exchange mails the logs to the addresses given, one text attachment per device.
void send_mailbox_logs(const cmdlet_context& c, const std::vector<store::device_record>& devices,
                       const std::vector<std::string>& addresses);

}  // namespace easemu::server::cmdlets
