// GET /api/v1/server: what `easemu bench` reads, the process's memory (for the cost of a held
// Ping) and the requests waiting for a change. GET and POST /api/v1/clock: the test clock.
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "admin/api/resources.hpp"
#include "admin_json.hpp"
#include "easemu/common/test_clock.hpp"
#include "easemu/common/time.hpp"
#include "easemu/server/metrics.hpp"

namespace easemu::server::admin {

void add_server_routes(route_table& t, std::function<std::size_t()> waiting_requests) {
  t.add({{"GET"}, "/api/v1/server", [waiting = std::move(waiting_requests)](const api_call&) {
           return admin_json::json_response(
               200, boost::json::object{{"resident_bytes", resident_bytes()}, {"waiting_requests", waiting()}});
         }});
}

namespace {

boost::json::object clock_state() {
  const auto now = common::now_ms();
  return {{"now", common::iso8601_utc(now)}};
}

}  // namespace

// POST {"advance_seconds": N}: the whole server's clock moves N seconds forward (journal times,
// mailbox logging's 72 hours, last sync times). Refused (403) unless serve runs with --test-clock,
// so a lab's clock is never moved by accident.
void add_clock_routes(route_table& t, bool enabled, logger_ptr log) {
  t.add({{"GET"}, "/api/v1/clock", [](const api_call&) { return admin_json::json_response(200, clock_state()); }});
  t.add({{"POST"}, "/api/v1/clock", [enabled, log](const api_call& call) {
           if (!enabled) return admin_json::json_error(403, "the clock moves only on a server started with --test-clock");
           boost::system::error_code ec;
           const auto body = boost::json::parse(call.http.body, ec);
           const auto* obj = ec ? nullptr : body.if_object();
           const auto* seconds = obj == nullptr ? nullptr : obj->if_contains("advance_seconds");
           if (seconds == nullptr || !seconds->is_int64() || seconds->as_int64() <= 0 ||
               seconds->as_int64() > 10LL * 365 * 24 * 3600) {
             return admin_json::json_error(400, "the body must be {\"advance_seconds\": N} with N a positive whole number (at most ten years)");
           }
           const auto offset = common::advance_clock_ms(seconds->as_int64() * 1000);
           log->info("request={} test clock moved {} s forward (offset now {} s)", call.http.request_id, seconds->as_int64(),
                     offset / 1000);
           auto state = clock_state();
           state["offset_seconds"] = offset / 1000;
           return admin_json::json_response(200, state);
         }});
}

}  // namespace easemu::server::admin
