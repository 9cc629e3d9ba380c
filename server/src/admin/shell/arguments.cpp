// A cmdlet call's arguments, bound and checked against its table entry, and the values they
// carry, with PowerShell's messages for what does not fit.
#include "easemu/server/shell_cmdlet.hpp"

#include <algorithm>
#include <iterator>

#include "cmdlets.hpp"
#include "easemu/common/text.hpp"
#include "easemu/shell/cmdlet_parser.hpp"

namespace easemu::server {

namespace {

using common::iequals;
using shell::cmdlet_value;

constexpr cmdlet_parameter_spec common_parameters[] = {{"Confirm"},       {"WhatIf"},          {"Verbose"},
                                                       {"Debug"},         {"ErrorAction"},     {"WarningAction"},
                                                       {"DomainController"}, {"ErrorVariable"}};

bool listed(std::span<const cmdlet_parameter_spec> list, std::string_view name, std::uint8_t release) {
  return std::any_of(list.begin(), list.end(), [&](const cmdlet_parameter_spec& p) {
    return iequals(p.name, name) && (p.releases & release) != 0;
  });
}

bool accepts(const cmdlet_spec& spec, std::string_view name, std::uint8_t release) {
  return listed(spec.parameters, name, release) || cmdlets::is_common_parameter(name) ||
         (spec.also_accepts != nullptr && spec.also_accepts(name, release));
}

bool value_flag(const cmdlet_value& v, const std::string& name) {
  if (v.type == cmdlet_value::kind::boolean) return v.flag;
  if (v.type == cmdlet_value::kind::present) return true;
  const auto t = cmdlets::value_text(v);
  if (iequals(t, "$true") || iequals(t, "true") || t == "1") return true;
  if (iequals(t, "$false") || iequals(t, "false") || t == "0") return false;
  throw shell_error("Cannot process argument transformation on parameter '" + name + "'. Cannot convert value '" + t +
                    "' to type System.Boolean.");
}

}  // namespace

std::span<const cmdlet_parameter_spec> common_cmdlet_parameters() { return common_parameters; }

cmdlet_arguments::cmdlet_arguments(const shell::cmdlet_call& call, const cmdlet_spec& spec, bool as_twin,
                                   std::uint8_t release)
    : call_(call), as_twin_(as_twin) {
  for (const auto& p : call.parameters) {
    // PowerShell's own words for a parameter the cmdlet (in this release) does not have.
    if (!accepts(spec, p.name, release)) {
      throw shell_error("A parameter cannot be found that matches parameter name '" + p.name + "'.");
    }
  }
  if (call.positional.empty()) return;
  if (spec.positional.empty() || call.positional.size() > 1 || has(spec.positional)) {
    throw shell_error("A positional parameter cannot be found that accepts argument '" +
                      cmdlets::value_text(call.positional.back()) + "'.");
  }
  positional_ = &call.positional.front();
  positional_name_ = spec.positional;
}

const shell::cmdlet_value* cmdlet_arguments::get(std::string_view name) const {
  for (const auto& p : call_.parameters) {
    if (iequals(p.name, name)) return &p.value;
  }
  if (positional_ != nullptr && iequals(positional_name_, name)) return positional_;
  return nullptr;
}

std::string cmdlet_arguments::text(std::string_view name) const {
  const auto* v = get(name);
  return v != nullptr ? cmdlets::value_text(*v) : std::string();
}

std::string cmdlet_arguments::required(std::string_view name) const {
  const auto* v = get(name);
  if (v == nullptr || cmdlets::value_text(*v).empty()) {
    throw shell_error("Cannot process command because of one or more missing mandatory parameters: " +
                      std::string(name) + ".");
  }
  return cmdlets::value_text(*v);
}

bool cmdlet_arguments::flag(std::string_view name) const {
  const auto* v = get(name);
  return v != nullptr && value_flag(*v, std::string(name));
}

const std::vector<shell::cmdlet_parameter>& cmdlet_arguments::parameters() const { return call_.parameters; }

namespace cmdlets {

bool is_common_parameter(std::string_view name) { return listed(common_parameters, name, release::all); }

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

void edit_list(std::vector<std::string>& list, const cmdlet_value& v, std::string_view parameter) {
  auto add = [&](const cmdlet_value& ids) {
    for (const auto& id : value_items(ids)) {
      const bool present = std::any_of(list.begin(), list.end(), [&](const std::string& x) { return iequals(x, id); });
      if (!id.empty() && !present) list.push_back(id);
    }
  };
  if (v.type != cmdlet_value::kind::hashtable) {
    list.clear();
    add(v);
    return;
  }
  for (const auto& e : v.entries) {
    if (iequals(e.key, "Add")) {
      add(e.value);
    } else if (iequals(e.key, "Remove")) {
      for (const auto& id : value_items(e.value)) {
        std::erase_if(list, [&](const std::string& x) { return iequals(x, id); });
      }
    } else {
      throw shell_error("Cannot bind parameter '" + std::string(parameter) + "': the hashtable key '" + e.key +
                        "' is not Add or Remove.");
    }
  }
}

boost::json::object what_if(const std::string& text) { return {{"WhatIf", "What if: " + text}}; }

shell_error not_found(const std::string& identity) {
  return shell_error("The operation couldn't be performed because object '" + identity + "' couldn't be found.");
}

}  // namespace cmdlets

}  // namespace easemu::server
