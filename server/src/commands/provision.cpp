// Provision (MS-ASCMD 2.2.1.14, MS-ASPROV): the policy download, its acknowledgement and remote
// wipe, decided by the provisioning module around the device's stored state
// (provisioning_service::provision).
#include "easemu/server/commands/commands.hpp"
#include "easemu/server/provisioning_service.hpp"

namespace easemu::server::commands {

command_registration provision(const command_services& s) {
  return {eas::command_id::provision, [&p = s.provisioning](const eas_context& ctx) { return p.provision(ctx); }};
}

}  // namespace easemu::server::commands
