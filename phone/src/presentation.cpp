#include "easemu/phone/presentation.hpp"

#include <cstdio>
#include <initializer_list>
#include <utility>

namespace easemu::phone {

namespace {

// MS-ASCMD 2.2.2 common status codes (the spec's names).
constexpr std::pair<int, std::string_view> status_names[] = {
    {101, "InvalidContent"},
    {102, "InvalidWBXML"},
    {103, "InvalidXML"},
    {104, "InvalidDateTime"},
    {105, "InvalidCombinationOfIDs"},
    {106, "InvalidIDs"},
    {107, "InvalidMIME"},
    {108, "DeviceIdMissingOrInvalid"},
    {109, "DeviceTypeMissingOrInvalid"},
    {110, "ServerError"},
    {111, "ServerErrorRetryLater"},
    {112, "ActiveDirectoryAccessDenied"},
    {113, "MailboxQuotaExceeded"},
    {114, "MailboxServerOffline"},
    {115, "SendQuotaExceeded"},
    {116, "MessageRecipientUnresolved"},
    {117, "MessageReplyNotAllowed"},
    {118, "MessagePreviouslySent"},
    {119, "MessageHasNoRecipient"},
    {120, "MailSubmissionFailed"},
    {121, "MessageReplyFailed"},
    {122, "AttachmentIsTooLarge"},
    {123, "UserHasNoMailbox"},
    {124, "UserCannotBeAnonymous"},
    {125, "UserPrincipalCouldNotBeFound"},
    {126, "UserDisabledForSync"},
    {127, "UserOnNewMailboxCannotSync"},
    {128, "UserOnLegacyMailboxCannotSync"},
    {129, "DeviceIsBlockedForThisUser"},
    {130, "AccessDenied"},
    {131, "AccountDisabled"},
    {132, "SyncStateNotFound"},
    {133, "SyncStateLocked"},
    {134, "SyncStateCorrupt"},
    {135, "SyncStateAlreadyExists"},
    {136, "SyncStateVersionInvalid"},
    {137, "CommandNotSupported"},
    {138, "VersionNotSupported"},
    {139, "DeviceNotFullyProvisionable"},
    {140, "RemoteWipeRequested"},
    {141, "LegacyDeviceOnStrictPolicy"},
    {142, "DeviceNotProvisioned"},
    {143, "PolicyRefresh"},
    {144, "InvalidPolicyKey"},
    {145, "ExternallyManagedDevicesNotAllowed"},
    {146, "NoRecurrenceInCalendar"},
    {147, "UnexpectedItemClass"},
    {148, "RemoteServerHasNoSSL"},
    {149, "InvalidStoredRequest"},
    {150, "ItemNotFound"},
    {151, "TooManyFolders"},
    {152, "NoFoldersFound"},
    {153, "ItemsLostAfterMove"},
    {154, "FailureInMoveOperation"},
    {155, "MoveCommandDisallowedForNonPersistentMoveAction"},
    {156, "MoveCommandInvalidDestinationFolder"},
    {160, "AvailabilityTooManyRecipients"},
    {161, "AvailabilityDLLimitReached"},
    {162, "AvailabilityTransientFailure"},
    {163, "AvailabilityFailure"},
    {164, "BodyPartPreferenceTypeNotSupported"},
    {165, "DeviceInformationRequired"},
    {166, "InvalidAccountId"},
    {167, "AccountSendDisabled"},
    {168, "IRM_FeatureDisabled"},
    {169, "IRM_TransientError"},
    {170, "IRM_PermanentError"},
    {171, "IRM_InvalidTemplateID"},
    {172, "IRM_OperationNotPermitted"},
    {173, "NoPicture"},
    {174, "PictureTooLarge"},
    {175, "PictureLimitReached"},
    {176, "BodyPart_ConversationTooLarge"},
    {177, "MaximumDevicesReached"},
    {178, "InvalidMimeBodyCombination"},
    {179, "InvalidSmartForwardParameters"},
    {183, "InvalidRecipients"},
    {184, "OneOrMoreExceptionsFailed"},
};

// PROVISIONING.md 2.4 (SURFACEHUB): the six 0x86000Cxx anchors Microsoft documents.
constexpr int documented_statuses[] = {111, 114, 123, 143, 144, 177};

bool is_common_status(int s) { return !eas_status_name(s).empty(); }

std::string host(const outcome& o) { return o.server.empty() ? std::string("The server") : o.server; }

std::string status_detail(const outcome& o) {
  if (o.kind == outcome_kind::eas_status) {
    const auto name = eas_status_name(o.status);
    return "EAS status " + std::to_string(o.status) + (name.empty() ? "" : " " + std::string(name));
  }
  switch (o.kind) {
    case outcome_kind::http_status: return "HTTP " + std::to_string(o.status);
    case outcome_kind::certificate_untrusted: return "certificate from an untrusted authority";
    case outcome_kind::certificate_name_mismatch: return "certificate issued for another name";
    case outcome_kind::certificate_expired: return "certificate expired or not yet valid";
    case outcome_kind::tls_version_refused: return "no TLS version in common";
    case outcome_kind::client_certificate_required: return "client certificate required";
    case outcome_kind::name_not_resolved: return "server name not found";
    case outcome_kind::timeout: return "no answer in time";
    case outcome_kind::connection_refused: return "connection refused";
    case outcome_kind::policies_unsupported: return "security policies not supported";
    case outcome_kind::autodiscover_failed: return "Autodiscover found no server";
    case outcome_kind::options_header_missing: return "no MS-Server-ActiveSync header in the OPTIONS reply";
    default: return std::string(to_string(o.kind));
  }
}

bool is_status(const outcome& o, std::initializer_list<int> statuses) {
  if (o.kind != outcome_kind::eas_status) return false;
  for (const int s : statuses) {
    if (o.status == s) return true;
  }
  return false;
}

bool is_http(const outcome& o, int status) { return o.kind == outcome_kind::http_status && o.status == status; }

// A screen in the style's voice, category by category. `s` already has error, what, code, items.
void windows_texts(const device_profile& profile, const outcome& o, screen& s) {
  const auto h = host(o);
  s.title = "Sync problem";
  switch (s.what) {
    case category::success:
      s.title = "Account set up";
      s.message = h + " is syncing.";
      break;
    case category::policy:
      // PROVISIONING.md 2.5: what WP7 shows with 86000C2B (status 144).
      s.message = h + " requires that certain security policies be enforced.";
      break;
    case category::access_denied:
      s.message = is_status(o, {177}) ? "This account already has as many phones as " + h + " allows. Remove one, then try again."
                                       : h + " turned this phone away. Your administrator may have blocked it or turned off mobile access for your mailbox.";
      break;
    case category::credentials:
      s.message = o.kind == outcome_kind::client_certificate_required
                      ? h + " asks for a certificate that identifies you, and none is installed on this phone."
                      : "Check your user name and password for " + h + ".";
      break;
    case category::certificate:
      s.message = o.kind == outcome_kind::certificate_untrusted ? "The certificate of " + h + " doesn't come from an authority this phone trusts."
                  : o.kind == outcome_kind::certificate_expired ? "The certificate of " + h + " has expired or isn't valid yet."
                                                                : "The certificate of " + h + " was issued for a different name.";
      break;
    case category::tls:
      s.message = "This phone and " + h + " have no secure connection version in common.";
      break;
    case category::network:
      s.message = o.kind == outcome_kind::name_not_resolved ? "Couldn't find " + h + ". Check the server address and your connection."
                  : o.kind == outcome_kind::timeout         ? h + " took too long to answer. Try again later."
                                                            : h + " isn't accepting connections right now.";
      break;
    case category::server:
      s.message = is_status(o, {113}) || is_http(o, 507) ? "Your mailbox on " + h + " is full."
                                                         : h + " has a problem right now. Try again later.";
      break;
    case category::not_found:
      s.message = is_status(o, {123}) ? "There is no mailbox for this account on " + h + "."
                                      : "Couldn't find the mail settings for " + h + ". Check the server address.";
      break;
    case category::protocol:
      s.message = h + " and this phone don't understand each other (" + status_detail(o) + ").";
      break;
    case category::wiped:
      s.title = "Remote wipe";
      s.message = profile.react.wipe == wipe_kind::account_only ? h + " removed this account and its data from the phone."
                                                                 : h + " asked for this phone to be erased.";
      break;
  }
}

void android_texts(const device_profile&, const outcome& o, screen& s) {
  const auto h = host(o);
  // AOSP treats 126-131, 139, 141 and 177 as "access denied" (PROVISIONING.md 2.4).
  const bool denied = s.what == category::access_denied || is_status(o, {139, 141});
  if (denied) {
    s.title = "Access denied";
    s.message = h + " does not allow this device to sync the account (" + status_detail(o) + ").";
    s.items.clear();
    return;
  }
  switch (s.what) {
    case category::success:
      s.title = "Account set up";
      s.message = "Syncing with " + h + ".";
      break;
    case category::policy:
      if (!s.items.empty()) {
        // AOSP account setup: "security policies unsupported", listing the items.
        s.title = "Security policies unsupported";
        s.message = h + " requires security features this device doesn't support:";
      } else {
        s.title = "Security setup failed";
        s.message = "Couldn't finish applying the security settings " + h + " requires (" + status_detail(o) + ").";
      }
      break;
    case category::credentials:
      s.title = o.kind == outcome_kind::client_certificate_required ? "Client certificate required" : "Authentication failed";
      s.message = o.kind == outcome_kind::client_certificate_required
                      ? h + " requires a client certificate. Install one and select it for this account."
                      : "The username or password for " + h + " is wrong.";
      break;
    case category::certificate:
    case category::tls:
      s.title = "Secure connection failed";
      s.message = "Can't connect securely to " + h + " (" + status_detail(o) + ").";
      break;
    case category::network:
      s.title = "Can't connect";
      s.message = "Can't reach " + h + " (" + status_detail(o) + ").";
      break;
    case category::wiped:
      s.title = "Device wipe";
      s.message = h + " requested a remote wipe.";
      break;
    default:
      s.title = "Sync error";
      s.message = h + " returned an error (" + status_detail(o) + ").";
      break;
  }
}

void ios_texts(const device_profile& profile, const outcome& o, screen& s) {
  const auto h = host(o);
  switch (s.what) {
    case category::success:
      s.title = "Account verified";
      s.message = h + " is set up.";
      break;
    case category::certificate:
      s.title = "Cannot Verify Server Identity";  // as iOS titles the dialog (PROVISIONING.md 6)
      s.message = "This iPhone can't confirm the identity of \"" + h + "\" (" +
                  (o.kind == outcome_kind::certificate_untrusted ? std::string("not issued by a trusted authority")
                   : o.kind == outcome_kind::certificate_expired ? std::string("expired")
                                                                 : std::string("issued for another name")) +
                  ").";
      break;
    case category::tls:
      s.title = "Secure Connection Failed";
      s.message = "\"" + h + "\" doesn't offer a TLS version this iPhone supports.";
      break;
    case category::credentials:
      s.title = "Account Error";
      s.message = o.kind == outcome_kind::client_certificate_required ? "\"" + h + "\" requires a certificate to sign in."
                                                                       : "The user name or password for \"" + h + "\" is incorrect.";
      break;
    case category::policy:
      s.title = "Security Policy";
      s.message = "\"" + h + "\" requires security settings this iPhone can't apply.";
      break;
    case category::access_denied:
      s.title = "Account Error";
      s.message = "\"" + h + "\" refused access to this account (" + status_detail(o) + ").";
      break;
    case category::network:
      s.title = "Cannot Get Mail";
      s.message = "Could not connect to \"" + h + "\".";
      break;
    case category::wiped:
      s.title = profile.react.wipe == wipe_kind::account_only ? "Account Removed" : "Erasing iPhone";
      s.message = "\"" + h + "\" requested a remote wipe.";
      break;
    default:
      s.title = "Cannot Get Mail";
      s.message = "\"" + h + "\" reported a problem (" + status_detail(o) + ").";
      break;
  }
}

void outlook_texts(const device_profile&, const outcome& o, screen& s) {
  const auto h = host(o);
  switch (s.what) {
    case category::success:
      s.title = "You're all set";
      s.message = "Your account on " + h + " is syncing.";
      break;
    case category::policy:
      s.title = "Account needs attention";
      s.message = h + " requires device security policies that Outlook doesn't apply.";
      break;
    case category::credentials:
      s.title = "Sign-in needed";
      s.message = "We couldn't sign in to " + h + " with the password you entered.";
      break;
    case category::certificate:
    case category::tls:
      s.title = "Connection not secure";
      s.message = "We couldn't make a secure connection to " + h + " (" + status_detail(o) + ").";
      break;
    case category::wiped:
      s.title = "Account removed";
      s.message = "Your organisation removed this account from the app.";
      break;
    default:
      s.title = "Can't sync";
      s.message = "We couldn't sync your account on " + h + " (" + status_detail(o) + ").";
      break;
  }
}

void generic_texts(const device_profile&, const outcome& o, screen& s) {
  s.title = std::string(to_string(s.what));
  s.message = host(o) + ": " + status_detail(o);
}

// {server}, {detail} and {seconds} in a profile's text.
std::string fill(std::string_view text, const outcome& o) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto take = [&](std::string_view key, const std::string& value) {
      if (text.substr(i, key.size()) != key) return false;
      out += value;
      i += key.size();
      return true;
    };
    if (take("{server}", host(o)) || take("{detail}", status_detail(o)) ||
        take("{seconds}", std::to_string(o.seconds_since_try))) {
      continue;
    }
    out += text[i++];
  }
  return out;
}

