#include "easemu/server/activesync/pipeline.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "easemu/common/escape.hpp"
#include "easemu/eas/headers.hpp"
#include "easemu/eas/status.hpp"
#include "easemu/store/store.hpp"
#include "worker_pool.hpp"
#include "easemu/wbxml/codec.hpp"

namespace easemu::server {

namespace {

// What the access log line adds after the status (never credentials).
std::string log_context(const eas_context& ctx) {
  std::string out = "user=" + ctx.mailbox;
  if (ctx.query.command != nullptr) {
    out += " device=" + ctx.query.printable_device_id() + " type=" + ctx.query.device_type + " cmd=" +
           std::string(ctx.query.command->name) + " v=" + std::string(to_string(ctx.version));
  }
  if (ctx.fault) out += " fault=" + ctx.fault->rule_id;
  return out;
}

}  // namespace

eas_pipeline::eas_pipeline(pipeline_options options, pipeline_stages stages, command_registry commands,
                           std::shared_ptr<spdlog::logger> log)
    : options_(std::move(options)),
      stages_(std::move(stages)),
      commands_(std::move(commands)),
      envelope_(options_.server_build, log),
      log_(std::move(log)),
      workers_(std::make_unique<worker_pool>(2)) {}

eas_pipeline::~eas_pipeline() = default;


void eas_pipeline::handle(std::shared_ptr<const http_request> request, const std::string& mailbox,
                          respond_fn respond) const {
  auto ctx = std::make_shared<eas_context>();
  ctx->http = request.get();
  ctx->mailbox = mailbox;
  auto finish = finisher(ctx, std::move(request), std::move(respond));
  if (auto out = run(ctx, finish)) finish(std::move(*out));
}

eas_pipeline::finish_fn eas_pipeline::finisher(std::shared_ptr<eas_context> ctx,
                                               std::shared_ptr<const http_request> request,
                                               respond_fn respond) const {
  const auto started = std::chrono::steady_clock::now();
  // Log context and journal, then the answer; the request and the context live until then.
  auto done = std::make_shared<finish_fn>(
      [this, ctx, request = std::move(request), started, respond = std::move(respond)](enveloped out) {
        auto& response = out.http;
        response.log_context = log_context(*ctx);
        if (stages_.journal && ctx->query.command != nullptr) {
          const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
          stages_.journal(*ctx, response, out.eas_status, ms.count());
        }
        // Fault injection: the journal keeps the real answer, the device gets it damaged.
        if (ctx->fault) damage_body(ctx->fault->action, response.body);
        respond(std::move(response));
      });
  // A fault's delay: the answer waits on the delay timer, not on an I/O thread.
  return [this, ctx, done](enveloped out) {
    if (ctx->fault && ctx->fault->action.kind == fault_kind::delay && stages_.delay) {
      stages_.delay(std::chrono::milliseconds(ctx->fault->action.delay_ms),
                    [done, out = std::move(out)]() mutable { (*done)(std::move(out)); });
      return;
    }
    (*done)(std::move(out));
  };
}

std::optional<enveloped> eas_pipeline::run(const std::shared_ptr<eas_context>& shared, const finish_fn& finish) const {
  eas_context& ctx = *shared;
  if (auto r = read_query(ctx)) return enveloped{std::move(*r)};
  if (auto r = read_version(ctx)) return enveloped{std::move(*r)};
  if (auto a = version_gate(ctx)) return refuse(ctx, *a, "version");
  if (auto a = stages_.device_list ? stages_.device_list(ctx) : stage_result()) return refuse(ctx, *a, "store");
  if (auto a = stages_.access ? stages_.access(ctx) : stage_result()) return refuse(ctx, *a, "device access");
  if (auto a = stages_.faults ? stages_.faults(ctx) : stage_result()) return refuse(ctx, *a, "fault");
  if (ctx.fault) {
    log_->debug("request={} user={} cmd={} fault {}: {}", ctx.request_id(), ctx.mailbox, ctx.query.command->name,
                ctx.fault->rule_id, describe(ctx.fault->action));
  }
  if (auto a = supported(ctx)) return refuse(ctx, *a, "version");
  if (auto a = gate(ctx)) return refuse(ctx, *a, "provisioning");
  if (const auto* r = commands_.find(ctx.query.command->id); workers_ && r != nullptr && r->on_worker) {
    // The body's decoding and the handler on a worker; the answer goes out through `finish`.
    workers_->post([this, shared, finish] {
      std::optional<enveloped> out;
      try {
        if (auto a = read_body(*shared)) {
          out = refuse(*shared, *a, "body");
        } else {
          out = dispatch(shared, finish);
        }
      } catch (const std::exception& e) {
        log_->error("request={} cmd={} handler threw: {}", shared->request_id(), shared->query.command->name, e.what());
        out = enveloped{http_response::text(500, "internal server error\n"), 0};
      }
      if (out) finish(std::move(*out));
    });
    return std::nullopt;
  }
  if (auto a = read_body(ctx)) return refuse(ctx, *a, "body");
  return dispatch(shared, finish);
}

// The query, plain or base64 (MS-ASHTTP 2.2.1.1.1).
std::optional<http_response> eas_pipeline::read_query(eas_context& ctx) const {
  eas::query_limits limits;
  limits.table = commands_.table();
  auto q = eas::parse_query(ctx.http->query(), limits);
  if (q) {
    ctx.query = std::move(*q);
    // DeviceType arrives percent-decoded and may hold a newline or ESC: every log line, rule
    // match and stored record sees it escaped (issue 23). DeviceId has printable_device_id.
    if (common::has_controls(ctx.query.device_type)) ctx.query.device_type = common::escape_controls(ctx.query.device_type);
    return std::nullopt;
  }
  const bool unknown =
      q.error().code == eas::errc::unknown_command || q.error().code == eas::errc::unknown_command_code;
  log_->info("request={} user={} bad EAS query: {}", ctx.request_id(), ctx.mailbox, common::escape_controls(q.error().message()));
  auto r = http_response::text(unknown ? 501 : 400, unknown ? "command not supported\n" : "bad request\n");
  r.set("MS-Server-ActiveSync", options_.server_build);
  return r;
}

// The protocol version, from the base64 query or the MS-ASProtocolVersion header.
std::optional<http_response> eas_pipeline::read_version(eas_context& ctx) const {
  if (ctx.query.version) {
    ctx.version = *ctx.query.version;
    return std::nullopt;
  }
  const auto rid = ctx.request_id();
  const auto& name = ctx.query.command->name;
  const auto* h = ctx.http->header("MS-ASProtocolVersion");
  if (h == nullptr) {
    log_->info("request={} user={} cmd={} no MS-ASProtocolVersion", rid, ctx.mailbox, name);
    return http_response::text(400, "MS-ASProtocolVersion is required\n");
  }
  auto v = eas::parse_protocol_version_header(*h);
  if (!v && (*h == "2.0" || *h == "2.1")) {
    // Advertised because Exchange lists them (MS-ASHTTP 4.3), but they predate the MS-AS*
    // documents (MS-ASHTTP 3.2.5.2 covers 2.5 to 16.1): refused as a version the server does not
    // serve, HTTP 400 as for 138 before 14.0 (MS-ASCMD 2.2.2; docs/configuration.md).
    log_->info("request={} user={} cmd={} EAS {} is listed, not emulated: HTTP 400", rid, ctx.mailbox, name, *h);
    auto r = http_response::text(400, "EAS 2.0 and 2.1 are not emulated; use 2.5 or later\n");
    r.set("MS-Server-ActiveSync", options_.server_build);
    return r;
  }
  if (!v) {
    log_->info("request={} user={} cmd={} bad MS-ASProtocolVersion '{}'", rid, ctx.mailbox, name, common::escape_controls(*h));
    return http_response::text(400, "unsupported protocol version\n");
  }
  ctx.version = *v;
  return std::nullopt;
}

// A version this server does not offer (MS-ASCMD 2.2.2: 138 VersionNotSupported, HTTP 400 for
// clients that cannot read it).
stage_result eas_pipeline::version_gate(const eas_context& ctx) const {
  const auto& offered = options_.advertised;
  if (std::find(offered.begin(), offered.end(), ctx.version) != offered.end()) return std::nullopt;
  return stage_answer{138, 400, {}, {}, "version " + std::string(to_string(ctx.version)) + " not advertised"};
}

// MS-ASCMD 2.2.2: a command the version does not have is 137 CommandNotSupported (HTTP 501).
stage_result eas_pipeline::supported(const eas_context& ctx) const {
  if (ctx.query.command->supported_in(ctx.version)) return std::nullopt;
  return stage_answer{137, 501, {}, {}, "not part of EAS " + std::string(to_string(ctx.version))};
}

// The provisioning gate runs for exactly the commands the table marks policy_key (Provision and
// Ping are not; PROVISIONING.md 1.1).
stage_result eas_pipeline::gate(const eas_context& ctx) const {
  if (!stages_.gate || !ctx.query.command->has(eas::command_flags::policy_key)) return std::nullopt;
  return stages_.gate(ctx);
}

// Bad WBXML is the protocol's own error (102 InvalidWBXML, HTTP 400 before 14.0).
stage_result eas_pipeline::read_body(eas_context& ctx) const {
  const auto& body = ctx.http->body;
  if (eas::request_body(*ctx.query.command, ctx.version) != eas::body_kind::wbxml || body.empty()) return std::nullopt;
  auto tree = wbxml::decode(body);
  if (!tree) return stage_answer{102, 400, {}, {}, "invalid WBXML: " + tree.error().message()};
  ctx.body = std::move(*tree);
  return std::nullopt;
}

std::optional<enveloped> eas_pipeline::dispatch(const std::shared_ptr<eas_context>& shared,
                                                const finish_fn& finish) const {
  const auto* command = shared->query.command;  // the command table outlives every request
  const auto rid = shared->request_id();
  const auto* registration = commands_.find(command->id);
  if (registration == nullptr) return refuse(*shared, {137, 501, {}, {}, "not implemented"}, "handler");
  // A store that fails a write (full disk, read-only file) fails the command: nothing is
  // acknowledged that was not stored, and the device gets the command's own server error.
  try {
    if (const auto* now = std::get_if<command_handler>(&registration->handler)) {
      return envelope_.reply(*command, (*now)(*shared), rid);
    }
    std::get<waiting_command_handler>(registration->handler)(
        shared, [this, command, rid, finish](command_reply reply) { finish(envelope_.reply(*command, std::move(reply), rid)); });
  } catch (const store::store_error& e) {
    log_->error("request={} user={} cmd={} store failure: {}", rid, shared->mailbox, command->name, e.what());
    return envelope_.answer(*command, shared->version,
                            {eas::server_error_status(command->id), 500, {}, {}, std::string("store failure: ") + e.what()});
  }
  return std::nullopt;
}

enveloped eas_pipeline::refuse(const eas_context& ctx, const stage_answer& a, const char* stage) const {
  // Refusals the protocol expects (a policy key to renew, a fault asked for) are decisions, logged
  // at debug; the others at info.
  const bool routine = std::string_view(stage) == "provisioning" || std::string_view(stage) == "fault";
  log_->log(routine ? spdlog::level::debug : spdlog::level::info, "request={} user={} cmd={} {}: {} {}",
            ctx.request_id(), ctx.mailbox, ctx.query.command->name, stage,
            a.response ? a.response->status : (a.status != 0 ? a.status : a.http_status), a.reason);
  return envelope_.answer(*ctx.query.command, ctx.version, a);
}

}  // namespace easemu::server
