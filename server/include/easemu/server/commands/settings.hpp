#pragma once
// The Settings command (MS-ASCMD 2.2.1.18): Oof get and set, DeviceInformation (kept on the
// device record), UserInformation, DevicePassword.
#include "easemu/server/activesync/context.hpp"

namespace easemu::store {
class store;
}

namespace easemu::server {

command_reply settings_command(const eas_context& ctx, store::store& store);

}  // namespace easemu::server