// The profile's own words over the style's, general keys first so the specific ones win.
void profile_texts(const device_profile& profile, const outcome& o, screen& s) {
  if (profile.screens.empty()) return;
  std::vector<std::string> keys;
  if (s.error) keys.emplace_back("error");
  keys.emplace_back(to_string(s.what));
  keys.emplace_back(to_string(o.kind));
  if (o.kind == outcome_kind::eas_status) keys.push_back("status_" + std::to_string(o.status));
  if (o.kind == outcome_kind::http_status) keys.push_back("http_" + std::to_string(o.status));
  for (const auto& key : keys) {
    const auto it = profile.screens.find(key);
    if (it == profile.screens.end()) continue;
    if (!it->second.title.empty()) s.title = fill(it->second.title, o);
    if (!it->second.message.empty()) s.message = fill(it->second.message, o);
    if (!it->second.footer.empty()) s.footer = fill(it->second.footer, o);
  }
}

}  // namespace

std::string_view to_string(outcome_kind k) {
  switch (k) {
    case outcome_kind::success: return "success";
    case outcome_kind::eas_status: return "eas_status";
    case outcome_kind::http_status: return "http_status";
    case outcome_kind::certificate_untrusted: return "certificate_untrusted";
    case outcome_kind::certificate_name_mismatch: return "certificate_name_mismatch";
    case outcome_kind::certificate_expired: return "certificate_expired";
    case outcome_kind::tls_version_refused: return "tls_version_refused";
    case outcome_kind::client_certificate_required: return "client_certificate_required";
    case outcome_kind::name_not_resolved: return "name_not_resolved";
    case outcome_kind::timeout: return "timeout";
    case outcome_kind::connection_refused: return "connection_refused";
    case outcome_kind::policies_unsupported: return "policies_unsupported";
    case outcome_kind::autodiscover_failed: return "autodiscover_failed";
    case outcome_kind::options_header_missing: return "options_header_missing";
    case outcome_kind::wiped: return "wiped";
  }
  return "?";
}

