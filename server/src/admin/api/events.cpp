// The dashboard's live feed: POST /api/v1/events/ticket (admin token) gives a one-shot ticket;
// GET /api/v1/events?ticket= spends it and opens the server-sent events stream. The stream takes
// the ticket instead of the token: EventSource sends no Authorization header, and the token must
// not travel in a URL.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "admin/api/resources.hpp"
#include "admin_json.hpp"
#include "easemu/common/time.hpp"
#include "easemu/server/event_hub.hpp"

namespace easemu::server::admin {

namespace {

namespace json = boost::json;
using admin_json::json_error;
using admin_json::json_response;

http_response issue_ticket(event_hub& events) {
  const auto lifetime_s = events.settings().ticket_lifetime_ms / 1000;
  return json_response(201, json::object{{"ticket", events.issue_ticket(common::now_ms())}, {"expires_in", lifetime_s}});
}

http_response open_stream(event_hub& events, spdlog::logger& log, const api_call& call) {
  const auto ticket = admin_json::query_value(call.http.query(), "ticket");
  if (!ticket || ticket->empty()) {
    return json_error(401, "the event stream needs ?ticket= from POST /api/v1/events/ticket (Bearer token)");
  }
  if (!events.redeem_ticket(*ticket, common::now_ms())) {
    return json_error(401, "the ticket is unknown, expired or already used; get a new one from POST /api/v1/events/ticket");
  }
  auto stream = events.subscribe();
  if (!stream) {
    return json_error(503, "too many event streams open (at most " + std::to_string(events.settings().max_streams) + ")");
  }
  http_response r;
  r.status = 200;
  r.set("Content-Type", "text/event-stream; charset=utf-8");
  r.set("Cache-Control", "no-cache");
  r.set("X-Content-Type-Options", "nosniff");
  r.set("X-Accel-Buffering", "no");  // a reverse proxy in front must not hold the events back
  r.stream = std::move(stream);
  log.info("request={} event stream opened ({} open)", call.http.request_id, events.subscribers());
  return r;
}

}  // namespace

void add_event_routes(route_table& t, event_hub& events, logger_ptr log) {
  t.add({{"POST"}, "/api/v1/events/ticket", [&events](const api_call&) { return issue_ticket(events); }});
  t.add({{"GET"}, "/api/v1/events", [&events, log](const api_call& c) { return open_stream(events, *log, c); },
         "use GET with ?ticket= (POST /api/v1/events/ticket gives one)", credential::event_ticket});
}

}  // namespace easemu::server::admin
