#include "easemu/server/commands/commands.hpp"

#include "easemu/server/access_service.hpp"
#include "easemu/server/commands/folders.hpp"
#include "easemu/server/commands/mail.hpp"
#include "easemu/server/commands/settings.hpp"
#include "easemu/server/provisioning_service.hpp"

namespace easemu::server {

std::vector<command_registration> all_commands(const command_services& s) {
  using c = eas::command_id;
  auto& mail = s.mail;
  auto& folders = s.folders;
  std::vector<command_registration> out = {
      {c::validate_cert, make_validate_cert_handler(s.trust, s.log)},
      {c::provision, [&p = s.provisioning](const eas_context& ctx) { return p.provision(ctx); }},
      {c::folder_sync, [&folders](const eas_context& ctx) { return folders.folder_sync(ctx); }},
      {c::folder_create, [&folders](const eas_context& ctx) { return folders.folder_create(ctx); }},
      {c::folder_update, [&folders](const eas_context& ctx) { return folders.folder_update(ctx); }},
      {c::folder_delete, [&folders](const eas_context& ctx) { return folders.folder_delete(ctx); }},
      {c::get_item_estimate, [&mail](const eas_context& ctx) { return mail.get_item_estimate(ctx); }},
      {c::move_items, [&mail](const eas_context& ctx) { return mail.move_items(ctx); }},
      {c::settings, [store = s.store](const eas_context& ctx) { return settings_command(ctx, *store); }},
      {c::item_operations, [&mail](const eas_context& ctx) { return mail.item_operations(ctx); }},
      {c::get_attachment, [&mail](const eas_context& ctx) { return mail.get_attachment(ctx); }},
      {c::search, [&mail](const eas_context& ctx) { return mail.search(ctx); }},
      {c::resolve_recipients, [&mail](const eas_context& ctx) { return mail.resolve_recipients(ctx); }},
  };
  for (auto id : {c::send_mail, c::smart_reply, c::smart_forward}) {
    out.push_back({id, [&mail](const eas_context& ctx) { return mail.send(ctx); }});
  }
  auto& ping = s.ping;
  const int min_heartbeat = s.limits.min_heartbeat;
  out.push_back({c::sync, waiting_command_handler([&mail, &ping, min_heartbeat](std::shared_ptr<const eas_context> ctx,
                                                                                reply_fn done) {
                   mail.sync_async(std::move(ctx), std::move(done), min_heartbeat,
                                   [&ping](const std::string& mailbox, const std::string& device,
                                           std::vector<std::string> collections, int seconds,
                                           std::function<void(bool)> finished) {
                                     ping.watch(mailbox, device, std::move(collections), seconds,
                                                [finished = std::move(finished)](const std::vector<std::string>& changed) {
                                                  finished(!changed.empty());
                                                });
                                   });
                 })});
  out.push_back({c::ping, waiting_command_handler([&ping](std::shared_ptr<const eas_context> ctx, reply_fn done) {
                   ping.ping(std::move(ctx), std::move(done));
                 })});
  return out;
}

}  // namespace easemu::server