std::string_view to_string(category c) {
  switch (c) {
    case category::success: return "success";
    case category::policy: return "policy";
    case category::access_denied: return "access_denied";
    case category::credentials: return "credentials";
    case category::certificate: return "certificate";
    case category::tls: return "tls";
    case category::network: return "network";
    case category::server: return "server";
    case category::not_found: return "not_found";
    case category::protocol: return "protocol";
    case category::wiped: return "wiped";
  }
  return "?";
}

std::string_view eas_status_name(int status) {
  for (const auto& [number, name] : status_names) {
    if (number == status) return name;
  }
  return {};
}

category classify(const outcome& o) {
  switch (o.kind) {
    case outcome_kind::success: return category::success;
    case outcome_kind::wiped: return category::wiped;
    case outcome_kind::policies_unsupported: return category::policy;
    case outcome_kind::certificate_untrusted:
    case outcome_kind::certificate_name_mismatch:
    case outcome_kind::certificate_expired: return category::certificate;
    case outcome_kind::tls_version_refused: return category::tls;
    case outcome_kind::client_certificate_required: return category::credentials;
    case outcome_kind::name_not_resolved:
    case outcome_kind::timeout:
    case outcome_kind::connection_refused: return category::network;
    case outcome_kind::autodiscover_failed:
    case outcome_kind::options_header_missing: return category::not_found;
    case outcome_kind::eas_status:
      switch (o.status) {
        // MS-ASCMD 2.2.2 / PROVISIONING.md 1.8 and 6: the provisioning statuses.
        case 139: case 141: case 142: case 143: case 144: case 145: return category::policy;
        case 140: return category::wiped;
        case 112: case 126: case 127: case 128: case 129: case 130: case 131: case 177: return category::access_denied;
        case 124: case 125: return category::credentials;
        case 123: return category::not_found;
        case 110: case 111: case 113: case 114: return category::server;
        default: return category::protocol;
      }
    case outcome_kind::http_status:
      // MS-ASHTTP 2.2.2.1.1 and PROVISIONING.md 6.
      if (o.status == 401 || o.status == 457) return category::credentials;
      if (o.status == 403) return category::access_denied;
      if (o.status == 404) return category::not_found;
      if (o.status == 449) return category::policy;
      if (o.status == 501) return category::protocol;  // the command is not supported
      if (o.status >= 500 || o.status == 451) return category::server;
      return category::protocol;
  }
  return category::protocol;
}

