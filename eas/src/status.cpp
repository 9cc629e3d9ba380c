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

}  // namespace easemu::eas
