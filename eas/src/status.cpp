#include "easemu/eas/status.hpp"

namespace easemu::eas {

int http_status_for(int s) {
  if (s >= 101 && s <= 109) return 400;  // the request itself is wrong (InvalidContent .. DeviceType)
  switch (s) {
    case 110: return 500;  // ServerError
    case 111: return 503;  // ServerErrorRetryLater
    case 113: return 507;  // MailboxQuotaExceeded
    case 114: return 503;  // MailboxServerOffline
    case 115: return 507;  // SendQuotaExceeded
    case 137: return 501;  // CommandNotSupported
    case 138: return 400;  // VersionNotSupported
    case 140: return 403;  // RemoteWipeRequested without a key header (449 with one)
    case 142:              // DeviceNotProvisioned
    case 143:              // PolicyRefresh
    case 144: return 449;  // InvalidPolicyKey
    case 112:              // ActiveDirectoryAccessDenied
    case 126:              // UserDisabledForSync
    case 129:              // DeviceIsBlockedForThisUser
    case 130:              // AccessDenied
    case 131:              // AccountDisabled
    case 139:              // DeviceNotFullyProvisionable
    case 141:              // LegacyDeviceOnStrictPolicy
    case 145:              // ExternallyManagedDevicesNotAllowed
    case 177: return 403;  // MaximumDevicesReached
    default: return 500;
  }
}

int server_error_status(command_id c) {
  switch (c) {
    case command_id::provision: return 3;  // MS-ASPROV 2.2.2.54.2: general server error
    case command_id::folder_sync:          // MS-ASCMD 2.2.3.177.5
    case command_id::folder_create:        // 2.2.3.177.3
    case command_id::folder_delete:        // 2.2.3.177.4
    case command_id::folder_update: return 6;  // 2.2.3.177.6: an error occurred on the server
    case command_id::sync: return 5;           // 2.2.3.177.17: server error
    case command_id::item_operations:          // 2.2.3.177.8
    case command_id::search: return 3;         // 2.2.3.177.13: server error
    case command_id::meeting_response: return 3;  // 2.2.3.177.9: an error on the server mailbox
    case command_id::resolve_recipients: return 6;  // 2.2.3.177.12: an error occurred on the server
    case command_id::ping: return 8;               // 2.2.3.177.11: an error occurred on the server
    default: return 110;                           // 2.2.2: ServerError, common to all commands
  }
}

}  // namespace easemu::eas