std::optional<windows_code> nexus_code(const outcome& o) {
  const auto documented = [](std::uint32_t v) { return windows_code{v, code_basis::documented}; };
  const auto derived = [](std::uint32_t v) { return windows_code{v, code_basis::derived}; };
  switch (o.kind) {
    case outcome_kind::eas_status: {
      if (o.status < 101 || !is_common_status(o.status)) return std::nullopt;
      // PROVISIONING.md 2.4: code = 0x86000C00 + (status - 101), fitted to six documented anchors.
      const auto code = 0x86000C00u + static_cast<std::uint32_t>(o.status - 101);
      for (const int s : documented_statuses) {
        if (s == o.status) return documented(code);
      }
      return derived(code);
    }
    case outcome_kind::http_status:
      // PROVISIONING.md 2.4 and 6 (SURFACEHUB).
      switch (o.status) {
        case 401: return documented(0x85050002u);  // credentials unavailable
        case 457: return documented(0x85050003u);  // credentials expired (password expired)
        case 403: return documented(0x85010004u);
        case 404: return documented(0x85010005u);
        case 500: return documented(0x85010014u);
        case 503: return documented(0x85010017u);
        default: return std::nullopt;
      }
    case outcome_kind::certificate_untrusted: return documented(0x80072F0Du);  // WININET_E_INVALID_CA
    case outcome_kind::client_certificate_required: return documented(0x85030027u);
    case outcome_kind::name_not_resolved: return documented(0x80072EE7u);
    case outcome_kind::autodiscover_failed: return documented(0x80072EE7u);  // PROVISIONING.md 6
    case outcome_kind::timeout: return documented(0x80072EE2u);
    // The same WinINet family, HRESULT_FROM_WIN32 of wininet.h's ERROR_INTERNET_* numbers.
    case outcome_kind::certificate_name_mismatch: return derived(0x80072F06u);  // SEC_CERT_CN_INVALID 12038
    case outcome_kind::certificate_expired: return derived(0x80072F05u);        // SEC_CERT_DATE_INVALID 12037
    case outcome_kind::tls_version_refused: return derived(0x80072F7Du);        // SECURITY_CHANNEL_ERROR 12157
    case outcome_kind::connection_refused: return derived(0x80072EFDu);         // CANNOT_CONNECT 12029
    default: return std::nullopt;
  }
}

std::string screen::code_text() const {
  if (!code) return {};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08X", static_cast<unsigned>(code->value));
  return buf;
}

std::string screen::text() const {
  std::string out = title;
  if (!message.empty()) out += (out.empty() ? "" : "\n") + message;
  for (const auto& i : items) out += "\n  " + i;
  if (!footer.empty()) out += "\n" + footer;
  if (code) out += "\nError code: " + code_text();  // as WP7 prints it
  return out;
}

screen present(const device_profile& profile, const outcome& o) {
  screen s;
  s.what = classify(o);
  s.error = s.what != category::success && s.what != category::wiped;
  if (s.what == category::policy) s.items = o.unenforceable;
  switch (profile.style) {
    case error_style::windows_nexus:
      if (s.error) s.code = nexus_code(o);
      s.items.clear();  // the Windows phones name no settings
      windows_texts(profile, o, s);
      break;
    case error_style::android: android_texts(profile, o, s); break;
    case error_style::ios: ios_texts(profile, o, s); break;
    case error_style::outlook: outlook_texts(profile, o, s); break;
    case error_style::generic: generic_texts(profile, o, s); break;
  }
  profile_texts(profile, o, s);
  return s;
}

}  // namespace easemu::phone
