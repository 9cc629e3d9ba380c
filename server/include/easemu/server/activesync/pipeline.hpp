#pragma once
// The EAS request pipeline after authentication (STYLE.md: stages that pass a request on or
// answer it), in this order:
//   query -> version gate -> device list -> access -> faults -> supported in the version ->
//   provisioning gate (policy_key commands) -> body -> handler -> envelope
// The query, the version gate, the version check, the body and the envelope are the pipeline's
// own; the other stages are values given at construction (pipeline_stages), each answering with
// a stage_answer or passing. The handlers come from the command registry; what the pipeline does
// around them, from the command's row of the table.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "easemu/common/protocol_version.hpp"
#include "easemu/server/activesync/context.hpp"
#include "easemu/server/activesync/envelope.hpp"
#include "easemu/server/activesync/registry.hpp"
#include "easemu/server/http.hpp"

namespace spdlog {
class logger;
}

namespace easemu::server {

class worker_pool;

// Called with every answered request whose query parsed, before a fault damages the body: the
// response and the Status of the tree it carries (the request journal).
using journal_observer =
    std::function<void(const eas_context&, const http_response&, int eas_status, std::int64_t duration_ms)>;

struct pipeline_stages {
  // The device list: every request that names a device and passed the version gate.
  std::function<stage_result(const eas_context&)> device_list;
  // Allow/Block/Quarantine, for every command (PROVISIONING.md 5.1); marks a quarantined
  // device's context.
  std::function<stage_result(eas_context&)> access;
  // Fault injection (faults.hpp), for every command: puts the rule a request hits in the
  // context and answers at once for the kinds that replace the answer.
  std::function<stage_result(eas_context&)> faults;
  // Where a delayed answer waits (a fault's delay), not on an I/O thread.
  std::function<void(std::chrono::milliseconds, std::function<void()>)> delay;
  // The policy-key gate (PROVISIONING.md 1.1, 1.8), for the table's policy_key commands only.
  std::function<stage_result(const eas_context&)> gate;
  journal_observer journal;
};

struct pipeline_options {
  std::vector<protocol_version> advertised;
  std::string server_build;  // MS-Server-ActiveSync
};

class eas_pipeline {
 public:
  eas_pipeline(pipeline_options options, pipeline_stages stages, command_registry commands,
               std::shared_ptr<spdlog::logger> log);
  ~eas_pipeline();

  // Answers a POST to /Microsoft-Server-ActiveSync from an authenticated mailbox, through
  // `respond`, now or (for a waiting handler) later.
  void handle(std::shared_ptr<const http_request> request, const std::string& mailbox, respond_fn respond) const;

  const command_registry& commands() const { return commands_; }

 private:
  using finish_fn = std::function<void(enveloped)>;
  // What goes out, or nullopt when a waiting handler answers through `finish` later.
  std::optional<enveloped> run(const std::shared_ptr<eas_context>& ctx, const finish_fn& finish) const;
  std::optional<http_response> read_query(eas_context& ctx) const;
  std::optional<http_response> read_version(eas_context& ctx) const;
  stage_result version_gate(const eas_context& ctx) const;
  stage_result supported(const eas_context& ctx) const;
  stage_result gate(const eas_context& ctx) const;
  stage_result read_body(eas_context& ctx) const;
  std::optional<enveloped> dispatch(const std::shared_ptr<eas_context>& ctx, const finish_fn& finish) const;
  enveloped refuse(const eas_context& ctx, const stage_answer& a, const char* stage) const;
  finish_fn finisher(std::shared_ptr<eas_context> ctx, std::shared_ptr<const http_request> request,
                     respond_fn respond) const;

  pipeline_options options_;
  pipeline_stages stages_;
  command_registry commands_;
  envelope envelope_;
  std::shared_ptr<spdlog::logger> log_;
  // The CPU-heavy commands' body and handler run here (worker_pool.hpp); last, so it is joined
  // before the rest goes away.
  std::unique_ptr<worker_pool> workers_;
};

}  // namespace easemu::server
