#pragma once
// The EAS request pipeline after authentication (STYLE.md: stages that pass a request on or
// answer it): parse the query -> version gate -> record the device -> decode the body ->
// command handler -> envelope for the protocol version.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "easemu/common/protocol_version.hpp"
#include "easemu/eas/query.hpp"
#include "easemu/server/faults.hpp"
#include "easemu/server/http.hpp"
#include "easemu/wbxml/element.hpp"

namespace spdlog {
class logger;
}

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
};

// What a command handler answers: an HTTP status and, usually, the WBXML response tree (the
// pipeline encodes it).
struct command_reply {
  int http_status = 200;
  std::optional<wbxml::element> body;
  // Instead of `body`: bytes sent as they are (GetAttachment, multipart ItemOperations).
  std::optional<std::string> raw_body;
  std::string content_type;
};
using command_handler = std::function<command_reply(const eas_context&)>;
// A handler that answers later (Ping, and Sync with Wait): it calls `done` exactly once, from any
// thread; the context stays alive until then.
using async_command_handler =
    std::function<void(std::shared_ptr<const eas_context>, std::function<void(command_reply)> done)>;

// A stage that may refuse a request before its body is read (the provisioning gate): a zero
// status passes; otherwise the MS-ASCMD 2.2.2 status, and the HTTP status for 2.5-12.1.
struct refusal {
  int status = 0;
  int http_status = 200;
  std::string reason;
};
using request_gate = std::function<refusal(const eas_context&)>;

// Allow/Block/Quarantine for the request's device, after the device list and before the gate.
struct access_verdict {
  enum class kind { run, status_in_body, http_error };
  kind action = kind::run;
  int status = 0;
  int http_status = 200;
  bool quarantined = false;
  std::string throttle;  // X-MS-ASThrottle
};
using access_check = std::function<access_verdict(const eas_context&)>;

// Fault injection (faults.hpp), after access rules and before the provisioning gate: the rule a
// request hits, and where a delayed answer waits (not on an I/O thread).
struct fault_stage {
  std::function<std::optional<fault_hit>(const eas_context&)> check;
  std::function<void(std::chrono::milliseconds, std::function<void()>)> after;
  std::string realm;  // the Basic realm of a 401
};

// Called for every request that names a device, after the version gate (the device list).
using device_observer = std::function<void(const eas_context&)>;
// Called with every answered request whose query parsed (the request journal).
using journal_observer = std::function<void(const eas_context&, const http_response&, std::int64_t duration_ms)>;

class eas_pipeline {
 public:
  eas_pipeline(std::vector<protocol_version> advertised, std::string server_build,
               std::shared_ptr<spdlog::logger> log);

  void set_device_observer(device_observer observer) { observer_ = std::move(observer); }
  void set_journal_observer(journal_observer observer) { journal_ = std::move(observer); }
  // The policy-key gate; Provision and Ping do not pass through it (PROVISIONING.md 1.1).
  void set_gate(request_gate gate) { gate_ = std::move(gate); }
  // Device access (every command, Provision and Ping included).
  void set_access_check(access_check check) { access_ = std::move(check); }
  void set_faults(fault_stage stage) { faults_ = std::move(stage); }
  // The handler for a command; commands without one are answered as not supported.
  void set_handler(eas::command_id id, command_handler handler);
  void set_async_handler(eas::command_id id, async_command_handler handler);

  // Answers a POST to /Microsoft-Server-ActiveSync from an authenticated mailbox, through
  // `respond`, now or (for a long-poll) later.
  void handle(std::shared_ptr<const http_request> request, const std::string& mailbox, respond_fn respond) const;

  // MS-ASCMD 2.2.2: a command the server does not support: HTTP 501 up to 12.1, Status 137 in
  // the command's own response element from 14.0.
  http_response not_supported(const eas::command_info& command, protocol_version v) const;

 private:
  // The response, or nullopt when an asynchronous handler will call `finish` itself.
  std::optional<http_response> run(const std::shared_ptr<eas_context>& ctx, const std::function<void(http_response)>& finish) const;
  http_response to_http(const eas::command_info& command, command_reply reply, std::uint64_t request_id) const;
  // `in_body`: the status goes in the command's body whatever the version (when it has one).
  http_response error_status(const eas::command_info& command, protocol_version v, int status,
                             int http_fallback, bool in_body = false) const;
  // The answer a fault rule gives at once, or nullopt when the command runs (delay, damaged body).
  std::optional<http_response> fault_answer(const fault_hit& hit, const eas::command_info& command,
                                            protocol_version v) const;

  std::vector<protocol_version> advertised_;
  std::string server_build_;
  std::shared_ptr<spdlog::logger> log_;
  device_observer observer_;
  access_check access_;
  fault_stage faults_;
  journal_observer journal_;
  std::map<eas::command_id, command_handler> handlers_;
  std::map<eas::command_id, async_command_handler> async_handlers_;
  request_gate gate_;
};

}  // namespace easemu::server
