#include "easemu/server/activesync/stages.hpp"

#include <spdlog/spdlog.h>

#include "easemu/common/time.hpp"
#include "easemu/eas/status.hpp"
#include "easemu/store/store.hpp"

namespace easemu::server {

std::function<stage_result(const eas_context&)> device_list_stage(std::shared_ptr<store::store> store,
                                                          std::shared_ptr<spdlog::logger> log) {
  return [store = std::move(store), log = std::move(log)](const eas_context& ctx) -> stage_result {
    const auto* ua = ctx.http->header("User-Agent");
    try {
      store->record_device_contact(ctx.mailbox, ctx.query.printable_device_id(), ctx.query.device_type,
                                   ua != nullptr ? *ua : std::string(), std::string(to_string(ctx.version)),
                                   common::now_ms());
    } catch (const std::exception& e) {
      // Everything after depends on the partnership being stored (a Provision acknowledged for a
      // device the store never got could not be honoured): the command answers a server error.
      log->error("request={} device not recorded: {}", ctx.request_id(), e.what());
      return stage_result(stage_answer{eas::server_error_status(ctx.query.command->id), 500, {}, {},
                                       std::string("store failure: ") + e.what()});
    }
    return stage_result();
  };
}

namespace {

// What a fault rule's hit answers instead of the command, or nullopt when the command runs (delay,
// damaged bodies).
stage_result fault_answer(const fault_action& a, const fault_stage_settings& settings, std::string reason) {
  switch (a.kind) {
    case fault_kind::http_status:
    case fault_kind::drop:
      return stage_answer{0, 0, {}, fault_http_response(a, settings.server_build, settings.realm), std::move(reason)};
    case fault_kind::eas_status:
      // The status in the command's own body where Exchange would put it there, else the HTTP
      // status that replaces it (PROVISIONING.md 1.8; MS-ASCMD 2.2.2).
      return stage_answer{a.eas_status, eas::http_status_for(a.eas_status), {}, {}, std::move(reason)};
    case fault_kind::policy_refresh:
      // As if DevicePolicyRefreshInterval had elapsed: 143 in the body from 14.0, HTTP 449
      // before (PROVISIONING.md 1.8 step 8, 2.6; MS-ASCMD 2.2.2 R7565).
      return stage_answer{143, 449, {}, {}, std::move(reason)};
    case fault_kind::delay:
    case fault_kind::corrupt_body:
    case fault_kind::truncate_body:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::function<stage_result(eas_context&)> fault_stage(fault_registry& rules, fault_stage_settings settings) {
  return [&rules, settings = std::move(settings)](eas_context& ctx) -> stage_result {
    const auto device = ctx.query.printable_device_id();
    const auto version = to_string(ctx.version);
    auto hit = rules.match({ctx.mailbox, device, ctx.query.device_type, ctx.query.command->name, version});
    if (!hit) return std::nullopt;
    auto& a = hit->action;
    if (a.kind == fault_kind::http_status && a.http_status == 451 && a.location.empty() && settings.public_url) {
      a.location = settings.public_url() + "/Microsoft-Server-ActiveSync";
    }
    ctx.fault = std::move(hit);
    return fault_answer(ctx.fault->action, settings, ctx.fault->rule_id + ": " + describe(ctx.fault->action));
  };
}

}  // namespace easemu::server
