// Set/Get-ActiveSyncOrganizationSettings: the organization's default access level and the
// notices of quarantine (PROVISIONING.md 5.1).
#include "cmdlets.hpp"
#include "easemu/provisioning/access.hpp"
#include "easemu/server/access_service.hpp"

namespace easemu::server::cmdlets {

namespace {

namespace prov = provisioning;
using shell::cmdlet_value;

boost::json::object organization_object(const access_config& c) {
  boost::json::array admins;
  for (const auto& a : c.organization.admin_mail_recipients) admins.emplace_back(a);
  return {{"Identity", "Mobile Mailbox Settings"},
          {"DefaultAccessLevel", prov::to_string(c.organization.default_access_level)},
          {"UserMailInsert", c.organization.user_mail_insert.empty() ? boost::json::value(nullptr)
                                                                     : boost::json::value(c.organization.user_mail_insert)},
          {"AdminMailRecipients", std::move(admins)}};
}

boost::json::array set_organization(const cmdlet_arguments& args, const cmdlet_context& c) {
  auto cfg = *c.access.config();
  if (const auto* v = args.get("DefaultAccessLevel")) {
    auto level = prov::parse_access_level(value_text(*v), "DefaultAccessLevel");
    if (!level) throw shell_error(level.error());
    cfg.organization.default_access_level = *level;
  }
  if (const auto* v = args.get("UserMailInsert")) {
    const auto text = v->type == cmdlet_value::kind::null ? std::string() : value_text(*v);
    if (text.size() > 256) throw shell_error("UserMailInsert is limited to 256 characters.");  // PROVISIONING.md 5.1
    cfg.organization.user_mail_insert = text;
  }
  if (const auto* v = args.get("AdminMailRecipients")) {
    if (v->type == cmdlet_value::kind::hashtable) {
      edit_list(cfg.organization.admin_mail_recipients, *v, "AdminMailRecipients");
    } else {
      cfg.organization.admin_mail_recipients = value_items(*v);
    }
  }
  if (args.flag("WhatIf")) return {what_if("Setting the organization's mobile device settings.")};
  c.access.save(cfg);
  return {};
}

boost::json::array get_organization(const cmdlet_arguments&, const cmdlet_context& c) {
  return {organization_object(*c.access.config())};
}

// OtaNotificationMailInsert is accepted and ignored: easemu sends no over-the-air notices.
constexpr cmdlet_parameter_spec set_parameters[] = {
    {"Identity"}, {"DefaultAccessLevel"}, {"UserMailInsert"}, {"AdminMailRecipients"}, {"OtaNotificationMailInsert"}};
constexpr cmdlet_parameter_spec get_parameters[] = {{"Identity"}};

constexpr cmdlet_spec organization_cmdlets[] = {
    {.name = "Set-ActiveSyncOrganizationSettings", .parameters = set_parameters, .positional = "Identity",
     .handler = set_organization},
    {.name = "Get-ActiveSyncOrganizationSettings", .parameters = get_parameters, .positional = "Identity",
     .handler = get_organization},
};

}  // namespace

cmdlet_family organization_settings_cmdlets() { return {"", organization_cmdlets}; }

}  // namespace easemu::server::cmdlets
