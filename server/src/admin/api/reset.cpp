// POST /api/v1/reset: the lab as its file describes it again (WireMock's reset).
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "admin/api/resources.hpp"
#include "admin_json.hpp"

namespace easemu::server::admin {

namespace {

http_response reset_lab(const std::function<std::string()>& reset, spdlog::logger& log, const api_call& call) {
  if (!reset) return admin_json::json_error(501, "this server has no lab file state to return to");
  if (auto error = reset(); !error.empty()) return admin_json::json_error(500, error);
  log.info("request={} the lab is back to its file's state", call.http.request_id);
  return admin_json::json_response(200, boost::json::object{{"reset", true}});
}

}  // namespace

void add_reset_routes(route_table& t, const std::function<std::string()>& reset, logger_ptr log) {
  // `reset` is the router's hook, set after start: read at each call.
  t.add({{"POST"}, "/api/v1/reset", [&reset, log](const api_call& c) { return reset_lab(reset, *log, c); }});
}

}  // namespace easemu::server::admin
