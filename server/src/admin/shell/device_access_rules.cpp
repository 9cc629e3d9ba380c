// New/Set/Remove/Get-ActiveSyncDeviceAccessRule: the organization's Allow/Block/Quarantine rules
// by device type or model (PROVISIONING.md 5.1).
#include <algorithm>

#include "cmdlets.hpp"
#include "easemu/common/text.hpp"
#include "easemu/provisioning/access.hpp"
#include "easemu/server/access_service.hpp"

namespace easemu::server::cmdlets {

namespace {

namespace prov = provisioning;
using common::iequals;

boost::json::object rule_object(const prov::device_access_rule& r) {
  return {{"Identity", r.identity()},
          {"Name", r.identity()},
          {"QueryString", r.query_string},
          {"Characteristic", prov::to_string(r.characteristic)},
          {"AccessLevel", prov::to_string(r.access_level)}};
}

std::vector<prov::device_access_rule>::iterator find_rule(std::vector<prov::device_access_rule>& rules,
                                                          const std::string& identity) {
  auto it = std::find_if(rules.begin(), rules.end(),
                         [&](const prov::device_access_rule& r) { return iequals(r.identity(), identity); });
  if (it == rules.end()) throw not_found(identity);
  return it;
}

prov::device_access_level required_level(const cmdlet_arguments& args) {
  auto level = prov::parse_access_level(args.required("AccessLevel"));
  if (!level) throw shell_error(level.error());
  return *level;
}

boost::json::array new_access_rule(const cmdlet_arguments& args, const cmdlet_context& c) {
  prov::device_access_rule rule;
  rule.query_string = args.required("QueryString");
  auto characteristic = prov::parse_characteristic(args.required("Characteristic"));
  if (!characteristic) throw shell_error(characteristic.error());
  rule.characteristic = *characteristic;
  rule.access_level = required_level(args);
  auto cfg = *c.access.config();
  if (std::any_of(cfg.rules.begin(), cfg.rules.end(),
                  [&](const prov::device_access_rule& r) { return iequals(r.identity(), rule.identity()); })) {
    throw shell_error("The device access rule '" + rule.identity() + "' already exists.");
  }
  if (args.flag("WhatIf")) return {what_if("Creating the device access rule \"" + rule.identity() + "\".")};
  cfg.rules.push_back(rule);
  c.access.save(cfg);
  return {rule_object(rule)};
}

boost::json::array set_access_rule(const cmdlet_arguments& args, const cmdlet_context& c) {
  auto cfg = *c.access.config();
  auto it = find_rule(cfg.rules, args.required("Identity"));
  if (args.has("AccessLevel")) it->access_level = required_level(args);
  if (args.flag("WhatIf")) return {what_if("Setting the device access rule \"" + it->identity() + "\".")};
  c.access.save(cfg);
  return {};
}

boost::json::array remove_access_rule(const cmdlet_arguments& args, const cmdlet_context& c) {
  auto cfg = *c.access.config();
  auto it = find_rule(cfg.rules, args.required("Identity"));
  if (args.flag("WhatIf")) return {what_if("Removing the device access rule \"" + it->identity() + "\".")};
  cfg.rules.erase(it);
  c.access.save(cfg);
  return {};
}

boost::json::array get_access_rules(const cmdlet_arguments& args, const cmdlet_context& c) {
  auto cfg = *c.access.config();
  boost::json::array out;
  if (args.has("Identity")) {
    out.push_back(rule_object(*find_rule(cfg.rules, args.required("Identity"))));
    return out;
  }
  for (const auto& r : cfg.rules) out.push_back(rule_object(r));
  return out;
}

constexpr cmdlet_parameter_spec new_parameters[] = {{"QueryString"}, {"Characteristic"}, {"AccessLevel"}};
constexpr cmdlet_parameter_spec set_parameters[] = {{"Identity"}, {"AccessLevel"}};
constexpr cmdlet_parameter_spec identity_only[] = {{"Identity"}};

// New-* keeps the bare argument as an Identity it never reads (the rule's identity comes from
// QueryString and Characteristic), as the executor always did.
constexpr cmdlet_spec rule_cmdlets[] = {
    {.name = "New-ActiveSyncDeviceAccessRule", .parameters = new_parameters, .positional = "Identity",
     .handler = new_access_rule},
    {.name = "Set-ActiveSyncDeviceAccessRule", .parameters = set_parameters, .positional = "Identity",
     .handler = set_access_rule},
    {.name = "Remove-ActiveSyncDeviceAccessRule", .parameters = identity_only, .positional = "Identity",
     .handler = remove_access_rule},
    {.name = "Get-ActiveSyncDeviceAccessRule", .parameters = identity_only, .positional = "Identity",
     .handler = get_access_rules},
};

}  // namespace

cmdlet_family device_access_rule_cmdlets() { return {"", rule_cmdlets}; }

}  // namespace easemu::server::cmdlets
