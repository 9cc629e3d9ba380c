#include "easemu/server/eas_pipeline.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "easemu/eas/headers.hpp"
#include "easemu/eas/status.hpp"
#include "easemu/wbxml/codec.hpp"

namespace easemu::server {

namespace {

using wbxml::tag;
constexpr const char* wbxml_content_type = "application/vnd.ms-sync.wbxml";

}  // namespace

eas_pipeline::eas_pipeline(std::vector<protocol_version> advertised, std::string server_build,
                           std::shared_ptr<spdlog::logger> log)
    : advertised_(std::move(advertised)), server_build_(std::move(server_build)), log_(std::move(log)) {}

void eas_pipeline::set_handler(eas::command_id id, command_handler handler) { handlers_[id] = std::move(handler); }

http_response eas_pipeline::error_status(const eas::command_info& command, protocol_version v,
                                         int status, int http_fallback, bool in_body) const {
  const auto& envelope = command.envelope;
  http_response r;
  r.set("MS-Server-ActiveSync", server_build_);
  if ((v < protocol_version::v14_0 && !in_body) || !envelope) {
    r.status = http_fallback;
    return r;
  }
  wbxml::element root(envelope->root);
  root.add(envelope->status, std::to_string(status));
  auto bytes = wbxml::encode(root);
  r.status = 200;
  r.body = std::move(*bytes);  // a two-element tree of table tags always encodes
  r.set("Content-Type", wbxml_content_type);
  return r;
}

http_response eas_pipeline::not_supported(const eas::command_info& command, protocol_version v) const {
  return error_status(command, v, 137, 501);
}

void eas_pipeline::set_async_handler(eas::command_id id, async_command_handler handler) {
  async_handlers_[id] = std::move(handler);
}

void eas_pipeline::handle(std::shared_ptr<const http_request> request, const std::string& mailbox,
                          respond_fn respond) const {
  const auto started = std::chrono::steady_clock::now();
  auto ctx = std::make_shared<eas_context>();
  ctx->http = request.get();
  ctx->mailbox = mailbox;
  // Log context and journal, then the answer; the request and context live until then.
  auto finish = std::make_shared<std::function<void(http_response)>>(
      [this, ctx, request, started, respond = std::move(respond)](http_response response) {
        response.log_context = "user=" + ctx->mailbox;
        if (ctx->query.command != nullptr) {
          response.log_context += " device=" + ctx->query.printable_device_id() + " type=" + ctx->query.device_type +
                                  " cmd=" + std::string(ctx->query.command->name) + " v=" +
                                  std::string(to_string(ctx->version));
        }
        if (ctx->fault) response.log_context += " fault=" + ctx->fault->rule_id;
        if (journal_ && ctx->query.command != nullptr) {
          const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
          journal_(*ctx, response, ms.count());
        }
        // Fault injection: the journal keeps the real answer, the device gets it damaged.
        if (ctx->fault) damage_body(ctx->fault->action, response.body);
        respond(std::move(response));
      });
  // Fault injection: a delayed answer waits on the fault timer, not on an I/O thread.
  auto deliver = [this, ctx, finish](http_response r) {
    if (ctx->fault && ctx->fault->action.kind == fault_kind::delay && faults_.after) {
      faults_.after(std::chrono::milliseconds(ctx->fault->action.delay_ms),
                    [finish, r = std::move(r)]() mutable { (*finish)(std::move(r)); });
      return;
    }
    (*finish)(std::move(r));
  };
  auto response = run(ctx, deliver);
  if (response) deliver(std::move(*response));
}

std::optional<http_response> eas_pipeline::fault_answer(const fault_hit& hit, const eas::command_info& command,
                                                        protocol_version v) const {
  const auto& a = hit.action;
  switch (a.kind) {
    case fault_kind::http_status:
    case fault_kind::drop:
      return fault_http_response(a, server_build_, faults_.realm);
    case fault_kind::eas_status: {
      // The status in the command's own body where Exchange would put it there, else the HTTP
      // status that replaces it (PROVISIONING.md 1.8; MS-ASCMD 2.2.2).
      if (eas::status_fits_body(v, a.eas_status)) return error_status(command, v, a.eas_status, eas::http_status_for(a.eas_status), true);
      http_response r;
      r.status = eas::http_status_for(a.eas_status);
      r.set("MS-Server-ActiveSync", server_build_);
      return r;
    }
    case fault_kind::policy_refresh:
      // As if DevicePolicyRefreshInterval had elapsed: 143 in the body from 14.0, HTTP 449
      // before (PROVISIONING.md 1.8 step 8, 2.6; MS-ASCMD 2.2.2 R7565).
      return error_status(command, v, 143, 449);
    case fault_kind::delay:
    case fault_kind::corrupt_body:
    case fault_kind::truncate_body:
      return std::nullopt;
  }
  return std::nullopt;
}

http_response eas_pipeline::to_http(const eas::command_info& command, command_reply reply, std::uint64_t rid) const {
  http_response r;
  r.status = reply.http_status;
  r.set("MS-Server-ActiveSync", server_build_);
  if (reply.raw_body) {
    r.body = std::move(*reply.raw_body);
    r.set("Content-Type", reply.content_type);
    return r;
  }
  if (reply.body) {
    auto bytes = wbxml::encode(*reply.body);
    if (!bytes) {
      // A handler built a tree the codec refuses: a server bug, answered as one.
      log_->error("request={} cmd={} response does not encode: {}", rid, command.name, bytes.error().message());
      return http_response::text(500, "internal error\n");
    }
    r.body = std::move(*bytes);
    r.set("Content-Type", wbxml_content_type);
  }
  return r;
}

std::optional<http_response> eas_pipeline::run(const std::shared_ptr<eas_context>& shared,
                                               const std::function<void(http_response)>& finish) const {
  eas_context& ctx = *shared;
  const std::string& mailbox = ctx.mailbox;
  const http_request& request = *ctx.http;
  const auto rid = request.request_id;

  // Stage: the query (plain or base64; MS-ASHTTP 2.2.1.1.1).
  auto q = eas::parse_query(request.query());
  if (!q) {
    const bool unknown = q.error().code == eas::errc::unknown_command ||
                         q.error().code == eas::errc::unknown_command_code;
    log_->info("request={} user={} bad EAS query: {}", rid, mailbox, q.error().message());
    auto r = http_response::text(unknown ? 501 : 400, unknown ? "command not supported\n" : "bad request\n");
    r.set("MS-Server-ActiveSync", server_build_);
    return r;
  }
  ctx.query = std::move(*q);
  const auto& command = *ctx.query.command;

  // Stage: the protocol version, from the base64 query or the MS-ASProtocolVersion header.
  std::optional<protocol_version> version = ctx.query.version;
  if (!version) {
    const auto* h = request.header("MS-ASProtocolVersion");
    if (h == nullptr) {
      log_->info("request={} user={} cmd={} no MS-ASProtocolVersion", rid, mailbox, command.name);
      return http_response::text(400, "MS-ASProtocolVersion is required\n");
    }
    auto v = eas::parse_protocol_version_header(*h);
    if (!v) {
      log_->info("request={} user={} cmd={} bad MS-ASProtocolVersion '{}'", rid, mailbox, command.name, *h);
      return http_response::text(400, "unsupported protocol version\n");
    }
    version = *v;
  }
  ctx.version = *version;
  if (std::find(advertised_.begin(), advertised_.end(), *version) == advertised_.end()) {
    // A version this server does not offer (MS-ASCMD 2.2.2: 138 VersionNotSupported, HTTP 400
    // for clients that cannot read it).
    log_->info("request={} user={} cmd={} version {} not advertised", rid, mailbox, command.name, to_string(*version));
    return error_status(command, *version, 138, 400);
  }

  if (observer_) observer_(ctx);

  // Stage: Allow/Block/Quarantine (PROVISIONING.md 5.1), for every command.
  if (access_) {
    const auto verdict = access_(ctx);
    if (verdict.action != access_verdict::kind::run) {
      log_->info("request={} user={} cmd={} device access: {} {}", rid, mailbox, command.name,
                 verdict.status != 0 ? verdict.status : verdict.http_status, verdict.throttle);
      auto r = verdict.action == access_verdict::kind::status_in_body
                   ? error_status(command, ctx.version, verdict.status, verdict.http_status, true)
                   : http_response::text(verdict.http_status, "");
      r.set("MS-Server-ActiveSync", server_build_);
      if (!verdict.throttle.empty()) r.set("X-MS-ASThrottle", verdict.throttle);
      return r;
    }
    ctx.quarantined = verdict.quarantined;
  }

  // Stage: fault injection (faults.hpp), for every command, before the provisioning gate.
  if (faults_.check) {
    if (auto hit = faults_.check(ctx)) {
      log_->debug("request={} user={} cmd={} fault {}: {}", rid, mailbox, command.name, hit->rule_id,
                  describe(hit->action));
      ctx.fault = std::move(hit);
      if (auto r = fault_answer(*ctx.fault, command, ctx.version)) return r;
    }
  }

  if (!command.supported_in(ctx.version)) {
    log_->info("request={} user={} cmd={} not part of EAS {}", rid, mailbox, command.name, to_string(ctx.version));
    return not_supported(command, ctx.version);
  }

  // Stage: the provisioning gate, for every command but Provision and Ping (PROVISIONING.md 1.1).
  if (gate_ && command.id != eas::command_id::provision && command.id != eas::command_id::ping) {
    const auto refused = gate_(ctx);
    if (refused.status != 0) {
      log_->debug("request={} user={} cmd={} refused with {}: {}", rid, mailbox, command.name, refused.status,
                  refused.reason);
      return error_status(command, ctx.version, refused.status, refused.http_status);
    }
  }

  // Stage: the body. Bad WBXML is the protocol's own error (102 InvalidWBXML, HTTP 400 before 14.0).
  if (eas::request_body(command, ctx.version) == eas::body_kind::wbxml && !request.body.empty()) {
    auto tree = wbxml::decode(request.body);
    if (!tree) {
      log_->info("request={} user={} cmd={} invalid WBXML: {}", rid, mailbox, command.name, tree.error().message());
      return error_status(command, ctx.version, 102, 400);
    }
    ctx.body = std::move(*tree);
  }

  // Stage: the command.
  if (const auto async = async_handlers_.find(command.id); async != async_handlers_.end()) {
    const eas::command_info* info = &command;  // the command table outlives every request
    async->second(shared, [this, info, rid, finish](command_reply reply) { finish(to_http(*info, std::move(reply), rid)); });
    return std::nullopt;
  }
  const auto handler = handlers_.find(command.id);
  if (handler == handlers_.end()) {
    log_->debug("request={} user={} cmd={} not implemented", rid, mailbox, command.name);
    return not_supported(command, ctx.version);
  }
  return to_http(command, handler->second(ctx), rid);
}

}  // namespace easemu::server
