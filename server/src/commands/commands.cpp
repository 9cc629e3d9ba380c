#include "easemu/server/commands/commands.hpp"

namespace easemu::server {

std::vector<command_registration> all_commands(const command_services& s) {
  std::vector<command_registration> out = {
      commands::sync(s),           commands::get_item_estimate(s), commands::move_items(s),
      commands::item_operations(s), commands::get_attachment(s),   commands::search(s),
      commands::find(s),
      commands::resolve_recipients(s), commands::ping(s),          commands::settings(s),
      commands::provision(s),      commands::validate_cert(s),
  };
  for (auto* group : {&commands::send, &commands::folders}) {
    for (auto& r : group(s)) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace easemu::server
