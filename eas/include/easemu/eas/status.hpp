#pragma once
// Where an EAS status travels (MS-ASCMD 2.2.2; PROVISIONING.md 1.8, "How the (HTTP code, EAS
// status) pair reaches the wire"): in the command's own response body with HTTP 200 when the
// command has one and the protocol version lets the body carry the status, else as a bare HTTP
// status. The one place this rule is written; the server's envelope, its fault answers and the
// device access answers of provisioning/access.hpp all ask it.
#include "easemu/common/protocol_version.hpp"
#include "easemu/eas/command.hpp"

namespace easemu::eas {

// Whether Exchange puts `status` in a command's body at protocol version `v` (AirSyncResponse's
// SetErrorResponse; MS-ASCMD 2.2.2 R7461-R7462): before 14.0 only statuses below 101; 14.0 up to
// 163; 14.1 up to 177; 16.0 up to 185; 16.1 any.
constexpr bool status_fits_body(protocol_version v, int status) {
  if (status < 101) return true;
  switch (v) {
    case protocol_version::v2_5:
    case protocol_version::v12_0:
    case protocol_version::v12_1: return false;
    case protocol_version::v14_0: return status <= 163;
    case protocol_version::v14_1: return status <= 177;
    case protocol_version::v16_0: return status <= 185;
    case protocol_version::v16_1: return true;
  }
  return false;
}

// The HTTP status that replaces an EAS status for clients that cannot read it (MS-ASCMD 2.2.2
// R7545-R7566; PROVISIONING.md 6): 110 -> 500, 111 -> 503, 142-144 -> 449, ...; statuses it does
// not name become 500.
int http_status_for(int status);

// What a command answers when the server cannot do what was asked (a store write failed): the
// command's own "server error" status where its Status table has one, else the common 110
// ServerError (MS-ASCMD 2.2.2), which clients before 14.0 get as HTTP 500.
int server_error_status(command_id command);

// Whether a refusal with `status` (0: none) goes in the body of `command` at `v`: the command has
// a WBXML response and the version lets it carry the status. Otherwise the client gets the HTTP
// status that stands for it.
constexpr bool status_in_body(const command_info& command, protocol_version v, int status) {
  return status != 0 && command.envelope.has_value() && status_fits_body(v, status);
}

}  // namespace easemu::eas
