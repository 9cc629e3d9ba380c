// Settings (MS-ASCMD 2.2.1.18): Oof get and set, DeviceInformation (kept on the device record),
// UserInformation, DevicePassword.
#include "easemu/server/commands/commands.hpp"

#include <boost/json.hpp>

#include "easemu/common/text.hpp"
#include "easemu/store/store.hpp"

namespace easemu::server {

namespace {

using wbxml::element;
using wbxml::tag;

// The out-of-office settings of a mailbox, kept as JSON in the lab state.
boost::json::object load_oof(const store::store& s, const std::string& mailbox) {
  if (const auto text = s.get_lab_state("oof:" + mailbox)) {
    boost::system::error_code ec;
    auto v = boost::json::parse(*text, ec);
    if (!ec && v.is_object()) return v.as_object();
  }
  return {{"state", 0}, {"messages", boost::json::array{}}};
}

wbxml::tag_id audience_tag(std::string_view name) {
  if (name == "internal") return tag("Settings:AppliesToInternal");
  if (name == "external_known") return tag("Settings:AppliesToExternalKnown");
  return tag("Settings:AppliesToExternalUnknown");
}

void oof(const element& request, element& out, store::store& s, const std::string& mailbox) {
  auto& result = out.add(tag("Settings:Oof"));
  if (request.child(tag("Settings:Get")) != nullptr) {
    const auto oof = load_oof(s, mailbox);
    result.add(tag("Settings:Status"), "1");
    auto& g = result.add(tag("Settings:Get"));
    g.add(tag("Settings:OofState"), std::to_string(oof.at("state").to_number<int>()));
    if (oof.at("state").to_number<int>() == 2) {
      g.add(tag("Settings:StartTime"), std::string(oof.at("start").as_string()));
      g.add(tag("Settings:EndTime"), std::string(oof.at("end").as_string()));
    }
    for (const auto& m : oof.at("messages").as_array()) {
      auto& e = g.add(tag("Settings:OofMessage"));
      e.add(audience_tag(m.at("audience").as_string()));
      e.add(tag("Settings:Enabled"), std::string(m.at("enabled").as_string()));
      e.add(tag("Settings:ReplyMessage"), std::string(m.at("reply").as_string()));
      e.add(tag("Settings:BodyType"), std::string(m.at("body_type").as_string()));
    }
    return;
  }
  const auto* set = request.child(tag("Settings:Set"));
  if (set == nullptr) {
    result.add(tag("Settings:Status"), "2");
    return;
  }
  const std::string state(set->child_text(tag("Settings:OofState"), "0"));
  if (state != "0" && state != "1" && state != "2") {
    result.add(tag("Settings:Status"), "2");
    return;
  }
  boost::json::object oof{{"state", std::stoi(state)}, {"start", std::string(set->child_text(tag("Settings:StartTime")))},
                          {"end", std::string(set->child_text(tag("Settings:EndTime")))}};
  boost::json::array messages;
  for (const auto& m : set->children) {
    if (m.tag != tag("Settings:OofMessage")) continue;
    std::string audience = "internal";
    for (const char* name : {"internal", "external_known", "external_unknown"}) {
      if (m.child(audience_tag(name)) != nullptr) audience = name;
    }
    messages.push_back(boost::json::object{{"audience", audience},
                                           {"enabled", std::string(m.child_text(tag("Settings:Enabled"), "0"))},
                                           {"reply", std::string(m.child_text(tag("Settings:ReplyMessage")))},
                                           {"body_type", std::string(m.child_text(tag("Settings:BodyType"), "Text"))}});
  }
  oof["messages"] = std::move(messages);
  s.set_lab_state("oof:" + mailbox, boost::json::serialize(oof));
  result.add(tag("Settings:Status"), "1");
}

command_reply settings_reply(const eas_context& ctx, store::store& s) {
  command_reply reply;
  auto& out = reply.body.emplace(tag("Settings:Settings"));
  const element* root = ctx.body && ctx.body->tag == tag("Settings:Settings") ? &*ctx.body : nullptr;
  if (root == nullptr) {
    out.add(tag("Settings:Status"), "2");  // protocol error
    return reply;
  }
  out.add(tag("Settings:Status"), "1");
  for (const auto& part : root->children) {
    if (part.tag == tag("Settings:Oof")) {
      oof(part, out, s, ctx.mailbox);
    } else if (part.tag == tag("Settings:DeviceInformation")) {
      // 12.1 and 14.0 clients send what 14.1 sends in Provision (PROVISIONING.md 1.3).
      const auto* set = part.child(tag("Settings:Set"));
      if (set != nullptr) {
        s.update_device_information(ctx.mailbox, ctx.query.printable_device_id(),
                                    {std::string(set->child_text(tag("Settings:Model"))),
                                     std::string(set->child_text(tag("Settings:IMEI"))),
                                     std::string(set->child_text(tag("Settings:FriendlyName"))),
                                     std::string(set->child_text(tag("Settings:OS"))),
                                     std::string(set->child_text(tag("Settings:OSLanguage"))),
                                     std::string(set->child_text(tag("Settings:PhoneNumber"))),
                                     std::string(set->child_text(tag("Settings:MobileOperator")))});
      }
      out.add(tag("Settings:DeviceInformation")).add(tag("Settings:Status"), set != nullptr ? "1" : "2");
    } else if (part.tag == tag("Settings:UserInformation")) {
      std::string display = ctx.mailbox;
      for (const auto& m : s.list_mailboxes()) {
        if (common::iequals(m.address, ctx.mailbox) && !m.display_name.empty()) display = m.display_name;
      }
      auto& ui = out.add(tag("Settings:UserInformation"));
      ui.add(tag("Settings:Status"), "1");
      auto& get = ui.add(tag("Settings:Get"));
      if (ctx.version >= protocol_version::v14_1) {
        auto& account = get.add(tag("Settings:Accounts")).add(tag("Settings:Account"));
        account.add(tag("Settings:UserDisplayName"), display);
        account.add(tag("Settings:EmailAddresses")).add(tag("Settings:PrimarySmtpAddress"), ctx.mailbox);
      } else {
        get.add(tag("Settings:EmailAddresses")).add(tag("Settings:SMTPAddress"), ctx.mailbox);
      }
    } else if (part.tag == tag("Settings:DevicePassword")) {
      // The recovery password a device offers; accepted, not kept (it never leaves the lab).
      out.add(tag("Settings:DevicePassword")).add(tag("Settings:Status"), "1");
    }
  }
  return reply;
}

}  // namespace

namespace commands {

command_registration settings(const command_services& s) {
  return {eas::command_id::settings, [store = s.store](const eas_context& ctx) { return settings_reply(ctx, *store); }};
}

}  // namespace commands

}  // namespace easemu::server
