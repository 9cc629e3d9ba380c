#pragma once
// What the stages and the command handlers of the EAS pipeline see (eas_context), what a stage
// answers instead of the command (stage_answer: the one result type of every stage that may
// answer) and what a command handler answers (command_reply). No Asio, no store.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "easemu/common/protocol_version.hpp"
#include "easemu/eas/query.hpp"
#include "easemu/server/faults.hpp"
#include "easemu/server/http.hpp"
#include "easemu/wbxml/element.hpp"

namespace easemu::server {

// What a stage knows about an authenticated EAS request.
struct eas_context {
  const http_request* http = nullptr;
  std::string mailbox;  // the authenticated mailbox address
  eas::eas_query query;
  protocol_version version = protocol_version::v14_1;
  std::optional<wbxml::element> body;  // the decoded WBXML request, when there is one
  // The device is quarantined (or in DeviceDiscovery): content commands show only the quarantine
  // notice (PROVISIONING.md 5.1).
  bool quarantined = false;
  // The fault rule this request hit (faults.hpp): logged, journalled, and for delay and the
  // damaged bodies applied to the answer.
  std::optional<fault_hit> fault;

  std::uint64_t request_id() const { return http != nullptr ? http->request_id : 0; }
};

// A stage's answer instead of the command's (STYLE.md: the contract lives in the return type).
// `status` goes where the command table and the version put it (eas/status.hpp): in the
// command's response body with HTTP 200, else the client gets `http_status` alone. A stage that
// must send something else (a fault's HTTP status, a dropped connection) sets `response`, which
// goes out as it is.
struct stage_answer {
  int status = 0;  // MS-ASCMD 2.2.2 status; 0: none
  int http_status = 200;
  header_list headers;                    // added to either form (X-MS-ASThrottle)
  std::optional<http_response> response;  // instead of the envelope
  std::string reason;                     // for the log
};
// nullopt: the request goes on to the next stage.
using stage_result = std::optional<stage_answer>;

// What a command handler answers: an HTTP status and, usually, the WBXML response tree (the
// pipeline encodes it).
struct command_reply {
  int http_status = 200;
  std::optional<wbxml::element> body;
  // Instead of `body`: bytes sent as they are (GetAttachment, multipart ItemOperations).
  std::optional<std::string> raw_body;
  std::string content_type;
};

// A handler that answers at once.
using command_handler = std::function<command_reply(const eas_context&)>;
// A handler that may answer later (the command table's long_poll commands: Ping, Sync with Wait):
// it calls `done` exactly once, from any thread; the context stays alive until then.
using reply_fn = std::function<void(command_reply)>;
using waiting_command_handler = std::function<void(std::shared_ptr<const eas_context>, reply_fn done)>;

}  // namespace easemu::server
