#pragma once
// What the person holding the phone sees: for an outcome (an EAS status from a response body, an
// HTTP status, a TLS or network failure, the phone's own verdict on a policy, success), the
// screen the profile's error style shows, with the Windows "Nexus" error code where the style has
// one (PROVISIONING.md 2.4 and 6). The texts are our own phrasing except where noted. Pure.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "easemu/phone/profile.hpp"

namespace easemu::phone {

enum class outcome_kind : std::uint8_t {
  success,                      // the account syncs
  eas_status,                   // `status`: a common status (MS-ASCMD 2.2.2) in a response body
  http_status,                  // `status`: an HTTP status without a usable body
  certificate_untrusted,        // the chain does not end in a root the phone trusts
  certificate_name_mismatch,    // the certificate does not name the host
  certificate_expired,          // outside its validity period
  tls_version_refused,          // no TLS version in common
  client_certificate_required,  // the server asked for a client certificate the phone lacks
  name_not_resolved,
  timeout,
  connection_refused,
  policies_unsupported,         // the phone itself gave up on the policy (`unenforceable` lists why)
  autodiscover_failed,          // Autodiscover found no service (404, DNS, SRV)
  options_header_missing,       // OPTIONS answered without MS-Server-ActiveSync (a proxy in between)
  wiped,                        // a remote wipe was carried out (full or account-only per profile)
};
std::string_view to_string(outcome_kind k);

struct outcome {
  outcome_kind kind = outcome_kind::success;
  int status = 0;                          // EAS status for eas_status, HTTP status for http_status
  std::string server;                      // host name, as the phone shows it
  std::vector<std::string> unenforceable;  // settings the phone could not enforce (enforcement.hpp)
  int seconds_since_try = 0;               // WP's "Last tried xx seconds ago"
};

// What an outcome means to the person, whatever the style.
enum class category : std::uint8_t {
  success,
  policy,          // security policy not applied or not accepted (139, 141-145, 449, the phone's own verdict)
  access_denied,   // 126-131, 177, HTTP 403
  credentials,     // HTTP 401, a client certificate
  certificate,     // untrusted, wrong name, expired
  tls,             // no common TLS version
  network,         // name, timeout, refused
  server,          // 110, 111, 113, 114, 5xx, 507
  not_found,       // 404, Autodiscover, no ActiveSync endpoint
  protocol,        // 137, 138, 400, 501, other statuses
  wiped,
};
std::string_view to_string(category c);
category classify(const outcome& o);

// Where a Windows error code comes from: a code Microsoft documents for this case, or one derived
// from documented anchors (0x86000C00 + status - 101, PROVISIONING.md 2.4; WinINet's
// HRESULT_FROM_WIN32 numbers for TLS and socket failures).
enum class code_basis : std::uint8_t { none, documented, derived };

struct windows_code {
  std::uint32_t value = 0;
  code_basis basis = code_basis::none;
};
// The Nexus code of an outcome, or nullopt when neither documented nor derivable.
std::optional<windows_code> nexus_code(const outcome& o);

// MS-ASCMD 2.2.2 name of a common status ("InvalidPolicyKey"), or "" when not a common status.
std::string_view eas_status_name(int status);

struct screen {
  bool error = false;
  category what = category::success;
  std::string title;
  std::string message;
  std::optional<windows_code> code;  // windows_nexus style only
  std::vector<std::string> items;    // settings listed on screen (Android names them)
  std::string footer;                // a line under the message (WP: "Last tried 0 seconds ago")

  // "86000C2B" (8 upper-case hex digits), or "" without a code.
  std::string code_text() const;
  // Title, message, listed items, footer and "Error code: 86000C2B" on separate lines.
  std::string text() const;
};

// The style's screen, then the profile's own texts (device_profile::screens) over it, from the
// least specific key that matches to the most specific.
screen present(const device_profile& profile, const outcome& o);

}  // namespace easemu::phone
